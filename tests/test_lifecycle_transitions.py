"""What terminating, withdrawing, suspending and reinstating an agreement leaves in every
app, on the transition's effective date, and what the next sweep reports (issue 12).

Each test records a transition with a past effective date, runs the whole sweep after it
with frozen time, and checks the agreement, assignments, installation, officers and
findings. The Harris County site is the issue's Lyon County case: a Jail Enforcement Model
agreement past the 180-day goal, steps over time, officers with a card close to lapsing,
a refresher due and a missed recertification, a future assignment and no workload report,
so the sweep has plenty to say about it while the agreement is in force.
"""

import datetime as dt

import pytest
import time_machine

from agreements import services
from agreements.choices import AgreementStatus
from agreements.models import Agreement
from agreements.tests.factories import AgencyFactory, AgreementFactory
from itdeploy.choices import InstallationStatus
from itdeploy.models import Installation, InstallationPause, StepPause
from itdeploy.services import installation_open
from portal.compliance.models import Finding
from portal.compliance.sweep import sweep_run
from staffing.models import Assignment
from staffing.tests.factories import AssignmentFactory
from training.choices import OfficerStatus, SuspensionCause
from training.models import Officer
from training.selectors import certified_officers_by_agency
from training.tests.factories import OfficerFactory, under_agreement

pytestmark = pytest.mark.django_db

TODAY = dt.date(2018, 3, 15)


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(15, tzinfo=dt.UTC)), tick=False)


def assert_restored(officers, on: dt.date):
    """The officers' ended designation was restored on ``on``: certified again, by a
    reinstatement event."""
    for officer in officers:
        officer.refresh_from_db()
        assert (officer.status, officer.suspension_cause, officer.status_since) == (OfficerStatus.CERTIFIED, "", on)
        assert officer.events.first().verb == "reinstate"


def open_for(agency):
    return set(Finding.objects.open().filter(agency=agency).values_list("rule", flat=True))


@pytest.fixture
def site(world, people):
    """Harris County: JEM signed 2017-08-01 (226 days before TODAY), installation in
    progress since, two certified officers, a backup PM starting next month."""
    agreement = world["agreements"]["mine"]
    Agreement.objects.filter(pk=agreement.pk).update(signed_on=dt.date(2017, 8, 1), applied_on=dt.date(2017, 3, 1))
    agreement.refresh_from_db()
    with at(dt.date(2017, 8, 2)):
        installation = installation_open(
            agreement=agreement, acting_user=people["chief"], opened_on=dt.date(2017, 8, 2)
        )
    veteran = OfficerFactory(
        agency=world["mine"], certified_on=dt.date(2016, 1, 5), card_last_login_on=dt.date(2018, 2, 16)
    )
    recent = OfficerFactory(
        agency=world["mine"], certified_on=dt.date(2017, 9, 1), card_last_login_on=dt.date(2018, 3, 12)
    )
    future = AssignmentFactory(
        agency=world["mine"], program_manager=people["pm_miami"], kind="backup", starts_on=dt.date(2018, 4, 1)
    )
    return {"agreement": agreement, "installation": installation, "officers": [veteran, recent], "future": future}


def test_the_site_has_findings_while_its_agreement_is_in_force(site, world):
    with at(TODAY):
        sweep_run(notify=False)
    assert {
        "itdeploy.past_goal",
        "itdeploy.step_breached",
        "training.card_warning",
        "training.refresher_overdue",
        "training.recertification_missed",
        "staffing.workload_report_missing",
    } <= open_for(world["mine"])


