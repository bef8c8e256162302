"""An ICE list import opens the installations of the sites it brings, set-based: old
signatures as "status unknown, to confirm", recent ones in progress from the MOA date."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement
from itdeploy.choices import InstallationStatus
from itdeploy.models import Installation
from portal.compliance.sweep import sweep_run

FIXTURES = Path(__file__).resolve().parents[2] / "agreements" / "tests" / "fixtures"


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2025, 7, 20, 12, tzinfo=dt.UTC), tick=False)
def test_participating_import_opens_one_installation_per_jail_model_site(offices):
    with CaptureQueriesContext(connection) as queries:
        call_command("import_ice_agencies", str(FIXTURES / "participatingAgencies07182025pm.xlsx"), stdout=StringIO())
    jail_sites = set(
        Agreement.objects.filter(program_model="jem", status="signed", signed_on__isnull=False).values_list(
            "agency_id", flat=True
        )
    )
    installations = Installation.objects.all()
    assert set(installations.values_list("agency_id", flat=True)) == jail_sites
    today = dt.date(2025, 7, 20)
    for installation in installations:
        old = (today - installation.moa_signed_on).days > 180
        expected = InstallationStatus.UNCONFIRMED if old else InstallationStatus.IN_PROGRESS
        assert installation.status == expected, installation
    assert installations.filter(status=InstallationStatus.IN_PROGRESS).exists()
    assert all(i.steps.count() == 6 for i in installations.filter(status=InstallationStatus.IN_PROGRESS)[:5])
    # Set-based: the number of queries does not follow the number of sites (the audit
    # journal's bulk inserts add about one query per 58 rows on SQLite, whose 999 query
    # parameters limit a batch; on PostgreSQL a handful; the edition record, its change
    # list and the onboarding queue add a few batches more).
    assert len(queries.captured_queries) < 260 < 832  # 832 agreements, 117 sites

    run = sweep_run(notify=False, rule_codes=["itdeploy.signed_without_installation", "itdeploy.past_goal"])
    assert run.counts["itdeploy.signed_without_installation"]["open"] == 0
    # Unconfirmed sites do not flood the sweep.
    assert (
        run.counts["itdeploy.past_goal"]["open"] <= installations.filter(status=InstallationStatus.IN_PROGRESS).count()
    )
