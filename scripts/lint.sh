#!/usr/bin/env bash
# Static checks of the portal's code: ruff (lint and format check, configured in
# pyproject.toml) and bandit (no finding of high severity). Runs every check and fails
# if any failed. `make lint` runs it; so does CI (.ci/run).
#
#   scripts/lint.sh          # check
#   .venv/bin/ruff check --fix . && .venv/bin/ruff format .   # fix what can be fixed
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN="${BIN:-.venv/bin}"
STATUS=0

run() {
    local label="$1"
    shift
    echo "== $label: $*"
    if "$@"; then
        echo "-- $label: passed"
    else
        echo "-- $label: FAILED" >&2
        STATUS=1
    fi
}

run "ruff check" "$BIN/ruff" check --no-cache --output-format concise .
run "ruff format" "$BIN/ruff" format --no-cache --check --output-format concise .
run "bandit" "$BIN/bandit" -q -c pyproject.toml -r . --severity-level high

exit "$STATUS"