def test_termination_ends_everything_on_its_effective_date_and_the_sweep_reopens_nothing(site, world, people):
    agency, agreement, installation = world["mine"], site["agreement"], site["installation"]
    with at(TODAY):
        sweep_run(notify=False)
        assert open_for(agency)
        # when HQ records today a termination that took effect on 10 March
        services.agreement_terminate(
            agreement=agreement,
            acting_user=people["chief"],
            effective_on=dt.date(2018, 3, 10),
            reason="The county ended its participation",
        )
        run = sweep_run(notify=False)
    # then the agreement
    agreement.refresh_from_db()
    assert (agreement.status, agreement.ended_on) == (AgreementStatus.TERMINATED, dt.date(2018, 3, 10))
    assert not agreement.is_in_force(dt.date(2018, 3, 10)) and agreement.is_in_force(dt.date(2018, 3, 9))
    assert not agency.is_active(dt.date(2018, 3, 10))
    # the assignments: those running end on the effective date, the future one is cancelled
    assert set(Assignment.objects.filter(agency=agency).values_list("ends_on", flat=True)) == {dt.date(2018, 3, 10)}
    assert not Assignment.objects.filter(pk=site["future"].pk).exists()
    cancelled = Assignment.history.filter(id=site["future"].pk, history_type="-").get()
    assert cancelled.history_user == people["chief"] and "terminated on 03/10/2018" in cancelled.history_change_reason
    ended = Assignment.objects.filter(agency=agency).first().history.filter(ends_on=dt.date(2018, 3, 10)).get()
    assert ended.history_user == people["chief"] and "The county ended its participation" in ended.history_change_reason
    # the installation is cancelled on that date with its open steps
    installation.refresh_from_db()
    assert (installation.status, installation.cancelled_on) == (InstallationStatus.CANCELLED, dt.date(2018, 3, 10))
    open_steps = installation.steps.filter(completed_on__isnull=True)
    assert open_steps.exists() and not open_steps.filter(cancelled_on__isnull=True).exists()
    assert installation.history.get(status=InstallationStatus.CANCELLED).history_user == people["chief"]
    assert not StepPause.objects.filter(step__installation=installation, ended_on__isnull=True).exists()
    # the officers' designation ended on that date
    for officer in site["officers"]:
        officer.refresh_from_db()
        assert (officer.status, officer.suspension_cause, officer.suspended_on) == (
            OfficerStatus.SUSPENDED,
            SuspensionCause.DESIGNATION_ENDED,
            dt.date(2018, 3, 10),
        )
        event = officer.events.first()
        assert (event.verb, event.on, event.acting_user) == ("suspend", dt.date(2018, 3, 10), people["chief"])
        assert "Designation ended" in event.reason
    assert agency.pk not in certified_officers_by_agency(dt.date(2018, 3, 10))
    # and the findings: closed as "agreement ended", none reopened by the full sweep
    assert not open_for(agency), run.counts
    assert set(
        Finding.objects.filter(agency=agency, resolved_by_run__isnull=True).values_list("resolution", flat=True)
    ) == {"agreement ended"}


def test_a_new_agreement_restores_the_ended_designations(site, world, people):
    agency = world["mine"]
    with at(TODAY):
        services.agreement_terminate(
            agreement=site["agreement"], acting_user=people["chief"], effective_on=dt.date(2018, 3, 10), reason="Ended"
        )
        warrant = AgreementFactory(agency=agency, program_model="wso", status=AgreementStatus.APPROVED, signed_on=None)
        services.agreement_sign(agreement=warrant, acting_user=people["chief"], signed_on=dt.date(2018, 3, 14))
    assert_restored(site["officers"], dt.date(2018, 3, 14))
    assert certified_officers_by_agency(dt.date(2018, 3, 14)).get(agency.pk) == 2


