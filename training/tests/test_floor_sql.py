"""The benchmark's hand-written SQL of the training rules (``benchmarks/floor_sql_training.py``,
issue 14) finds what the rules find: the same officers and classes, labels, agencies, field
offices, details byte for byte and stages, on the demo data and on days across the fiscal
year (the recertification reminders' season, the fiscal year's turn, a 29 February). A
floor that drifts from its rule makes the benchmark's ratio meaningless; two did before."""

import datetime as dt
import sys
from pathlib import Path

import pytest
from django.db import connection

from portal import dates

pytestmark = pytest.mark.django_db

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def floors():
    if connection.vendor != "postgresql":
        pytest.skip("the floors are the benchmark's PostgreSQL SQL: run with DATABASE_URL=postgres://...")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import floor_sql  # noqa: F401  (merges floor_sql_training's floors, which import it)
        import floor_sql_training
    finally:
        sys.path.remove(str(BENCHMARKS))
    return floor_sql_training


def test_each_training_floor_finds_what_its_rule_finds(floors, demo_site):
    from portal.compliance.registry import registry
    from training.choices import OfficerStatus
    from training.models import AcademyClass, Enrollment, Officer

    # given: the demo, with one scheduled class overbooked (the demo has none)
    academy_class = AcademyClass.objects.filter(status="scheduled", ends_on__gte=dates.today()).first()
    officers = list(Officer.objects.exclude(status=OfficerStatus.LEFT)[: academy_class.capacity + 2])
    Enrollment.objects.filter(academy_class=academy_class).delete()
    Enrollment.objects.bulk_create(
        Enrollment(academy_class=academy_class, officer=o, status="enrolled") for o in officers
    )
    today = dates.today()
    season = dates.fiscal_year_end(dates.fiscal_year(today)).year
    days = [
        today,
        dt.date(season, 8, 5),  # first reminder
        dt.date(season, 9, 3),  # second reminder
        dt.date(season, 9, 20),  # final reminder
        dt.date(season, 10, 1),  # the fiscal year after: recertification missed
        dt.date(2028, 2, 29),
        today + dt.timedelta(days=120),  # suspensions of 1 October 90 days old
    ]

    # when / then
    found = dict.fromkeys(floors.VIOLATIONS, 0)
    for day in days:
        for code in floors.VIOLATIONS:
            assert floors.differences(code, day) == {}, f"{code} on {day}"
            found[code] += sum(1 for _ in registry.get(code).evaluate(today=day))
    assert all(found.values()), f"every rule finds something on some day: {found}"
