"""Does each hand-written floor (``floor_sql.VIOLATIONS``) find what its rule finds?

For each rule with a floor, on the database in DATABASE_URL (PostgreSQL): the floor's
SELECT beside the rule's ``evaluate()``, compared subject by subject (label, agency,
field office, detail, and the responsible person, severity and stage where the floor
has those columns). Prints the differences and exits 1 when there are any::

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/floor_check.py [code prefix ...]

``differences()`` is what ``tests/test_floor_sql.py`` asserts empty on demo data.
"""

from __future__ import annotations

import datetime as dt
import sys


def params(today: dt.date) -> dict:
    """The floors' parameters on ``today``, from the settings the rules read (as the
    benchmark's sweep computes them)."""
    import floor_sql_training

    this_month = today.replace(day=1)
    return {
        "today": today,
        "this_month": this_month,
        "last_month": (this_month - dt.timedelta(days=1)).replace(day=1),
        **floor_sql_training.params(today),  # the training rules' settings (lapsed_before among them)
    }


def floor_rows(code: str, today: dt.date) -> dict[int, dict]:
    """The floor's violations of ``code`` on ``today``: subject id -> its columns."""
    import floor_sql
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(floor_sql.VIOLATIONS[code], params(today))
        names = ["subject_id", "label", "agency_id", "field_office_id", "detail"] + [
            c.name for c in cursor.description[5:]
        ]
        rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    found = {row["subject_id"]: row for row in rows}
    assert len(found) == len(rows), f"{code}: the floor found a subject twice"
    return found


def differences(code: str, today: dt.date, limit: int = 10) -> list[str]:
    """What the floor of ``code`` finds differently from the rule on ``today`` (at most
    ``limit`` subjects described, then the counts)."""
    from agreements.models import Agency
    from portal.compliance.registry import registry

    rule = registry.get(code)
    portal = {v.subject_id: v for v in rule.evaluate(today=today)}  # first: it may store the day's forecast
    floor = floor_rows(code, today)
    # The sweep fills in the field office of a violation that names none from its agency.
    office_of = dict(Agency.objects.values_list("id", "field_office_id"))
    out = []
    for sid in sorted(portal.keys() - floor.keys())[:limit]:
        out.append(f"{code}: #{sid} only the rule finds: {portal[sid]}")
    for sid in sorted(floor.keys() - portal.keys())[:limit]:
        out.append(f"{code}: #{sid} only the floor finds: {floor[sid]}")
    for sid in sorted(portal.keys() & floor.keys()):
        v, f = portal[sid], floor[sid]
        wanted = {
            "label": v.label,
            "agency_id": v.agency_id,
            "field_office_id": v.field_office_id or office_of.get(v.agency_id),
            "detail": v.detail,
        }
        if "responsible_id" in f:
            wanted["responsible_id"] = v.responsible_id
        if "severity" in f:
            wanted["severity"] = v.severity
        if "stage" in f:
            wanted["stage"] = v.stage
        for key, value in wanted.items():
            if f[key] != value:
                out.append(f"{code}: #{sid} {key}: rule {value!r}, floor {f[key]!r}")
        if len(out) >= 3 * limit:
            break
    if out:
        out.append(f"{code}: the rule finds {len(portal)}, the floor {len(floor)}")
    return out


def main() -> int:
    import os

    from _setup import setup_django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    setup_django()
    import floor_sql

    from portal import dates

    today = dates.today()
    prefixes = sys.argv[1:]
    bad = 0
    for code in sorted(floor_sql.VIOLATIONS):
        if prefixes and not any(code.startswith(p) for p in prefixes):
            continue
        found = differences(code, today)
        n = len(floor_rows(code, today))
        print(f"{code:<45} {n:6d} found, {'OK' if not found else 'DIFFERENT'}")
        for line in found:
            print("   ", line)
        bad += bool(found)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
