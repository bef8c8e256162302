"""The floor of the sweep: hand-written, set-based SQL for some of the sweep's rules, on
PostgreSQL. Each rule's floor does the rule's whole job in a few statements: the
violations into a temporary table, the open findings whose condition is gone resolved,
the changed ones updated, the new ones inserted with their historical rows and their
journal events (the audit trail the portal must keep: a finding's creation is journaled).

Rules without a hand-written floor here are measured on the portal's side only (the
table in docs/performance.md says which).
"""

from __future__ import annotations

import re

IN_FORCE = """
    SELECT a.agency_id, a.program_model, a.signed_on FROM agreements_agreement a
    WHERE (a.signed_on <= %(today)s
           OR (a.signed_on IS NULL AND a.status IN ('signed', 'suspended', 'terminated'))
           OR EXISTS (SELECT 1 FROM agreements_agreementevent e WHERE e.agreement_id = a.id
                      AND e.transition = 'renew' AND e.previous_signed_on <= %(today)s))
      AND (a.status IN ('signed', 'suspended')
           OR (a.status IN ('terminated', 'withdrawn') AND a.ended_on > %(today)s))
      AND NOT EXISTS (SELECT 1 FROM agreements_agreementsuspension s WHERE s.agreement_id = a.id
                      AND s.starts_on <= %(today)s AND (s.ends_on IS NULL OR s.ends_on > %(today)s))
      AND NOT (a.status = 'suspended' AND NOT EXISTS (
               SELECT 1 FROM agreements_agreementsuspension s WHERE s.agreement_id = a.id AND s.ends_on IS NULL))
"""

ACTIVE_ASSIGNMENT = """
    SELECT 1 FROM staffing_assignment s WHERE s.agency_id = g.id AND s.kind = %(kind)s
      AND s.starts_on <= %(today)s AND (s.ends_on IS NULL OR s.ends_on >= %(today)s)
"""

#: The office's Field Office Director (the first active one), as the sweep's default.
DIRECTOR_OF_OFFICE = """(SELECT p.user_id FROM portal_staffprofile p JOIN auth_user u ON u.id = p.user_id
    WHERE p.role = 'fod' AND u.is_active AND p.field_office_id = {office} ORDER BY p.user_id LIMIT 1)"""

AGENCY_LABEL = "g.name || ' (' || g.state || ')'"

#: rule code -> SELECT of (subject_id, label, agency_id, field_office_id, detail)
VIOLATIONS = {
    "agreements.no_primary_manager": f"""
        SELECT g.id, {AGENCY_LABEL}, g.id, g.field_office_id,
               'No primary program manager is assigned; nobody is named to sign its charging documents.'
        FROM agreements_agency g
        WHERE g.id IN (SELECT agency_id FROM ({IN_FORCE}) f)
          AND NOT EXISTS ({ACTIVE_ASSIGNMENT.replace("%(kind)s", "'primary'")})
    """,
    "staffing.primary_without_backup": f"""
        SELECT g.id, {AGENCY_LABEL}, g.id, g.field_office_id,
               'No backup program manager is named to sign while the primary is absent.'
        FROM agreements_agency g
        WHERE g.id IN (SELECT agency_id FROM ({IN_FORCE}) f)
          AND EXISTS ({ACTIVE_ASSIGNMENT.replace("%(kind)s", "'primary'")})
          AND NOT EXISTS ({ACTIVE_ASSIGNMENT.replace("%(kind)s", "'backup'")})
    """,
    "itdeploy.signed_without_installation": f"""
        SELECT g.id, {AGENCY_LABEL}, g.id, g.field_office_id,
               'A signed agreement needs a site installation, but none is open: its officers cannot log in.'
        FROM agreements_agency g
        WHERE g.id IN (SELECT agency_id FROM ({IN_FORCE}) f WHERE f.program_model IN (
                  SELECT program_model FROM itdeploy_programmodelsetting WHERE needs_installation))
          AND NOT EXISTS (SELECT 1 FROM itdeploy_installation i WHERE i.agency_id = g.id AND i.status <> 'cancelled')
    """,
    "staffing.workload_report_missing": f"""
        SELECT g.id, {AGENCY_LABEL}, g.id, g.field_office_id,
               'No workload report for ' || to_char(%(last_month)s::date, 'FMMonth YYYY') || '.'
        FROM agreements_agency g
        WHERE g.id IN (SELECT agency_id FROM ({IN_FORCE}) f WHERE f.signed_on < %(this_month)s)
          AND NOT EXISTS (SELECT 1 FROM staffing_workloadreport w WHERE w.agency_id = g.id
                          AND w.month = %(last_month)s)
    """,
    "training.card_lapsed": f"""
        SELECT o.id, o.last_name || ', ' || o.first_name || ' (' || o.officer_number || ')', o.agency_id,
               g.field_office_id,
               'No login for ' || (%(today)s::date - c.anchor) || ' days (last activity '
               || to_char(c.anchor, 'MM/DD/YYYY') || '); the card is deactivated.'
               || CASE WHEN g.equipment_operational_since IS NULL AND EXISTS (
                      SELECT 1 FROM ({IN_FORCE}) n WHERE n.agency_id = o.agency_id AND n.program_model IN (
                          SELECT program_model FROM itdeploy_programmodelsetting WHERE needs_installation))
                  AND NOT EXISTS (
                      SELECT 1 FROM ({IN_FORCE}) n WHERE n.agency_id = o.agency_id AND n.program_model NOT IN (
                          SELECT program_model FROM itdeploy_programmodelsetting WHERE needs_installation))
                  THEN ' The agency has no working equipment yet, so the officer cannot log in.' ELSE '' END,
               'card lapsed' AS stage
        FROM training_officer o JOIN agreements_agency g ON g.id = o.agency_id
        CROSS JOIN LATERAL (SELECT GREATEST(o.card_last_login_on, o.card_reactivated_on, o.certified_on) AS anchor) c
        WHERE o.status = 'certified'
          AND o.agency_id IN (SELECT agency_id FROM ({IN_FORCE}) f)
          AND ((o.card_deactivated_on IS NOT NULL AND o.card_deactivated_on <= %(today)s)
               OR GREATEST(o.card_last_login_on, o.card_reactivated_on, o.certified_on) < %(lapsed_before)s)
    """,
}

