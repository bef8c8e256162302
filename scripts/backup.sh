#!/usr/bin/env bash
# Back up the portal's PostgreSQL database with pg_dump's custom format (-Fc).
#
#   scripts/backup.sh [FILE]      (make backup [BACKUP_FILE=...])
#
# Reads DATABASE_URL (postgres://...). FILE defaults to
# var/backups/portal-<UTC timestamp>.dump. Prints the file written.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
case "$DATABASE_URL" in
    postgres://*|postgresql://*) ;;
    *) echo "backup: DATABASE_URL is not PostgreSQL; back up the SQLite file var/portal.sqlite3 by copying it" >&2; exit 2 ;;
esac

file="${1:-${BACKUP_FILE:-}}"
if [ -z "$file" ]; then
    mkdir -p var/backups
    file="var/backups/portal-$(date -u +%Y%m%dT%H%M%SZ).dump"
fi
umask 077
pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" --dbname="$DATABASE_URL"
mv "$file.partial" "$file"
echo "$file"