def test_withdrawal_ends_the_applicants_assignments_and_the_sweep_reopens_nothing(world, people):
    applicant = AgencyFactory(name="Lyon County Sheriff's Office", state="NV", county="Lyon")
    application = AgreementFactory(
        agency=applicant, status=AgreementStatus.UNDER_REVIEW, signed_on=None, applied_on=dt.date(2017, 6, 1)
    )
    AssignmentFactory(agency=applicant, program_manager=people["pm"], starts_on=dt.date(2017, 7, 1))
    later = AssignmentFactory(
        agency=applicant, program_manager=people["pm_other"], kind="backup", starts_on=dt.date(2018, 5, 1)
    )
    nominee = OfficerFactory(agency=applicant, status=OfficerStatus.NOMINATED, certified_on=None)
    with at(TODAY):
        sweep_run(notify=False)
        assert "agreements.review_overdue" in open_for(applicant)
        services.agreement_withdraw(
            agreement=application,
            acting_user=people["chief"],
            effective_on=dt.date(2018, 3, 12),
            reason="The sheriff withdrew the application",
        )
        sweep_run(notify=False)
    application.refresh_from_db()
    assert (application.status, application.ended_on) == (AgreementStatus.WITHDRAWN, dt.date(2018, 3, 12))
    assert list(Assignment.objects.filter(agency=applicant).values_list("ends_on", flat=True)) == [dt.date(2018, 3, 12)]
    assert not Assignment.objects.filter(pk=later.pk).exists()
    assert not Installation.objects.filter(agency=applicant).exists()
    nominee.refresh_from_db()
    assert nominee.status == OfficerStatus.NOMINATED  # no designation to end before certification
    assert not open_for(applicant)
    finding = Finding.objects.get(agency=applicant, rule="agreements.review_overdue")
    assert finding.resolution == "agreement ended"


def test_suspension_takes_effect_from_its_date_and_the_sweep_looks_away_while_it_lasts(site, world, people):
    agency, agreement, installation = world["mine"], site["agreement"], site["installation"]
    running = list(installation.steps.filter(started_on__isnull=False, completed_on__isnull=True))
    with at(TODAY):
        sweep_run(notify=False)
        services.agreement_suspend(
            agreement=agreement,
            acting_user=people["chief"],
            effective_on=dt.date(2018, 3, 1),
            reason="Audit of the jail's practices",
        )
        sweep_run(notify=False)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SUSPENDED
    assert agreement.is_in_force(dt.date(2018, 2, 28)) and not agreement.is_in_force(dt.date(2018, 3, 1))
    # the steps and the installation's own clock pause from the effective date, not today
    for step in running:
        assert step.pauses.get(ended_on__isnull=True).started_on == dt.date(2018, 3, 1)
    pause = InstallationPause.objects.get(installation=installation)
    assert (pause.started_on, pause.ended_on) == (dt.date(2018, 3, 1), None)
    installation.refresh_from_db()
    assert installation.status == InstallationStatus.IN_PROGRESS  # kept: the agreement may be reinstated
    assert installation.paused_days(TODAY) == 14 and installation.counted_days(TODAY) == 226 - 14
    # officers cannot act from the effective date; their status and the assignments stay
    assert under_agreement(agency, dt.date(2018, 2, 28)) == 2 and under_agreement(agency, dt.date(2018, 3, 1)) == 0
    assert agency.pk not in certified_officers_by_agency(dt.date(2018, 3, 1))
    assert set(Officer.objects.filter(agency=agency).values_list("status", flat=True)) == {OfficerStatus.CERTIFIED}
    standing = Officer.objects.with_standing(TODAY).get(pk=site["officers"][1].pk)
    assert not standing.can_act() and "no 287(g) agreement in force" in " ".join(standing.reasons_cannot_act())
    assert Assignment.objects.filter(agency=agency, ends_on__isnull=True).count() == 3
    # the findings closed as "agreement suspended"; no rule reports on the suspended site
    assert not open_for(agency)
    assert set(
        Finding.objects.filter(agency=agency, resolved_by_run__isnull=True).values_list("resolution", flat=True)
    ) == {"agreement suspended"}


