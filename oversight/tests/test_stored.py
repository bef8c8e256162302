"""The stored national figures (``oversight.stored``) against the live computation: the
officers' standing per agency and the staffing model per field office equal what the
officers' own methods and ``staffing.figures.compute`` say, on varied data and after
each kind of change the figures read, and a change is visible on the next request."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine

from oversight.dashboard import DashboardFilters, dashboard
from oversight.models import AgencyStanding, OfficeStaffing, StoredFiguresRun
from oversight.readiness import site_readiness
from oversight.stored import STAFFING, STANDING, current_run

from .conftest import NOW, TODAY

FIELDS = ("certified", "able", "recertified", "lapsed", "missing")


def live_standing(today: dt.date) -> dict[int, dict]:
    """Per agency, counted officer by officer with the officer's own methods (the
    officer page's words), not with the stored figures' grouped query."""
    from training.choices import CardState, OfficerStatus, RecertificationStatus, SuspensionCause
    from training.models import Officer

    found: dict[int, Counter] = {}
    for officer in Officer.objects.with_standing(today):
        c = found.setdefault(officer.agency_id, Counter())
        certified = officer.status == OfficerStatus.CERTIFIED
        recertification = officer.recertification_status()
        c["certified"] += certified
        c["able"] += officer.can_act()
        c["recertified"] += certified and recertification == RecertificationStatus.COMPLETE
        c["lapsed"] += certified and officer.card_state() == CardState.LAPSED
        c["missing"] += (certified and recertification == RecertificationStatus.OVERDUE) or (
            officer.status == OfficerStatus.SUSPENDED and officer.suspension_cause == SuspensionCause.RECERTIFICATION
        )
    return {k: {f: int(v[f]) for f in FIELDS} for k, v in found.items() if any(v.values())}


def stored_standing(today: dt.date) -> dict[int, dict]:
    rows = AgencyStanding.objects.filter(run=current_run(STANDING, today)).values("agency_id", *FIELDS)
    return {r.pop("agency_id"): r for r in rows if any(r[f] for f in FIELDS)}


def assert_stored_equals_live(chief, today: dt.date = TODAY):
    from staffing import figures

    live = live_standing(today)
    assert stored_standing(today) == live
    officers = dashboard(chief, DashboardFilters(), today)["officers"]
    total = {f: sum(row[f] for row in live.values()) for f in FIELDS}
    assert (officers["certified"], officers["able_to_act"], officers["recertified"], officers["cards_lapsed"]) == (
        total["certified"],
        total["able"],
        total["recertified"],
        total["lapsed"],
    )
    for site in site_readiness(chief, today=today):
        row = live.get(site.agency_id, dict.fromkeys(FIELDS, 0))
        assert (site.officers_certified, site.officers_able, site.cards_lapsed, site.recertification_missing) == (
            row["certified"],
            row["able"],
            row["lapsed"],
            row["missing"],
        )
    computed = figures.compute(today)
    stored = {
        r.field_office_id: (r.required, r.assigned)
        for r in OfficeStaffing.objects.filter(run=current_run(STAFFING, today))
    }
    assert stored == {
        None: (computed.nation.required, computed.nation.assigned),
        **{o.key: (o.required, o.assigned) for o in computed.offices},
    }


@pytest.fixture
def varied(program, people, offices):
    """Beyond the program's five officers: a nominated one, one certified later than
    today, one overdue for last fiscal year's recertification, one with a deactivated
    card, one whose agency's agreement is suspended, one under a Task Force agreement."""
    from training.choices import OfficerStatus
    from training.tests.factories import OfficerFactory

    recent = TODAY - dt.timedelta(days=3)
    OfficerFactory(agency=program["mine"], status=OfficerStatus.NOMINATED, certified_on=None)
    OfficerFactory(agency=program["mine"], certified_on=TODAY + dt.timedelta(days=10), card_last_login_on=recent)
    OfficerFactory(agency=program["houston_other"], certified_on=dt.date(2015, 5, 1), card_last_login_on=recent)
    OfficerFactory(agency=program["houston_other"], card_last_login_on=recent, card_deactivated_on=TODAY)
    OfficerFactory(agency=program["suspended"], card_last_login_on=recent)
    OfficerFactory(agency=program["task_force"], card_last_login_on=recent)
    return program


