"""``seed_demo`` leaves the database with planner statistics (issue 14): bulk-written
tables have none until autovacuum reaches them, and without them PostgreSQL plans nested
loops over thousands of rows it estimates at one."""

import io

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_seed_demo_analyzes_the_tables_it_wrote(offices):
    from itdeploy.models import InstallationSettings, ProgramModelSetting, StepTemplate
    from itdeploy.plan import load_default_plan

    load_default_plan(StepTemplate, ProgramModelSetting, InstallationSettings)  # as the migrations leave it
    call_command("seed_demo", "--scale", "small", stdout=io.StringIO())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname FROM pg_stat_user_tables WHERE relname IN ('training_officer', 'agreements_agreement')"
                " AND last_analyze IS NOT NULL"
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl FROM sqlite_stat1 WHERE tbl IN ('training_officer', 'agreements_agreement')"
            )
        analyzed = {row[0] for row in cursor.fetchall()}
    assert analyzed == {"training_officer", "agreements_agreement"}