SUBJECT_TYPE = {
    "agreements.no_primary_manager": ("agreements", "agency"),
    "staffing.primary_without_backup": ("agreements", "agency"),
    "itdeploy.signed_without_installation": ("agreements", "agency"),
    "staffing.workload_report_missing": ("agreements", "agency"),
    "training.card_lapsed": ("training", "officer"),
}
import floor_sql_programme as programme  # noqa: E402 (the agreements, itdeploy and staffing rules' floors)
import floor_sql_training as training  # noqa: E402 (the training app's rules)

for _module in (programme, training):
    VIOLATIONS.update(_module.VIOLATIONS)
    SUBJECT_TYPE.update(_module.SUBJECT_TYPE)


def _pair(name: str, value: str, nullable: bool = False) -> str:
    pair = f"'{name}', jsonb_build_array(NULL, {value})"
    return (
        f"'{name}', CASE WHEN {value} IS NULL THEN NULL ELSE jsonb_build_array(NULL, {value}) END" if nullable else pair
    )


#: The journal's "created" changes of a new finding: [null, value] of every field set
#: (the portal's audit trail: each write keeps what before and after, and who and why).
JOURNAL_CREATED = (
    "jsonb_strip_nulls(jsonb_build_object("
    + ", ".join(
        [
            _pair("rule", "rule"),
            _pair("category", "category"),
            _pair("severity", "severity"),
            _pair("status", "status"),
            _pair("subject_type", "subject_type_id::text"),
            _pair("subject_id", "subject_id::text"),
            _pair("subject_label", "subject_label"),
            _pair("agency", "agency_id::text", True),
            _pair("field_office", "field_office_id::text", True),
            _pair("responsible", "responsible_id::text", True),
            _pair("detail", "detail"),
            _pair(
                "first_seen_at", """to_char(first_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
            ),
            _pair("opened_by_run", "opened_by_run_id::text"),
            _pair("resolution", "resolution"),
            _pair("note", "note"),
            _pair("stage", "stage"),
        ]
    )
    + "))"
)


def statements(code: str) -> list[str]:
    """The floor's statements for one rule, in order (psycopg2 ``%(name)s`` parameters:
    today, this_month, last_month, lapsed_before, rule, category, severity, run, type,
    and for the journal finding_type, actor_label, request_id). The last inserts the new
    findings with their historical rows and their journal events in one statement."""
    primary = """(SELECT s.program_manager_id FROM staffing_assignment s WHERE s.agency_id = v.agency_id
                  AND s.kind = 'primary' AND s.starts_on <= %(today)s
                  AND (s.ends_on IS NULL OR s.ends_on >= %(today)s) ORDER BY s.starts_on DESC, s.id LIMIT 1)"""
    director = DIRECTOR_OF_OFFICE.format(office="v.field_office_id")
    # A floor may name, after the five columns, the rule's own responsible person,
    # severity and stage (``... AS responsible_id``); NULL there means the default.
    extra = set(re.findall(r"\bAS (responsible_id|severity|stage)\b", VIOLATIONS[code]))
    responsible = (
        f"COALESCE(v.responsible_id, {primary}, {director})"
        if "responsible_id" in extra
        else (f"COALESCE({primary}, {director})")
    )
    severity = "COALESCE(v.severity, %(severity)s)" if "severity" in extra else "%(severity)s"
    stage = "COALESCE(v.stage, '')" if "stage" in extra else "''"
    compared = ["detail", "subject_label"] + sorted(extra & {"responsible_id", "severity"})
    new_values = {
        "detail": "v.detail",
        "subject_label": "left(v.label, 250)",
        "responsible_id": responsible,
        "severity": severity,
    }
    set_changed = ", ".join(f"{column} = {new_values[column]}" for column in compared)
    if "stage" in extra:  # a changed stage is recorded with its time and run, as the sweep does
        compared.append("stage")
        new_values["stage"] = stage
        set_changed += (
            f", stage = {stage}, stage_changed_at = CASE WHEN f.stage IS DISTINCT FROM {stage} THEN now()"
            " ELSE f.stage_changed_at END, stage_changed_run_id = CASE WHEN f.stage IS DISTINCT FROM"
            f" {stage} THEN %(run)s ELSE f.stage_changed_run_id END"
        )
    old_tuple = ", ".join(f"f.{column}" for column in compared)
    new_tuple = ", ".join(new_values[column] for column in compared)
    return [
        "DROP TABLE IF EXISTS floor_v",
        f"CREATE TEMP TABLE floor_v (subject_id, label, agency_id, field_office_id, detail) AS {VIOLATIONS[code]}",
        "ANALYZE floor_v",
        """UPDATE portal_finding f SET status = 'resolved', resolved_at = now(), resolved_by_run_id = %(run)s,
               resolution = 'Condition no longer found by the sweep.'
           WHERE f.rule = %(rule)s AND f.status IN ('open', 'acknowledged')
             AND NOT EXISTS (SELECT 1 FROM floor_v v WHERE v.subject_id = f.subject_id)""",
        f"""UPDATE portal_finding f SET {set_changed}
           FROM floor_v v WHERE f.rule = %(rule)s AND f.status IN ('open', 'acknowledged')
             AND f.subject_id = v.subject_id
             AND ({old_tuple}) IS DISTINCT FROM ({new_tuple})""",
        f"""WITH new AS (
              INSERT INTO portal_finding (rule, category, severity, status, subject_type_id, subject_id,
                  subject_label, agency_id, field_office_id, responsible_id, detail, first_seen_at, last_seen_at,
                  opened_by_run_id, last_seen_run_id, resolution, note, stage)
              SELECT %(rule)s, %(category)s, {severity}, 'open', %(type)s, v.subject_id, left(v.label, 250),
                  v.agency_id, v.field_office_id, {responsible}, v.detail, now(), now(),
                  %(run)s, %(run)s, '', '', {stage}
              FROM floor_v v
              WHERE NOT EXISTS (SELECT 1 FROM portal_finding f WHERE f.rule = %(rule)s
                                AND f.subject_id = v.subject_id AND f.status IN ('open', 'acknowledged', 'waived'))
              RETURNING *),
            hist AS (
              INSERT INTO portal_historicalfinding (id, rule, category, severity, status, subject_type_id,
                  subject_id, subject_label, agency_id, field_office_id, responsible_id, detail, first_seen_at,
                  opened_by_run_id, resolution, note, stage, history_date, history_change_reason, history_type)
              SELECT id, rule, category, severity, status, subject_type_id, subject_id, subject_label, agency_id,
                  field_office_id, responsible_id, detail, first_seen_at, opened_by_run_id, resolution, note, stage,
                  now(), 'Opened by the sweep.', '+'
              FROM new)
            INSERT INTO portal_auditevent (occurred_at, actor_label, request_id, channel, action, content_type_id,
                object_id, object_label, agency_id, changes, reason, path)
            SELECT now(), %(actor_label)s, %(request_id)s, 'sweep', 'create', %(finding_type)s, id::text,
                left(rule || ': ' || subject_label, 250), agency_id, {JOURNAL_CREATED}, 'Opened by the sweep.', ''
            FROM new""",
    ]