def test_stored_figures_equal_the_live_computation_on_varied_data(varied, people):
    assert_stored_equals_live(people["chief"])
    assert StoredFiguresRun.objects.filter(kind=STANDING).count() == 1


def test_stored_figures_follow_each_kind_of_change(varied, people):
    from agreements.choices import AgreementStatus
    from agreements.models import Agreement
    from itdeploy.models import ProgramModelSetting
    from staffing.tests.factories import OtherDutyFactory, WorkloadReportFactory
    from training.choices import OfficerStatus, SuspensionCause
    from training.models import CardLogin, Course, TrainingSettings, Waiver
    from training.tests.factories import OfficerFactory, recertify

    chief = people["chief"]
    officers = varied["officers"]
    assert_stored_equals_live(chief)

    # An officer: a new one, a status change, a deletion.
    OfficerFactory(agency=varied["miami"], card_last_login_on=TODAY)
    assert_stored_equals_live(chief)
    galveston = officers["galveston"]
    galveston.status, galveston.suspended_on = OfficerStatus.SUSPENDED, TODAY
    galveston.suspension_cause = SuspensionCause.RECERTIFICATION
    galveston.save()
    assert_stored_equals_live(chief)

    # A card login brings a lapsed card back.
    lapsed = officers["lapsed"]
    CardLogin.objects.create(officer=lapsed, logged_in_at=NOW)
    lapsed.card_last_login_on = TODAY
    lapsed.save(update_fields=["card_last_login_on"])
    assert_stored_equals_live(chief)

    # A completion: this fiscal year's recertification.
    recertify(officers["active"], dt.date(2018, 3, 1))
    assert_stored_equals_live(chief)

    # A waiver, a retired course.
    Waiver.objects.create(
        officer=officers["active"],
        fiscal_year=2018,
        reason="Deployed",
        expires_on=TODAY + dt.timedelta(days=30),
        granted_by=chief,
        granted_on=TODAY,
    )
    assert_stored_equals_live(chief)
    palms = Course.objects.filter(kind="palms").order_by("pk").first()
    palms.retired_on = TODAY
    palms.retirement_waiver = "Replaced by the new module"
    palms.save()
    assert_stored_equals_live(chief)

    # An agreement suspended; equipment no longer operational; a model no longer needing a site.
    agreement = Agreement.objects.get(agency=varied["houston_other"])
    agreement.status = AgreementStatus.SUSPENDED
    agreement.save()
    assert_stored_equals_live(chief)
    mine = varied["mine"]
    mine.equipment_operational_since = None
    mine.save()
    assert_stored_equals_live(chief)
    setting = ProgramModelSetting.objects.get(program_model="jem")
    setting.needs_installation = False
    setting.save()
    assert_stored_equals_live(chief)

    # The Unit Chief's grace period.
    settings_row = TrainingSettings.current()
    settings_row.card_lapsed_after_days = 2
    settings_row.save()
    assert_stored_equals_live(chief)

    # Staffing: a workload report, another duty.
    WorkloadReportFactory(agency=varied["task_force"], month=dt.date(2018, 2, 1), charging_documents_prepared=9000)
    assert_stored_equals_live(chief)
    OtherDutyFactory(manager=people["pm"], share_percent=50, starts_on=dt.date(2018, 1, 1))
    assert_stored_equals_live(chief)

    # The day: forty days on, cards not used since lapse.
    with time_machine.travel(NOW + dt.timedelta(days=40), tick=False):
        assert_stored_equals_live(chief, TODAY + dt.timedelta(days=40))
    assert StoredFiguresRun.objects.filter(kind=STANDING).count() == 1  # older runs are deleted


def test_a_stored_run_is_read_until_an_input_moves(program, people):
    from training.tests.factories import OfficerFactory

    first = current_run(STANDING, TODAY)
    assert current_run(STANDING, TODAY).pk == first.pk
    OfficerFactory(agency=program["mine"], card_last_login_on=TODAY)
    assert current_run(STANDING, TODAY).pk != first.pk


