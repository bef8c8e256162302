#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a NEW database of the same server.
#
#   scripts/restore.sh FILE DATABASE     (make restore BACKUP_FILE=... RESTORE_DATABASE=...)
#
# Reads DATABASE_URL for the server and credentials; creates DATABASE (it must not
# exist: a restore never overwrites a database) and restores FILE into it with
# pg_restore. Point DATABASE_URL at the new database afterwards, then run
# `manage.py migrate` if the code is newer than the backup.
set -euo pipefail

file="${1:-${BACKUP_FILE:-}}"
target="${2:-${RESTORE_DATABASE:-}}"
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL server (any database on it)}"
if [ -z "$file" ] || [ -z "$target" ]; then
    echo "usage: scripts/restore.sh FILE DATABASE (or make restore BACKUP_FILE=... RESTORE_DATABASE=...)" >&2
    exit 2
fi
[ -r "$file" ] || { echo "restore: cannot read $file" >&2; exit 2; }
if ! [[ "$target" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]]; then
    echo "restore: database name must be letters, digits and underscores" >&2
    exit 2
fi

# The same server and credentials, with the target database in the URL.
base_url="${DATABASE_URL%%\?*}"
query=""
[ "$base_url" != "$DATABASE_URL" ] && query="?${DATABASE_URL#*\?}"
server_url="${base_url%/*}"

createdb --maintenance-db="$DATABASE_URL" "$target"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$server_url/$target$query" "$file"
echo "restored $file into $target"
