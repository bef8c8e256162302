"""The benchmark's hand-written floors (``benchmarks/floor_sql.py``) find what their rules
find: the same subjects, labels, details byte for byte, and the responsible person and
severity where a rule sets them. A floor that drifts from its rule makes the sweep's
ratio meaningless (two had drifted once), so each is checked on the demo data, with the
cases the demo does not have (agreements off ICE's list, an onboarding queue, a manager
with no 287(g) time left) added.

PostgreSQL only: the floors are PostgreSQL's SQL (``to_char``, ``DISTINCT ON``, ``FILTER``),
as the benchmark runs them."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the benchmark's floors are PostgreSQL SQL; set DATABASE_URL"
    ),
]


@pytest.fixture
def floors():
    from pathlib import Path

    benchmarks = str(Path(__file__).resolve().parent.parent / "benchmarks")
    if benchmarks not in sys.path:
        sys.path.insert(0, benchmarks)
    import floor_check
    import floor_sql

    return floor_sql, floor_check


@pytest.fixture
def demo_with_every_case(demo_site):
    """The demo, plus what it lacks: agreements ICE's latest list no longer shows, two
    editions' onboarding queues within the grace period lacking different things, and a
    field manager with all their time on other duties."""
    from agreements.choices import IceEdition, ImportStatus
    from agreements.models import Agency, Agreement, IceImport, OnboardingEntry
    from portal import dates
    from staffing.models import OtherDuty
    from staffing.selectors import field_managers

    today = dates.today()
    held = Agreement.objects.filter(status__in=["signed", "suspended", "under_review"]).order_by("pk")
    Agreement.objects.filter(pk__in=list(held.values_list("pk", flat=True)[:3])).update(
        not_listed_since=today - dt.timedelta(days=12)
    )
    editions = [
        IceImport.objects.create(
            file_name=f"participating-{n}.xlsx",
            edition=IceEdition.PARTICIPATING,
            status=ImportStatus.APPLIED,
            import_date=today - dt.timedelta(days=n),
            as_of=today - dt.timedelta(days=n) if n else None,
        )
        for n in (3, 0)
    ]
    agencies = list(Agency.objects.exclude(onboarding__isnull=False).order_by("pk")[:7])
    for n, agency in enumerate(agencies):
        OnboardingEntry.objects.create(
            agency=agency,
            edition=editions[n % 2],
            entered_on=today - dt.timedelta(days=5 + n),
            installation_decision="needed" if n % 3 else "",
        )
        if n == 2:
            Agency.objects.filter(pk=agency.pk).update(field_office_confirmed=False)
    manager = field_managers().order_by("pk").first()
    OtherDuty.objects.create(manager=manager, share_percent=100, description="Detail", starts_on=today)
    return today


def test_every_floor_finds_what_its_rule_finds(floors, demo_with_every_case):
    floor_sql, floor_check = floors
    today = demo_with_every_case
    found = {}
    for code in sorted(floor_sql.VIOLATIONS):
        assert floor_check.differences(code, today) == [], code
        found[code] = len(floor_check.floor_rows(code, today))
    # Each floor of the programme's rules is exercised: it finds something to compare.
    import floor_sql_programme

    assert [code for code in floor_sql_programme.VIOLATIONS if not found[code]] == []
