"""The floor of the programme's sweep rules (agreements, IT installations, staffing):
hand-written, set-based SQL for the nine rules of those apps that ``floor_sql.py`` does
not cover, merged into ``floor_sql.VIOLATIONS`` and ``floor_sql.SUBJECT_TYPE``.

Each entry is a SELECT of ``(subject_id, label, agency_id, field_office_id, detail)``,
the shape of ``floor_sql.VIOLATIONS``, with the psycopg2 parameters ``today``,
``this_month``, ``last_month`` and ``lapsed_before`` of the benchmark (every setting a
rule reads is read in the SQL itself, from the same row the rule reads). A floor does
the rule's whole job: the same subjects, labels and details byte for byte.

Extra columns, after the five (``CREATE TABLE floor_v (...5 names...) AS <select>``
names the first five and keeps the query's names for the rest), by name:

- ``responsible_id``: the person the rule itself names responsible for the finding.
  NULL means what the sweep does when a rule names nobody: the default, the agency's
  primary program manager, else the office's Field Office Director (the default
  ``statements()`` computes). Written by every rule here that names someone:
  ``agreements.review_overdue``, ``agreements.not_on_ice_list`` and
  ``agreements.onboarding_unfinished`` (the Unit Chief), ``itdeploy.step_breached``
  (the step's responsible person), ``staffing.manager_above_model_load`` (the
  administrative, else the program supervisor) and
  ``staffing.primary_absent_without_backup`` (the primary's administrative
  supervisor, else the office's director).
- ``severity``: the finding's severity when the rule sets it per violation (NULL: the
  rule's own). Only ``staffing.manager_above_model_load`` (high above 150% or with no
  time left, else warning).

No rule here sets a stage. ``itdeploy.forecast_misses_goal`` reads the stored forecast
(``itdeploy_siteforecast`` of the latest ``itdeploy_forecastrun``), as the rule does:
computing the forecast (the installer queue's simulation) is no SQL job; the benchmark
runs on a day whose forecast is stored.
"""

from __future__ import annotations

from floor_sql import AGENCY_LABEL, DIRECTOR_OF_OFFICE, IN_FORCE

#: The models' names (``agreements.choices.ProgramModel``), as labels show them.
MODEL_NAME = """CASE a.program_model WHEN 'jem' THEN 'Jail Enforcement Model'
    WHEN 'tfm' THEN 'Task Force Model' WHEN 'wso' THEN 'Warrant Service Officer' ELSE a.program_model END"""

#: ``agreements.rules.hq_owner_id``: the first active Unit Chief.
HQ_OWNER = """(SELECT p.user_id FROM portal_staffprofile p JOIN auth_user u ON u.id = p.user_id
    WHERE p.role = 'unit_chief' AND u.is_active ORDER BY p.user_id LIMIT 1)"""

NEEDING_SITE = "SELECT program_model FROM itdeploy_programmodelsetting WHERE needs_installation"

#: ``itdeploy.rules._site_in_force`` for an installation ``i``.
SITE_IN_FORCE = f"""EXISTS (SELECT 1 FROM ({IN_FORCE}) n WHERE n.agency_id = i.agency_id
    AND n.program_model IN ({NEEDING_SITE}))"""


def day(expr: str) -> str:
    """A date as the pages show it (``settings.DATE_FORMAT``: 03/16/2025)."""
    return f"to_char({expr}, 'MM/DD/YYYY')"


def active(alias: str) -> str:
    """A dated row (assignment, reporting line, other duty) active on ``today``."""
    return f"{alias}.starts_on <= %(today)s AND ({alias}.ends_on IS NULL OR {alias}.ends_on >= %(today)s)"


#: ``get_full_name() or username``.
USER_LABEL = "COALESCE(NULLIF(btrim(u.first_name || ' ' || u.last_name), ''), u.username)"

#: ``current_lines``: each manager's current line of each kind (the latest started).
CURRENT_LINES = f"""SELECT DISTINCT ON (r.manager_id, r.kind) r.manager_id, r.kind, r.supervisor_id
    FROM staffing_reportingline r WHERE {active("r")}
    ORDER BY r.manager_id, r.kind, r.starts_on DESC"""

#: ``staffing.rules._directors_by_office``: each office's first active director.
#: The first day of ``today``'s fiscal year (1 October).
FY_START = "(date_trunc('year', %(today)s::date + interval '3 months') - interval '3 months')::date"