def test_reinstatement_resumes_everything_from_its_effective_date(site, world, people):
    agency, agreement, installation = world["mine"], site["agreement"], site["installation"]
    with at(dt.date(2018, 3, 5)):
        services.agreement_suspend(
            agreement=agreement, acting_user=people["chief"], effective_on=dt.date(2018, 3, 1), reason="Audit"
        )
    with at(TODAY):
        services.agreement_reinstate(
            agreement=agreement, acting_user=people["chief"], effective_on=dt.date(2018, 3, 10)
        )
        sweep_run(notify=False)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    assert not agreement.is_in_force(dt.date(2018, 3, 9)) and agreement.is_in_force(dt.date(2018, 3, 10))
    suspension = agreement.suspensions.get()
    assert (suspension.starts_on, suspension.ends_on) == (dt.date(2018, 3, 1), dt.date(2018, 3, 10))
    assert not StepPause.objects.filter(step__installation=installation, ended_on__isnull=True).exists()
    assert set(StepPause.objects.filter(step__installation=installation).values_list("ended_on", flat=True)) == {
        dt.date(2018, 3, 10)
    }
    pause = InstallationPause.objects.get(installation=installation)
    assert (pause.started_on, pause.ended_on) == (dt.date(2018, 3, 1), dt.date(2018, 3, 10))
    installation.refresh_from_db()
    assert installation.paused_days(TODAY) == 9
    assert under_agreement(agency, dt.date(2018, 3, 9)) == 0 and under_agreement(agency, dt.date(2018, 3, 10)) == 2
    # the sweep reports on the site again: it is in force
    assert {"itdeploy.past_goal", "training.refresher_overdue"} <= open_for(agency)
    detail = Finding.objects.get(agency=agency, rule="itdeploy.past_goal", status="open").detail
    assert "217 days since the MOA signature (08/01/2017) (9 suspended days not counted)" in detail


def test_a_suspended_site_is_never_past_the_goal_for_its_suspended_days(world, people):
    agreement = world["agreements"]["houston_other"]
    Agreement.objects.filter(pk=agreement.pk).update(signed_on=dt.date(2017, 9, 1))
    agreement.refresh_from_db()
    with at(dt.date(2017, 9, 2)):
        installation = installation_open(agreement=agreement, acting_user=people["chief"])
    with at(dt.date(2017, 12, 1)):
        services.agreement_suspend(
            agreement=agreement, acting_user=people["chief"], effective_on=dt.date(2017, 12, 1), reason="Audit"
        )
    with at(dt.date(2018, 1, 1)):
        services.agreement_reinstate(agreement=agreement, acting_user=people["chief"], effective_on=dt.date(2018, 1, 1))
    # 31 suspended days: the goal falls on 2017-09-01 + 180 + 31 days = 2018-03-31
    for day, past in [(dt.date(2018, 3, 31), False), (dt.date(2018, 4, 1), True)]:
        with at(day):
            sweep_run(notify=False, rule_codes=["itdeploy.past_goal"])
        assert Finding.objects.open().filter(rule="itdeploy.past_goal", subject_id=installation.pk).exists() is past, (
            day
        )
    from itdeploy import selectors
    from itdeploy.models import InstallationSettings

    installation = Installation.objects.get(pk=installation.pk)
    assert selectors.goal_date(installation, 180, dt.date(2018, 4, 1)) == dt.date(2018, 3, 31)
    clock = selectors.installation_clock(installation, dt.date(2018, 3, 31), InstallationSettings.current())
    assert (clock.used_days, clock.paused_days, clock.state) == (180, 31, "at_risk")


def test_the_api_says_what_is_in_force_with_the_same_definition(api, world, people):
    agreement, agency = world["agreements"]["mine"], world["mine"]
    client = api(people["chief"])
    with at(TODAY):
        assert client.get(f"/api/v1/agreements/{agreement.pk}/").json()["in_force"] is True
        answer = client.post(
            f"/api/v1/agreements/{agreement.pk}/suspend/",
            {"effective_on": "2018-03-01", "reason": "Audit"},
            format="json",
        )
        assert answer.status_code == 200 and answer.json()["in_force"] is False
        assert client.get(f"/api/v1/agencies/{agency.pk}/").json()["active"] is False
        listed = {r["id"]: r["active"] for r in client.get("/api/v1/agencies/").json()["results"]}
    assert listed[agency.pk] is False and listed[world["miami"].pk] is True


