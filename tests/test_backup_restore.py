"""`make backup` / `make restore`: a backup of the PostgreSQL database, restored into a new
database, holds the same rows. PostgreSQL only (skipped on SQLite; CI's second pass runs
it on PostgreSQL)."""

import secrets
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)

TABLES = {
    "agreements_agency": "id, name, county, state, field_office_id",
    "agreements_agreement": "id, agency_id, status",
    "staffing_assignment": "id, agency_id, program_manager_id, kind, starts_on, ends_on",
    "auth_user": "id, username, email, password, is_active",
    "portal_staffprofile": "id, user_id, role, field_office_id",
    "portal_finding": "id, rule, subject_id, status, responsible_id, detail",
    "portal_sweeprun": "id, status, counts::text",
    "agreements_historicalagency": "history_id, id, name, history_type",
}


def server_url(database: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER'] or 'postgres'}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{database}"


def rows(cursor, table: str) -> list:
    cursor.execute(f"SELECT {TABLES[table]} FROM {table} ORDER BY 1")  # noqa: S608 (names from TABLES)
    return cursor.fetchall()


def test_a_backup_restored_into_a_new_database_has_the_same_rows(world, people, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Backup and restore are for PostgreSQL (set DATABASE_URL=postgres://...); CI's second pass runs this test"
        )
    from portal.compliance.sweep import sweep_run

    sweep_run(notify=False)
    source = connection.settings_dict["NAME"]
    target = f"{source}_restore_{secrets.token_hex(3)}"
    dump = tmp_path / "portal.dump"
    env = {"DATABASE_URL": server_url(source), "PATH": "/usr/bin:/bin:/usr/local/bin"}

    # when: make backup, then make restore into a database that did not exist
    backup = subprocess.run(
        ["make", "-s", "backup", f"BACKUP_FILE={dump}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert backup.returncode == 0, backup.stderr
    assert dump.stat().st_size > 0 and str(dump) in backup.stdout
    try:
        restore = subprocess.run(
            ["make", "-s", "restore", f"BACKUP_FILE={dump}", f"RESTORE_DATABASE={target}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert restore.returncode == 0, restore.stderr

        # then: every table holds the same rows
        with connection.cursor() as original:
            expected = {table: rows(original, table) for table in TABLES}
        restored_db = psycopg2.connect(server_url(target))
        try:
            with restored_db.cursor() as restored:
                for table in TABLES:
                    assert rows(restored, table) == expected[table], table
                restored.execute("SELECT count(*) FROM django_migrations")
                assert restored.fetchone()[0] > 10
        finally:
            restored_db.close()
        assert all(expected[t] for t in ("agreements_agency", "portal_finding", "auth_user"))

        # and a restore never overwrites an existing database
        again = subprocess.run(
            ["make", "-s", "restore", f"BACKUP_FILE={dump}", f"RESTORE_DATABASE={target}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert again.returncode != 0 and "already exists" in again.stderr
    finally:
        subprocess.run(
            ["dropdb", "--if-exists", "--force", f"--maintenance-db={server_url(source)}", target],
            env=env,
            capture_output=True,
            timeout=120,
        )


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    result = subprocess.run(
        ["make", "-s", "backup"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"DATABASE_URL": "sqlite:///var/portal.sqlite3", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0 and "not PostgreSQL" in result.stderr
