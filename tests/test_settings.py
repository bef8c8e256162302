"""Settings come from the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(code, **env):
    full = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    full.update(env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True)


SETUP = "import os,django;os.environ.setdefault('DJANGO_SETTINGS_MODULE','portal.settings');django.setup();"


def test_missing_secret_key_in_production_names_the_variable():
    result = run(SETUP, DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr


def test_database_url_selects_the_database_and_sqlite_is_the_default():
    code = SETUP + "from django.conf import settings as s;print(s.DATABASES['default']['ENGINE'])"
    assert run(code).stdout.strip() == "django.db.backends.sqlite3"
    assert run(code, DATABASE_URL="postgres://u@127.0.0.1:5432/x").stdout.strip() == "django.db.backends.postgresql"


def test_deploy_check_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
            "DEBUG": "false",
            "SECRET_KEY": "k" * 20 + "-production-like-secret-" + "x7Qp2Lz9" * 4,
            "ALLOWED_HOSTS": "portal.ice.example",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