def test_a_new_jail_enforcement_agreement_reverses_what_the_termination_ended(site, world, people):
    """Terminate, sweep, sign a new agreement under the same model, sweep: the cancelled
    installation is reopened (the same record, its clock from the new signature), the
    ended designations are restored, and the sweep reports on what is in force again but
    nothing of the ended episode."""
    agency, old, installation = world["mine"], site["agreement"], site["installation"]
    with at(TODAY):
        sweep_run(notify=False)
        services.agreement_terminate(
            agreement=old, acting_user=people["chief"], effective_on=dt.date(2018, 3, 10), reason="Ended"
        )
        sweep_run(notify=False)
    ended = set(Finding.objects.filter(agency=agency, resolution="agreement ended").values_list("pk", flat=True))
    installation.refresh_from_db()
    done_before = set(installation.steps.filter(completed_on__isnull=False).values_list("number", flat=True))
    assert installation.status == InstallationStatus.CANCELLED and ended
    new_day = dt.date(2018, 4, 2)
    with at(new_day):
        new = services.agreement_create(
            acting_user=people["chief"],
            agency=agency,
            program_model="jem",
            status=AgreementStatus.APPROVED,
            applied_on=dt.date(2018, 3, 20),
        )
        services.agreement_sign(agreement=new, acting_user=people["chief"], signed_on=dt.date(2018, 4, 1))
        run = sweep_run(notify=False)
        standing = {o.pk: o for o in Officer.objects.with_standing(new_day).filter(agency=agency)}
    old.refresh_from_db()
    assert old.status == AgreementStatus.TERMINATED and new.pk != old.pk
    assert Agreement.objects.in_force(new_day).filter(agency=agency).get() == new
    # the installation: the same record reopened, its clock from the new MOA signature
    installation = Installation.objects.get(pk=installation.pk)
    assert (installation.status, installation.cancelled_on, installation.moa_signed_on) == (
        InstallationStatus.IN_PROGRESS,
        None,
        dt.date(2018, 4, 1),
    )
    assert installation.opened_from_id == new.pk and installation.counted_days(new_day) == 1
    reopened = installation.history.first()
    assert reopened.history_user == people["chief"] and "Reopened" in reopened.history_change_reason
    assert installation.history.filter(status=InstallationStatus.CANCELLED).exists()  # the episode is kept
    steps = list(installation.steps.prefetch_related("depends_on"))
    assert not [s for s in steps if s.cancelled_on]
    assert {s.number for s in steps if s.completed_on} == done_before  # work done stays done
    for step in steps:
        if step.completed_on is None:
            ready = all(d.completed_on for d in step.depends_on.all())
            assert step.started_on == (dt.date(2018, 4, 1) if ready else None), step.number
    # the officers: certified again from the signature, able to act once the site works
    assert_restored(site["officers"], dt.date(2018, 4, 1))
    for officer in site["officers"]:
        assert standing[officer.pk].agreement_active
        assert "needs the site's equipment" in " ".join(standing[officer.pk].reasons_cannot_act())
    # the assignments stay ended: HQ assigns the new agreement's managers
    assert not Assignment.objects.filter(agency=agency, ends_on__isnull=True).exists()
    # the findings: the ended ones stay closed; the new installation is within its goal
    assert not Finding.objects.filter(pk__in=ended).exclude(resolution="agreement ended").exists()
    assert not Finding.objects.open().filter(pk__in=ended).exists()
    now_open = open_for(agency)
    assert not now_open & {"itdeploy.past_goal", "itdeploy.step_breached"}, run.counts
    assert "training.refresher_overdue" in now_open  # in force again: reported again
