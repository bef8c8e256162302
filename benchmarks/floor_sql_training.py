"""The floor of the training app's sweep rules (``training/rules.py``): hand-written,
set-based SQL on PostgreSQL, each SELECT doing the rule's whole job (the same subjects,
label, detail text byte for byte and stage as ``Rule.evaluate``), merged into
``floor_sql.VIOLATIONS`` and ``floor_sql.SUBJECT_TYPE``.

The shape is ``floor_sql``'s: ``(subject_id, label, agency_id, field_office_id, detail)``,
then optional extra columns named after the ``Finding`` field a violation sets itself
(``stage``; ``severity`` and ``responsible_id`` would follow the same convention). The
floor's ``CREATE TEMP TABLE floor_v (subject_id, label, agency_id, field_office_id,
detail) AS <select>`` names the first five columns and keeps the extra columns' own
aliases, so ``floor_v.stage`` exists exactly when the rule sets a stage; the write
statements may read it as ``v.stage`` where present ('' otherwise).

Parameters (psycopg ``%(name)s``), from the settings the rules read (``training.conf``),
given by ``params(today)``; ``today`` is the benchmark's:

- ``card_warning_on``: today − ``TRAINING_CARD_WARNING_DAYS``;
- ``lapsed_before``: today − ``TRAINING_CARD_LAPSED_AFTER_DAYS`` (``floor_sql``'s);
- ``revocation_on``: today − ``TRAINING_REVOCATION_DAYS``;
- ``refresher_years`` and ``refresher_cutoff`` (``training.models.refresher_cutoff``:
  the latest last training whose refresher is due today).

The fiscal years and the reminder season are computed in SQL from ``today``; the PALMS
courses the recertification requires (the catalogue's, not retired) are read from
``training_course``.
"""

from __future__ import annotations

import datetime as dt

from floor_sql import IN_FORCE

OFFICER_LABEL = "o.last_name || ', ' || o.first_name || ' (' || o.officer_number || ')'"

#: The PALMS courses the annual recertification requires.
REQUIRED_PALMS = "SELECT id FROM training_course WHERE kind = 'palms' AND retired_on IS NULL"

#: The fiscal year ``today`` falls in (1 October starts the next one), its first and last day.
FY = "(EXTRACT(YEAR FROM %(today)s::date)::int + CASE WHEN EXTRACT(MONTH FROM %(today)s::date) >= 10 THEN 1 ELSE 0 END)"
FY_START = f"make_date({FY} - 1, 10, 1)"
FY_END = f"make_date({FY}, 9, 30)"
PREV_FY_START = f"make_date({FY} - 2, 10, 1)"
PREV_FY_END = f"make_date({FY} - 1, 9, 30)"

#: Officers whose agency has an agreement in force today.
AGENCY_IN_FORCE = f"o.agency_id IN (SELECT agency_id FROM ({IN_FORCE}) f)"


def _palms_done(first: str, last: str) -> str:
    """(officer_id, done): the required PALMS courses each officer completed between
    ``first`` and ``last`` (SQL expressions; ``last`` None: no end), distinct courses."""
    until = f"AND c.completed_on <= {last}" if last else ""
    return f"""
        SELECT c.officer_id, count(DISTINCT c.course_id) AS done FROM training_completion c
        WHERE c.course_id = ANY (ARRAY({REQUIRED_PALMS})) AND c.completed_on >= {first} {until}
        GROUP BY c.officer_id"""


#: The reminder of the recertification season today falls in (1 August, 1 and 15
#: September), NULL outside it.
REMINDER_STAGE = """CASE
    WHEN %(today)s::date >= make_date(EXTRACT(YEAR FROM %(today)s::date)::int, 9, 15)
         AND EXTRACT(MONTH FROM %(today)s::date) = 9 THEN 'final reminder (15 September)'
    WHEN EXTRACT(MONTH FROM %(today)s::date) = 9 THEN 'second reminder (1 September)'
    WHEN EXTRACT(MONTH FROM %(today)s::date) = 8 THEN 'first reminder (1 August)'
    END"""

#: An officer's last academy training: the later of the certification and the last basic
#: or refresher course completed.
ACADEMY = "SELECT id FROM training_course WHERE kind IN ('basic', 'refresher')"