def test_a_change_is_visible_on_the_next_request(program, people, client):
    from training.tests.factories import OfficerFactory

    client.force_login(people["chief"])
    before = client.get("/api/v1/dashboard/").json()["officers"]
    ready = {r["agency"]: r for r in client.get("/api/v1/readiness/").json()["results"]}
    assert ready[program["task_force"].pk]["officers_able_to_act"] == 0
    OfficerFactory(agency=program["task_force"], card_last_login_on=TODAY)
    after = client.get("/api/v1/dashboard/").json()["officers"]
    assert after["certified"] == before["certified"] + 1
    assert after["able_to_act"] == before["able_to_act"] + 1
    ready = {r["agency"]: r for r in client.get("/api/v1/readiness/").json()["results"]}
    assert ready[program["task_force"].pk]["officers_able_to_act"] == 1
    page = client.get("/dashboard/")
    assert page.context["figures"]["officers"]["certified"] == after["certified"]


def test_stored_rows_follow_the_readers_scope(program, people):
    # The field office director sees Houston's officers only, the Miami manager Collier's.
    assert dashboard(people["fod"])["officers"]["certified"] == 4
    assert dashboard(people["pm_miami"])["officers"]["certified"] == 0
    assert dashboard(people["ocio"])["officers"]["certified"] == 0
    assert dashboard(people["fod"])["managers"] == dashboard(
        people["chief"], DashboardFilters(field_office=program["mine"].field_office)
    )["managers"] | {"url": dashboard(people["fod"])["managers"]["url"]}


def live_findings(field_office=None):
    """Open findings by (rule, severity) and the trend, counted over the findings."""
    from django.db.models import Count

    from oversight.dashboard import TREND_RUNS, open_at_end_of
    from portal.compliance.models import Finding, SweepRun

    findings = Finding.objects.all() if field_office is None else Finding.objects.filter(field_office=field_office)
    table = sorted(findings.open().values_list("rule", "severity").annotate(n=Count("id")).order_by())
    runs = list(SweepRun.objects.filter(finished_at__isnull=False).order_by("-started_at")[:TREND_RUNS])[::-1]
    return table, [findings.aggregate(n=open_at_end_of(run))["n"] for run in runs]


def shown_findings(user, **filters):
    f = dashboard(user, DashboardFilters(**filters))["findings"]
    table = sorted(
        (row["rule"], cell["severity"], cell["n"]) for row in f["by_rule"] for cell in row["cells"] if cell["n"]
    )
    return table, [t["open"] for t in f["trend"]]


def test_stored_finding_counts_follow_findings_and_sweep_runs(program, people, offices):
    from portal.compliance.models import SweepRun

    from .conftest import make_finding

    chief, houston = people["chief"], offices["HOU"]

    def check():
        assert shown_findings(chief) == live_findings()
        assert shown_findings(chief, field_office=houston) == live_findings(houston)

    check()
    SweepRun.objects.create(
        as_of=dt.date(2018, 3, 13),
        status="succeeded",
        started_at=NOW - dt.timedelta(days=2),
        finished_at=NOW - dt.timedelta(days=2),
    )
    check()
    make_finding("staffing.primary_without_backup", program["miami"], first_seen_at=NOW - dt.timedelta(days=3))
    opened = make_finding(
        "agreements.no_primary_manager",
        program["houston_other"],
        severity="high",
        first_seen_at=NOW - dt.timedelta(days=3),
    )
    make_finding("agreements.no_primary_manager", program["mine"], severity="high")
    check()
    running = SweepRun.objects.create(as_of=dt.date(2018, 3, 14), started_at=NOW - dt.timedelta(hours=2))
    check()
    # A run finishing, a finding resolved after it, one waived: each visible at once.
    running.status, running.finished_at = "succeeded", NOW - dt.timedelta(hours=1)
    running.save()
    check()
    opened.status, opened.resolved_at = "resolved", NOW
    opened.save()
    check()
    assert shown_findings(chief)[1] == [2, 2]  # resolved after both runs; the newest seen after both
    assert shown_findings(chief)[0] == [
        ("agreements.no_primary_manager", "high", 1),
        ("staffing.primary_without_backup", "warning", 1),
    ]
    # Another reader's scope is counted live, and equals the stored figures where they meet.
    assert shown_findings(people["fod"]) == live_findings(houston)