#: ``training.selectors.certified_officers_by_agency``: officers certified and able to act
#: (certified by today, an agreement of the agency in force, the site's equipment working
#: when every agreement in force needs the site, the card not lapsed), per agency.
OFFICERS_ABLE = """
    SELECT o.agency_id, count(*) AS n
    FROM training_officer o JOIN agreements_agency g ON g.id = o.agency_id
    WHERE o.status = 'certified' AND o.certified_on <= %(today)s
      AND o.agency_id IN (SELECT agency_id FROM inf)
      AND (NOT (EXISTS (SELECT 1 FROM inf WHERE inf.agency_id = o.agency_id AND inf.needs)
                AND NOT EXISTS (SELECT 1 FROM inf WHERE inf.agency_id = o.agency_id AND NOT inf.needs))
           OR (g.equipment_operational_since IS NOT NULL AND g.equipment_operational_since <= %(today)s))
      AND NOT ((o.card_deactivated_on IS NOT NULL AND o.card_deactivated_on <= %(today)s)
               OR GREATEST(COALESCE(o.card_last_login_on, '1900-01-01'), COALESCE(o.card_reactivated_on, '1900-01-01'),
                           COALESCE(o.certified_on, '1900-01-01')) < %(lapsed_before)s)
    GROUP BY o.agency_id
"""