#: rule code -> SELECT of (subject_id, label, agency_id, field_office_id, detail[, stage])
VIOLATIONS = {
    "training.card_warning": f"""
        SELECT o.id, {OFFICER_LABEL}, o.agency_id, g.field_office_id,
               'Last login ' || (%(today)s::date - c.anchor) || ' days ago (' || to_char(c.anchor, 'MM/DD/YYYY')
               || '); the card lapses after 30 days.',
               'card warning' AS stage
        FROM training_officer o JOIN agreements_agency g ON g.id = o.agency_id
        CROSS JOIN LATERAL (SELECT GREATEST(o.card_last_login_on, o.card_reactivated_on, o.certified_on) AS anchor) c
        WHERE o.status = 'certified' AND o.card_deactivated_on IS NULL
          AND c.anchor <= %(card_warning_on)s AND c.anchor >= %(lapsed_before)s
          AND {AGENCY_IN_FORCE}
    """,
    "training.recertification_reminder": f"""
        SELECT o.id, {OFFICER_LABEL}, o.agency_id, g.field_office_id,
               upper(left(s.stage, 1)) || substr(s.stage, 2) || ': ' || COALESCE(d.done, 0) || ' of '
               || r.n || ' PALMS courses done; due ' || to_char({FY_END}, 'YYYY-MM-DD') || '.',
               s.stage AS stage
        FROM training_officer o JOIN agreements_agency g ON g.id = o.agency_id
        CROSS JOIN (SELECT {REMINDER_STAGE} AS stage) s
        CROSS JOIN (SELECT count(*) AS n FROM ({REQUIRED_PALMS}) p) r
        LEFT JOIN ({_palms_done(FY_START, FY_END)}) d ON d.officer_id = o.id
        WHERE s.stage IS NOT NULL
          AND o.status = 'certified' AND o.certified_on < {FY_START}
          AND COALESCE(d.done, 0) < r.n
          AND {AGENCY_IN_FORCE}
    """,
    "training.recertification_missed": f"""
        SELECT o.id, {OFFICER_LABEL}, o.agency_id, g.field_office_id,
               'PALMS recertification for FY' || ({FY} - 1) || ' not completed by 30 September '
               || ({FY} - 1) || '; suspend the officer.'
        FROM training_officer o JOIN agreements_agency g ON g.id = o.agency_id
        WHERE o.status = 'certified' AND o.certified_on < {PREV_FY_START}
          AND o.id NOT IN (SELECT d.officer_id FROM ({_palms_done(PREV_FY_START, PREV_FY_END)}) d
                           WHERE d.done >= (SELECT count(*) FROM ({REQUIRED_PALMS}) p))
          AND (SELECT count(*) FROM ({REQUIRED_PALMS}) p) > 0
          AND NOT EXISTS (SELECT 1 FROM training_officerevent e WHERE e.officer_id = o.id
                          AND e.verb IN ('suspend', 'reinstate') AND e.on > {PREV_FY_END})
          AND NOT EXISTS (SELECT 1 FROM training_waiver w WHERE w.officer_id = o.id
                          AND w.fiscal_year = {FY} - 1)
          AND {AGENCY_IN_FORCE}
    """,
    "training.revocation_due": f"""
        SELECT o.id, {OFFICER_LABEL}, o.agency_id, g.field_office_id,
               'Suspended on ' || to_char(o.suspended_on, 'MM/DD/YYYY') || ' ('
               || (%(today)s::date - o.suspended_on) || ' days ago); '
               || 'revoke, or have the Field Office Director record a waiver.'
        FROM training_officer o JOIN agreements_agency g ON g.id = o.agency_id
        WHERE o.status = 'suspended' AND o.suspension_cause = 'recertification'
          AND o.suspended_on <= %(revocation_on)s
          AND (SELECT count(DISTINCT c.course_id) FROM training_completion c WHERE c.officer_id = o.id
               AND c.course_id IN ({REQUIRED_PALMS}) AND c.completed_on >= o.suspended_on)
              < (SELECT count(*) FROM ({REQUIRED_PALMS}) p)
          AND NOT EXISTS (SELECT 1 FROM training_waiver w WHERE w.officer_id = o.id
                          AND w.expires_on >= %(today)s)
          AND {AGENCY_IN_FORCE}
    """,
    "training.refresher_overdue": f"""
        SELECT o.id, {OFFICER_LABEL}, o.agency_id, g.field_office_id,
               'Last academy training on ' || to_char(t.last_on, 'MM/DD/YYYY')
               || '; the refresher (IADRP) is due every ' || %(refresher_years)s || ' years (due '
               || to_char(t.last_on + make_interval(years => %(refresher_years)s), 'MM/DD/YYYY') || ').'
        FROM training_officer o JOIN agreements_agency g ON g.id = o.agency_id
        LEFT JOIN (SELECT c.officer_id, max(c.completed_on) AS completed_on FROM training_completion c
                   WHERE c.course_id IN ({ACADEMY}) GROUP BY c.officer_id) a ON a.officer_id = o.id
        CROSS JOIN LATERAL (SELECT GREATEST(o.certified_on, a.completed_on) AS last_on) t
        WHERE o.status = 'certified'
          AND t.last_on <= %(refresher_cutoff)s AND t.last_on > DATE '1900-01-01'
          AND {AGENCY_IN_FORCE}
    """,
    "training.class_overbooked": """
        SELECT k.id, co.code || ' ' || to_char(k.starts_on, 'YYYY-MM-DD') || ' (' || s.name || ')',
               NULL::bigint, NULL::bigint, e.seated || ' officers seated for ' || k.capacity || ' seats.'
        FROM training_academyclass k
        JOIN training_course co ON co.id = k.course_id
        JOIN training_academysite s ON s.id = k.site_id
        JOIN (SELECT academy_class_id, count(*) AS seated FROM training_enrollment
              WHERE status = 'enrolled' GROUP BY academy_class_id) e ON e.academy_class_id = k.id
        WHERE k.status = 'scheduled' AND k.ends_on >= %(today)s AND e.seated > k.capacity
    """,
}

