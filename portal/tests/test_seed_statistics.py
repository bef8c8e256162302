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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_seed_demo_analyzes_the_findings_its_first_sweep_wrote(offices):
    """The findings table was analysed while empty, before the first sweep filled it: the
    statistics must count the findings that sweep opened."""
    from itdeploy.models import InstallationSettings, ProgramModelSetting, StepTemplate
    from itdeploy.plan import load_default_plan
    from portal.compliance.models import Finding

    load_default_plan(StepTemplate, ProgramModelSetting, InstallationSettings)
    call_command("seed_demo", "--scale", "small", stdout=io.StringIO())
    findings = Finding.objects.count()
    assert findings > 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'portal_finding'")
            estimated = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'portal_finding' LIMIT 1")
            estimated = int(cursor.fetchone()[0].split()[0])
    assert estimated == findings