#: rule code -> SELECT of (subject_id, label, agency_id, field_office_id, detail[, responsible_id][, severity])
VIOLATIONS = {
    "agreements.review_overdue": f"""
        SELECT a.id, g.name || ' (' || g.state || '): ' || {MODEL_NAME}, g.id, g.field_office_id,
               'Pending since ' || {day("c.clock")} || ': ' || (%(today)s::date - c.clock) || ' days, over the limit of '
               || s.review_days_limit || '.',
               {HQ_OWNER} AS responsible_id
        FROM agreements_agreement a JOIN agreements_agency g ON g.id = a.agency_id
        CROSS JOIN LATERAL (SELECT COALESCE(a.applied_on, a.pending_listed_on) AS clock) c
        CROSS JOIN (SELECT review_days_limit FROM agreements_agreementsettings WHERE id = 1) s
        WHERE a.status IN ('application_received', 'under_review', 'approved')
          AND c.clock < %(today)s::date - s.review_days_limit
    """,
    "agreements.not_on_ice_list": f"""
        SELECT a.id, g.name || ' (' || g.state || '): ' || {MODEL_NAME}, g.id, g.field_office_id,
               'Not on ICE''s list since ' || {day("a.not_listed_since")} || '; HQ to confirm whether it ended.',
               {HQ_OWNER} AS responsible_id
        FROM agreements_agreement a JOIN agreements_agency g ON g.id = a.agency_id
        WHERE a.not_listed_since IS NOT NULL
          AND a.status IN ('signed', 'suspended', 'application_received', 'under_review', 'approved')
    """,
    # One finding per edition: the agencies of its onboarding queue within the grace
    # period and what they lack, in the order the queue first shows each lack (the queue
    # ordered by office, state and agency name; each entry's lacks in a fixed order).
    "agreements.onboarding_unfinished": f"""
        WITH s AS (SELECT onboarding_grace_days AS grace FROM agreements_agreementsettings WHERE id = 1),
        q AS (
            SELECT e.edition_id, e.entered_on,
                   row_number() OVER (ORDER BY fo.name, g.state, g.name) AS pos,
                   NOT g.field_office_confirmed AS no_office,
                   NOT EXISTS (SELECT 1 FROM staffing_assignment a WHERE a.agency_id = e.agency_id
                               AND a.kind = 'primary' AND {active("a")}) AS no_primary,
                   NOT EXISTS (SELECT 1 FROM staffing_assignment a WHERE a.agency_id = e.agency_id
                               AND a.kind = 'backup' AND {active("a")}) AS no_backup,
                   e.installation_decision = '' AS no_decision
            FROM agreements_onboardingentry e JOIN agreements_agency g ON g.id = e.agency_id
            JOIN agreements_fieldoffice fo ON fo.id = g.field_office_id
            WHERE e.completed_on IS NULL AND e.entered_on >= %(today)s::date - (SELECT grace FROM s)
        ),
        lacks AS (
            SELECT q.edition_id, l.n AS idx, l.what, count(*) AS entries, min(q.pos) AS first
            FROM q CROSS JOIN LATERAL (VALUES (1, 'field office to confirm', q.no_office),
                                              (2, 'primary program manager', q.no_primary),
                                              (3, 'backup program manager', q.no_backup),
                                              (4, 'installation decision', q.no_decision)) l(n, what, lacking)
            WHERE l.lacking AND q.edition_id IS NOT NULL
            GROUP BY q.edition_id, l.n, l.what
        )
        SELECT ed.id, 'Onboarding of ICE''s list as of ' || COALESCE({day("ed.as_of")}, ''), NULL::integer,
               NULL::integer,
               w.entries || ' agenc' || CASE WHEN w.entries = 1 THEN 'y' ELSE 'ies' END
               || ' in the onboarding queue (' || COALESCE((
                   SELECT string_agg(CASE WHEN l.idx = 1 THEN l.entries || ' with the ' || l.what
                                          ELSE l.entries || ' without ' || l.what END, ', ' ORDER BY l.first, l.idx)
                   FROM lacks l WHERE l.edition_id = ed.id), 'ready to close')
               || '); grace period until ' || {day("w.starts + (SELECT grace FROM s)")} || '.',
               {HQ_OWNER} AS responsible_id
        FROM (SELECT edition_id, count(*) AS entries, min(entered_on) AS starts FROM q
              WHERE edition_id IS NOT NULL GROUP BY edition_id) w
        JOIN agreements_iceimport ed ON ed.id = w.edition_id
    """,
    "itdeploy.past_goal": f"""
        WITH s AS (SELECT goal_days AS goal FROM itdeploy_installationsettings WHERE id = 1),
        c AS (
            SELECT i.id, i.agency_id, i.moa_signed_on,
                   (SELECT COALESCE(sum(GREATEST(0, LEAST(COALESCE(p.ended_on, %(today)s), %(today)s)
                                                   - GREATEST(p.started_on, i.moa_signed_on))), 0)
                    FROM itdeploy_installationpause p WHERE p.installation_id = i.id)::integer AS paused
            FROM itdeploy_installation i
            WHERE i.status = 'in_progress' AND i.moa_signed_on < %(today)s::date - (SELECT goal FROM s)
              AND {SITE_IN_FORCE}
        )
        SELECT c.id, 'Installation at ' || {AGENCY_LABEL}, g.id, g.field_office_id,
               (%(today)s::date - c.moa_signed_on - c.paused) || ' days since the MOA signature ('
               || {day("c.moa_signed_on")} || ')'
               || CASE WHEN c.paused > 0 THEN ' (' || c.paused || ' suspended days not counted)' ELSE '' END
               || ', goal ' || (SELECT goal FROM s) || ': not operational.'
        FROM c JOIN agreements_agency g ON g.id = c.agency_id
        WHERE %(today)s::date - c.moa_signed_on - c.paused > (SELECT goal FROM s)
    """,
    "itdeploy.step_breached": f"""
        WITH c AS (
            SELECT st.id, st.number, st.name, st.planned_days, st.started_on, st.responsible_id, i.agency_id,
                   (SELECT COALESCE(sum(GREATEST(0, LEAST(COALESCE(p.ended_on, %(today)s), %(today)s)
                                                   - GREATEST(p.started_on, st.started_on))), 0)
                    FROM itdeploy_steppause p WHERE p.step_id = st.id)::integer AS paused
            FROM itdeploy_installationstep st JOIN itdeploy_installation i ON i.id = st.installation_id
            WHERE i.status = 'in_progress' AND {SITE_IN_FORCE}
              AND st.started_on IS NOT NULL AND st.completed_on IS NULL
        )
        SELECT c.id, g.name || ': step ' || c.number || ', ' || c.name, g.id, g.field_office_id,
               'Started ' || {day("c.started_on")} || ', ' || (%(today)s::date - c.started_on - c.paused)
               || ' working days used of ' || c.planned_days || ' planned (' || c.paused || ' paused); due '
               || {day("c.started_on + c.planned_days + c.paused")} || '.',
               c.responsible_id AS responsible_id
        FROM c JOIN agreements_agency g ON g.id = c.agency_id
        WHERE %(today)s::date - c.started_on - c.paused > c.planned_days
    """,
    "itdeploy.forecast_misses_goal": f"""
        WITH s AS (SELECT goal_days AS goal FROM itdeploy_installationsettings WHERE id = 1),
        c AS (
            SELECT i.id, i.agency_id, i.moa_signed_on + (SELECT goal FROM s) + (
                       SELECT COALESCE(sum(GREATEST(0,
                                  LEAST(COALESCE(p.ended_on, i.until), i.until) - GREATEST(p.started_on, i.moa_signed_on))), 0)
                       FROM itdeploy_installationpause p WHERE p.installation_id = i.id)::integer AS deadline,
                   (f.expected ->> 'operational_on')::date AS projected
            FROM (SELECT *, COALESCE(operational_on, cancelled_on, %(today)s) AS until FROM itdeploy_installation
                  WHERE status = 'in_progress') i
            JOIN itdeploy_siteforecast f ON f.installation_id = i.id
                 AND f.run_id = (SELECT max(id) FROM itdeploy_forecastrun)
            WHERE {SITE_IN_FORCE}
        )
        SELECT c.id, 'Installation at ' || {AGENCY_LABEL}, g.id, g.field_office_id,
               'Goal ' || {day("c.deadline")} || ' (' || (SELECT goal FROM s) || ' days from the MOA); '
               || COALESCE('forecast operational ' || {day("c.projected")}, 'no installer is available to finish it')
               || '.'
        FROM c JOIN agreements_agency g ON g.id = c.agency_id
        WHERE c.deadline >= %(today)s AND (c.projected IS NULL OR c.projected > c.deadline)
    """,
    # ``staffing.figures.compute`` for the managers: the agencies each is primary for,
    # their able officers and cases a fiscal year (the current one annualised from its
    # full months, else the last one's), summed in agency order as the figures do, so the
    # floating-point sums are the same to the bit.
    "staffing.manager_above_model_load": f"""
        WITH inf AS (SELECT f.agency_id, f.program_model IN ({NEEDING_SITE}) AS needs FROM ({IN_FORCE}) f),
        primaries AS (
            SELECT DISTINCT ON (a.agency_id) a.agency_id, a.program_manager_id AS manager_id
            FROM staffing_assignment a WHERE a.kind = 'primary' AND {active("a")}
            ORDER BY a.agency_id, a.starts_on DESC
        ),
        officers AS ({OFFICERS_ABLE}),
        fy AS (
            SELECT w.agency_id,
                   sum(w.charging_documents_prepared) FILTER (WHERE w.month >= {FY_START}) AS cur,
                   count(*) FILTER (WHERE w.month >= {FY_START}) AS cur_months,
                   sum(w.charging_documents_prepared) FILTER (WHERE w.month < {FY_START}) AS last,
                   count(*) FILTER (WHERE w.month < {FY_START}) AS last_months
            FROM staffing_workloadreport w
            WHERE w.month >= ({FY_START} - interval '1 year')::date AND w.month < %(this_month)s
            GROUP BY w.agency_id
        ),
        duty AS (
            SELECT d.manager_id, LEAST(100, sum(d.share_percent)) AS share
            FROM staffing_otherduty d WHERE {active("d")} GROUP BY d.manager_id
        ),
        m AS (
            SELECT u.id, {USER_LABEL} AS label, p.field_office_id, COALESCE(duty.share, 0) AS share,
                   (100 - COALESCE(duty.share, 0))::float8 / 100 AS assigned,
                   count(pr.agency_id) AS agencies, COALESCE(sum(o.n), 0) AS officers,
                   COALESCE(sum(CASE WHEN fy.cur_months > 0 THEN (fy.cur * 12)::float8 / fy.cur_months
                                     WHEN fy.last_months > 0 THEN (fy.last * 12)::float8 / fy.last_months
                                     ELSE 0 END ORDER BY pr.agency_id), 0)::float8 AS cases
            FROM auth_user u JOIN portal_staffprofile p ON p.user_id = u.id
            LEFT JOIN duty ON duty.manager_id = u.id
            LEFT JOIN primaries pr ON pr.manager_id = u.id
            LEFT JOIN officers o ON o.agency_id = pr.agency_id
            LEFT JOIN fy ON fy.agency_id = pr.agency_id
            WHERE u.is_active AND p.role = 'field_pm'
            GROUP BY u.id, p.field_office_id, duty.share
        ),
        r AS (
            SELECT m.*, GREATEST(m.officers::float8 / sm.officers_per_pm, m.cases / sm.cases_per_pm_per_fy) AS required
            FROM m CROSS JOIN (SELECT * FROM staffing_staffingmodel WHERE id = 1) sm
        ),
        l AS (SELECT r.*, CASE WHEN r.assigned > 0 THEN r.required / r.assigned
                               WHEN r.required > 0 THEN NULL ELSE 0 END AS load FROM r)
        SELECT l.id, l.label, NULL::integer, l.field_office_id,
               CASE WHEN l.load IS NULL THEN 'no 287(g) time left (other duties take 100%%)'
                    ELSE 'load ' || round(l.load * 100)::bigint || '%%' END
               || ': ' || l.agencies || ' agencies, ' || l.officers || ' certified officers, '
               || to_char(round(l.cases), 'FM999,999,999,999,990') || ' cases a year need '
               || to_char(l.required, 'FM999999999990.00') || ' program managers; assigned '
               || to_char(l.assigned, 'FM990.00') || ' (other duties ' || l.share || '%%).',
               (SELECT c.supervisor_id FROM ({CURRENT_LINES}) c WHERE c.manager_id = l.id
                ORDER BY c.kind = 'administrative' DESC LIMIT 1) AS responsible_id,
               CASE WHEN l.load IS NULL OR l.load > 1.5 THEN 'high' ELSE 'warning' END AS severity
        FROM l WHERE l.load IS NULL OR l.load > 1
    """,
    "staffing.primary_absent_without_backup": f"""
        WITH absent AS (SELECT DISTINCT b.manager_id FROM staffing_absence b
                        WHERE b.starts_on <= %(today)s AND b.ends_on >= %(today)s)
        SELECT g.id, {AGENCY_LABEL}, g.id, g.field_office_id,
               'The primary program manager is absent today and no backup is present: nobody can sign charging documents.',
               COALESCE(
                   (SELECT l.supervisor_id FROM staffing_reportingline l
                    WHERE l.kind = 'administrative' AND {active("l")} AND l.manager_id = (
                        SELECT a.program_manager_id FROM staffing_assignment a WHERE a.agency_id = g.id
                          AND a.kind = 'primary' AND {active("a")} ORDER BY a.starts_on DESC LIMIT 1)
                    ORDER BY l.starts_on DESC LIMIT 1),
                   {DIRECTOR_OF_OFFICE.format(office="g.field_office_id")}) AS responsible_id
        FROM agreements_agency g
        WHERE g.id IN (SELECT agency_id FROM ({IN_FORCE}) f)
          AND EXISTS (SELECT 1 FROM staffing_assignment a WHERE a.agency_id = g.id AND a.kind = 'primary'
                      AND {active("a")} AND a.program_manager_id IN (SELECT manager_id FROM absent))
          AND NOT EXISTS (SELECT 1 FROM staffing_assignment a WHERE a.agency_id = g.id AND a.kind = 'backup'
                          AND {active("a")} AND a.program_manager_id NOT IN (SELECT manager_id FROM absent))
    """,
    "staffing.manager_without_supervisor": f"""
        SELECT u.id, {USER_LABEL}, NULL::integer, p.field_office_id,
               'No current ' || concat_ws(' and no current ',
                   CASE WHEN NOT x.has_program THEN 'program supervisor (National PM or Unit Chief)' END,
                   CASE WHEN NOT x.has_admin THEN 'administrative supervisor (Field Office Director)' END) || '.'
        FROM auth_user u JOIN portal_staffprofile p ON p.user_id = u.id
        CROSS JOIN LATERAL (
            SELECT EXISTS (SELECT 1 FROM staffing_reportingline l WHERE l.manager_id = u.id
                           AND l.kind = 'program' AND {active("l")}) AS has_program,
                   EXISTS (SELECT 1 FROM staffing_reportingline l WHERE l.manager_id = u.id
                           AND l.kind = 'administrative' AND {active("l")}) AS has_admin) x
        WHERE u.is_active AND p.role = 'field_pm' AND NOT (x.has_program AND x.has_admin)
    """,
}

SUBJECT_TYPE = {
    "agreements.review_overdue": ("agreements", "agreement"),
    "agreements.not_on_ice_list": ("agreements", "agreement"),
    "agreements.onboarding_unfinished": ("agreements", "iceimport"),
    "itdeploy.past_goal": ("itdeploy", "installation"),
    "itdeploy.step_breached": ("itdeploy", "installationstep"),
    "itdeploy.forecast_misses_goal": ("itdeploy", "installation"),
    "staffing.manager_above_model_load": ("auth", "user"),
    "staffing.primary_absent_without_backup": ("agreements", "agency"),
    "staffing.manager_without_supervisor": ("auth", "user"),
}