SUBJECT_TYPE = dict.fromkeys(VIOLATIONS, ("training", "officer"))
SUBJECT_TYPE["training.class_overbooked"] = ("training", "academyclass")


def params(today: dt.date) -> dict:
    """The parameters of these floors on ``today``, from the settings the rules read."""
    from training import conf
    from training.models import refresher_cutoff

    return {
        "card_warning_on": today - dt.timedelta(days=conf.get("TRAINING_CARD_WARNING_DAYS")),
        "lapsed_before": today - dt.timedelta(days=conf.get("TRAINING_CARD_LAPSED_AFTER_DAYS")),
        "revocation_on": today - dt.timedelta(days=conf.get("TRAINING_REVOCATION_DAYS")),
        "refresher_years": conf.get("TRAINING_REFRESHER_YEARS"),
        "refresher_cutoff": refresher_cutoff(today),
    }


def differences(code: str, today: dt.date, values: dict | None = None) -> dict[int, tuple]:
    """Subject id -> (the rule's row, the floor's row) wherever the floor's SELECT and the
    rule's ``evaluate()`` (with the sweep's default field office) differ on ``today``:
    the subjects, labels, agencies, field offices, details and stages. Empty when the
    floor is honest. On the database Django is connected to (PostgreSQL)."""
    import floor_sql
    from django.db import connection

    from portal.compliance.registry import registry
    from portal.compliance.sweep import _default_people

    rule = registry.get(code)
    portal = {
        v.subject_id: (v.label, v.agency_id, v.field_office_id, v.detail, v.stage)
        for v in _default_people(list(rule.evaluate(today=today)), today)
    }
    with connection.cursor() as cursor:
        cursor.execute(floor_sql.VIOLATIONS[code], {"today": today, **params(today), **(values or {})})
        columns = [c.name for c in cursor.description]
        stage = columns.index("stage") if "stage" in columns else None
        floor = {
            row[0]: (row[1], row[2], row[3], row[4], row[stage] if stage is not None else "")
            for row in cursor.fetchall()
        }
    return {
        sid: (portal.get(sid), floor.get(sid))
        for sid in portal.keys() | floor.keys()
        if portal.get(sid) != floor.get(sid)
    }


def main() -> None:
    """``python benchmarks/floor_sql_training.py [YYYY-MM-DD ...]``: each floor against its
    rule on the database in DATABASE_URL, on the days given (default today)."""
    import os
    import sys

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    from _setup import setup_django

    setup_django()
    import floor_sql  # noqa: F401  (merges this module's floors)

    from portal import dates

    days = [dt.date.fromisoformat(a) for a in sys.argv[1:]] or [dates.today()]
    for day in days:
        for code in VIOLATIONS:
            diff = differences(code, day)
            from portal.compliance.registry import registry

            found = sum(1 for _ in registry.get(code).evaluate(today=day))
            print(f"{day} {code:<36} rule {found:>6}  differences {len(diff)}")
            for sid, (theirs, ours) in sorted(diff.items())[:5]:
                print(f"    {sid}: rule {theirs}\n    {' ' * len(str(sid))}  floor {ours}")


if __name__ == "__main__":
    main()
