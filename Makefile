# The 287(g) Program Portal. `make` lists the targets.

PYTHON ?= python3
VENV = .venv
BIN = $(VENV)/bin
PYTEST_ARGS ?=
RUNSERVER_ADDR ?= 127.0.0.1:8000

# Playwright must never download a browser: the tests use Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.DEFAULT_GOAL := help
.PHONY: help install run test lint schemathesis worker beat sweep vendor benchmark check-deploy backup restore clean

help:
	@echo "287(g) Program Portal"
	@echo ""
	@echo "  make install       create $(VENV) and install the dependencies of pyproject.toml"
	@echo "  make run           migrate, seed demo data if the database is empty, serve on $(RUNSERVER_ADDR)"
	@echo "  make test          check the import contracts (.importlinter), then run the test suite (PYTEST_ARGS='...' passes options to pytest)"
	@echo "  make lint          ruff (lint, format check) and bandit: scripts/lint.sh"
	@echo "  make schemathesis  the API against its schema on a live server: scripts/schemathesis.sh"
	@echo "  make worker        start a Celery worker (needs REDIS_URL)"
	@echo "  make beat          start Celery beat with the database scheduler (needs REDIS_URL)"
	@echo "  make sweep         run the compliance sweep once"
	@echo "  make vendor        refresh USWDS, Chart.js and htmx under static/vendor/ from npm"
	@echo "  make benchmark     run benchmarks/bench_*.py against DATABASE_URL (docs/performance.md)"
	@echo "  make check-deploy  run Django's deployment checks with production settings"
	@echo "  make backup        pg_dump -Fc the DATABASE_URL database (BACKUP_FILE=... to name the file)"
	@echo "  make restore       pg_restore BACKUP_FILE=... into a new database RESTORE_DATABASE=..."
	@echo "  make clean         delete the development database var/portal.sqlite3"

$(VENV)/.installed: pyproject.toml scripts/requirements.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --upgrade pip
	$(BIN)/python scripts/requirements.py --dev > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r $(VENV)/requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --scale small --if-empty
	$(BIN)/python manage.py runserver $(RUNSERVER_ADDR)

test: install
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	BIN=$(BIN) bash scripts/lint.sh

schemathesis: install
	PYTHON=$(BIN)/python bash scripts/schemathesis.sh

worker: install
	$(BIN)/celery -A portal worker -l info

beat: install
	$(BIN)/celery -A portal beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler

sweep: install
	$(BIN)/python manage.py sweep

vendor:
	bash scripts/vendor_uswds.sh

benchmark: install
	@for f in benchmarks/bench_*.py; do \
		[ -e "$$f" ] || { echo "no benchmarks/bench_*.py"; exit 1; }; \
		echo "== $$f"; \
		$(BIN)/python $$f || exit 1; \
	done

# The SECRET_KEY below exists only for this check; it is never used to run the portal.
check-deploy: install
	DEBUG=false \
	SECRET_KEY=check-deploy-only-7Qm2vX9kR4tL8wZ3nB6yH1pD5sF0gJcKaEeUuTiOoPrWxYz \
	ALLOWED_HOSTS=portal.example.gov \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Backup and restore of PostgreSQL (docs/operations.md). They need only the PostgreSQL
# client tools, not the virtualenv.
backup:
	@bash scripts/backup.sh $(BACKUP_FILE)

restore:
	@test -n "$(BACKUP_FILE)" -a -n "$(RESTORE_DATABASE)" || { echo "usage: make restore BACKUP_FILE=... RESTORE_DATABASE=..."; exit 2; }
	@bash scripts/restore.sh "$(BACKUP_FILE)" "$(RESTORE_DATABASE)"

clean:
	rm -f var/portal.sqlite3 var/portal.sqlite3-journal var/portal.sqlite3-wal var/portal.sqlite3-shm
