"""The floor of the sweep: hand-written, set-based SQL for some of the sweep's rules, on
PostgreSQL. Each rule's floor does the rule's whole job in a few statements: the
violations into a temporary table, the open findings whose condition is gone resolved,
the changed ones updated, the new ones inserted with their historical rows.

Rules without a hand-written floor here are measured on the portal's side only (the
table in docs/performance.md says which).
"""

from __future__ import annotations

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
                  THEN ' The agency has no working equipment yet, so the officer cannot log in.' ELSE '' END
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
VIOLATIONS |= __import__("floor_sql_training").VIOLATIONS  # the training app's rules
SUBJECT_TYPE |= __import__("floor_sql_training").SUBJECT_TYPE


def statements(code: str) -> list[str]:
    """The floor's statements for one rule, in order (psycopg2 ``%(name)s`` parameters:
    today, this_month, last_month, lapsed_before, rule, category, severity, run, type)."""
    primary = """(SELECT s.program_manager_id FROM staffing_assignment s WHERE s.agency_id = v.agency_id
                  AND s.kind = 'primary' AND s.starts_on <= %(today)s
                  AND (s.ends_on IS NULL OR s.ends_on >= %(today)s) ORDER BY s.id LIMIT 1)"""
    director = """(SELECT p.user_id FROM portal_staffprofile p WHERE p.role = 'field_office_director'
                   AND p.field_office_id = v.field_office_id ORDER BY p.user_id LIMIT 1)"""
    return [
        "DROP TABLE IF EXISTS floor_v",
        f"CREATE TEMP TABLE floor_v (subject_id, label, agency_id, field_office_id, detail) AS {VIOLATIONS[code]}",
        "ANALYZE floor_v",
        """UPDATE portal_finding f SET status = 'resolved', resolved_at = now(), resolved_by_run_id = %(run)s,
               resolution = 'Condition no longer found by the sweep.'
           WHERE f.rule = %(rule)s AND f.status IN ('open', 'acknowledged')
             AND NOT EXISTS (SELECT 1 FROM floor_v v WHERE v.subject_id = f.subject_id)""",
        """UPDATE portal_finding f SET detail = v.detail, subject_label = left(v.label, 250)
           FROM floor_v v WHERE f.rule = %(rule)s AND f.status IN ('open', 'acknowledged')
             AND f.subject_id = v.subject_id
             AND (f.detail, f.subject_label) IS DISTINCT FROM (v.detail, left(v.label, 250))""",
        f"""WITH new AS (
              INSERT INTO portal_finding (rule, category, severity, status, subject_type_id, subject_id,
                  subject_label, agency_id, field_office_id, responsible_id, detail, first_seen_at, last_seen_at,
                  opened_by_run_id, last_seen_run_id, resolution, note, stage)
              SELECT %(rule)s, %(category)s, %(severity)s, 'open', %(type)s, v.subject_id, left(v.label, 250),
                  v.agency_id, v.field_office_id, COALESCE({primary}, {director}), v.detail, now(), now(),
                  %(run)s, %(run)s, '', '', ''
              FROM floor_v v
              WHERE NOT EXISTS (SELECT 1 FROM portal_finding f WHERE f.rule = %(rule)s
                                AND f.subject_id = v.subject_id AND f.status IN ('open', 'acknowledged', 'waived'))
              RETURNING *)
            INSERT INTO portal_historicalfinding (id, rule, category, severity, status, subject_type_id,
                subject_id, subject_label, agency_id, field_office_id, responsible_id, detail, first_seen_at,
                opened_by_run_id, resolution, note, stage, history_date, history_change_reason, history_type)
            SELECT id, rule, category, severity, status, subject_type_id, subject_id, subject_label, agency_id,
                field_office_id, responsible_id, detail, first_seen_at, opened_by_run_id, resolution, note, stage,
                now(), 'Opened by the sweep.', '+'
            FROM new""",
    ]
