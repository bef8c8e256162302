#!/usr/bin/env bash
# The API against its own OpenAPI schema, with schemathesis, on a live server.
#
# Starts the portal on 127.0.0.1 with a fresh SQLite database seeded with the small demo
# data set (`seed_demo --scale small`), issues a token for the Unit Chief (HQ, `chief`)
# and one for a field program manager (`pm.houston`), and runs schemathesis for every
# operation of /api/schema/ as each of them, in two rounds:
#   1. reads (GET): positive and negative data;
#   2. writes (POST, PATCH): negative data only, so nothing valid is written; DELETE
#      is left out (it would revoke the token the run uses).
# Checks: no server error, every response matches its schema, every status is declared,
# invalid requests are refused. Exits non-zero on any failure. Reports go to
# test-results/schemathesis/.
#
#   scripts/schemathesis.sh                    # as CI runs it
#   ST_MAX_EXAMPLES=50 scripts/schemathesis.sh # more examples per operation
#   ST_ROLES=hq scripts/schemathesis.sh        # HQ only (hq, field)
#
# Environment: ST_MAX_EXAMPLES (default 5), ST_PORT (default 8765), ST_ROLES (default
# "hq field"), ST_SEED (a fixed seed, for a reproducible run), PYTHON (default .venv/bin/python).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
# Absolute, since schemathesis runs from a scratch directory (make passes .venv/bin/python).
case "$PYTHON" in /*) ;; */*) PYTHON="$ROOT/$PYTHON" ;; esac
ST="$(dirname "$PYTHON")/schemathesis"
MAX_EXAMPLES="${ST_MAX_EXAMPLES:-5}"
PORT="${ST_PORT:-8765}"
ROLES="${ST_ROLES:-hq field}"
REPORTS="$ROOT/test-results/schemathesis"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/portal-schemathesis.XXXXXX")"
SERVER_PID=""

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -x "$ST" ]; then
    echo "ERROR: schemathesis is not installed in $(dirname "$PYTHON") (pip install schemathesis)." >&2
    exit 1
fi
mkdir -p "$REPORTS"

# The server's environment: its own database, no Redis (tasks in-process), no throttling
# in the way of a few thousand requests, e-mail kept in memory.
export DATABASE_URL="sqlite:///$WORK/portal.sqlite3"
export API_THROTTLE_RATE="1000000/hour"
export EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
export DEBUG=true
unset REDIS_URL

echo "== schemathesis: seeding a fresh database ($WORK)"
"$PYTHON" manage.py migrate --noinput -v0
"$PYTHON" manage.py seed_demo --scale small >"$WORK/seed.log"
declare -A TOKENS
TOKENS[hq]="$("$PYTHON" manage.py issue_token chief --name schemathesis)"
TOKENS[field]="$("$PYTHON" manage.py issue_token pm.houston --name schemathesis)"

echo "== schemathesis: starting the portal on 127.0.0.1:$PORT"
"$PYTHON" manage.py runserver "127.0.0.1:$PORT" --noreload --nothreading >"$REPORTS/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
    if "$PYTHON" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
        "http://127.0.0.1:$PORT/healthz/" >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "ERROR: the server did not start; see $REPORTS/server.log" >&2
        exit 1
    fi
    sleep 1
done
# The schema is for signed-in callers only: asked with HQ's token, as schemathesis asks it.
"$PYTHON" -c "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers={'Authorization': 'Token ' + sys.argv[2]}), timeout=5)" \
    "http://127.0.0.1:$PORT/api/schema/" "${TOKENS[hq]}" \
    || { echo "ERROR: /api/schema/ does not answer" >&2; exit 1; }

CHECKS="not_a_server_error,response_schema_conformance,status_code_conformance,negative_data_rejection"
COMMON=(
    "http://127.0.0.1:$PORT/api/schema/"
    --checks "$CHECKS"
    --max-examples "$MAX_EXAMPLES"
    --phases examples,coverage,fuzzing
    --workers 1
    --no-color
    --generation-database none
    --request-timeout 60
    --suppress-health-check all
)
if [ -n "${ST_SEED:-}" ]; then
    COMMON+=(--seed "$ST_SEED")
fi

STATUS=0
for role in $ROLES; do
    token="${TOKENS[$role]:-}"
    if [ -z "$token" ]; then
        echo "ERROR: no role named $role (hq, field)" >&2
        exit 2
    fi
    for round in reads writes; do
        echo "== schemathesis: $round as $role"
        args=("${COMMON[@]}" --header "Authorization: Token $token"
              --report junit --report-junit-path "$REPORTS/$role-$round.xml")
        if [ "$round" = reads ]; then
            args+=(--include-method GET --mode all)
        else
            args+=(--include-method POST --include-method PATCH --mode negative)
        fi
        start=$(date +%s)
        # From the scratch directory: schemathesis keeps a cache in .schemathesis/ of its cwd.
        if (cd "$WORK" && "$ST" run "${args[@]}") >"$REPORTS/$role-$round.log" 2>&1; then
            result=passed
        else
            result=FAILED
            STATUS=1
        fi
        # The summary of the run; the failures in full when there are any.
        if [ "$result" = passed ]; then
            grep -E "^  (Tested:|[0-9]+ generated)" "$REPORTS/$role-$round.log" || true
        else
            sed -n '/^=* FAILURES =*$/,$p' "$REPORTS/$role-$round.log"
        fi
        echo "-- $round as $role: $result in $(( $(date +%s) - start ))s (log: ${REPORTS#"$ROOT"/}/$role-$round.log)"
    done
done

if grep -q "Internal Server Error" "$REPORTS/server.log"; then
    echo "ERROR: the server logged an internal server error:" >&2
    grep -A3 "Internal Server Error" "$REPORTS/server.log" | head -40 >&2
    STATUS=1
fi
if [ "$STATUS" -eq 0 ]; then
    echo "schemathesis: no failures."
fi
exit "$STATUS"
