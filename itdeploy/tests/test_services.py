"""Opening installations, step rules (dependencies, dates), pauses, operational sites,
agreements ending and coming back, HQ's bulk confirmation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from agreements import services as agreement_services
from agreements.choices import AgreementStatus, ProgramModel
from agreements.signals import agreement_ended, agreement_reinstated
from agreements.tests.factories import AgencyFactory, AgreementFactory
from itdeploy import services
from itdeploy.choices import InstallationStatus, PauseReason
from itdeploy.models import Installation, InstallationStep, ProgramModelSetting, StepTemplate
from portal.errors import TransitionNotAllowed

from .conftest import TODAY
from .factories import open_for, steps_of

pytestmark = pytest.mark.django_db


def d(y, m, day):
    return dt.date(y, m, day)


def test_default_plan_ships_with_the_migration():
    rows = {t.number: t for t in StepTemplate.objects.prefetch_related("depends_on")}
    assert [rows[n].planned_days for n in range(1, 7)] == [10, 45, 120, 30, 90, 30]
    assert {t.number for t in rows[6].depends_on.all()} == {2, 4, 5}
    assert ProgramModelSetting.models_needing_installation() == ["jem"]


def test_signing_the_first_jail_agreement_opens_one_installation(plan, people, frozen):
    # given an agency applying for a Task Force and a Jail Enforcement agreement
    agency = AgencyFactory()
    tfm = AgreementFactory(
        agency=agency, program_model=ProgramModel.TASK_FORCE, status=AgreementStatus.APPROVED, signed_on=None
    )
    jem = AgreementFactory(agency=agency, status=AgreementStatus.APPROVED, signed_on=None)
    # when the task force agreement is signed: no site installation needed
    agreement_services.agreement_sign(agreement=tfm, acting_user=people["npm"], signed_on=d(2017, 7, 1))
    assert not Installation.objects.filter(agency=agency).exists()
    # when the jail agreement is signed
    agreement_services.agreement_sign(agreement=jem, acting_user=people["npm"], signed_on=d(2017, 7, 10))
    installation = Installation.objects.get(agency=agency)
    assert installation.status == InstallationStatus.IN_PROGRESS
    assert installation.moa_signed_on == d(2017, 7, 10) and installation.opened_from_id == jem.pk
    steps = steps_of(installation)
    assert len(steps) == 6
    assert steps[1].started_on == d(2017, 7, 10)  # starts at the MOA signature
    assert all(steps[n].started_on is None for n in range(2, 7))
    assert {s.number for s in steps[6].depends_on.all()} == {2, 4, 5}
    assert installation.history.first().history_user == people["npm"]


def test_one_installation_per_site(installations, world):
    again = open_for(world["agreements"]["mine"])
    assert again.pk == installations["mine"].pk
    assert Installation.objects.count() == 3


def test_old_agreements_open_as_status_unknown(plan, frozen):
    old = AgreementFactory(signed_on=TODAY - dt.timedelta(days=181))
    recent = AgreementFactory(signed_on=TODAY - dt.timedelta(days=180))
    assert open_for(old).status == InstallationStatus.UNCONFIRMED
    assert steps_of(Installation.objects.get(agency=old.agency))[1].started_on is None
    assert open_for(recent).status == InstallationStatus.IN_PROGRESS


def test_step_cannot_start_before_its_dependencies_are_complete(installations, people):
    steps = steps_of(installations["mine"])
    with pytest.raises(TransitionNotAllowed, match="starts after step 1"):
        services.step_start(step=steps[3], started_on=TODAY, acting_user=people["pm"])


def test_equipment_needs_the_isa_signed(installations, people):
    steps = steps_of(installations["mine"])
    services.step_complete(step=steps[1], completed_on=d(2017, 6, 10), acting_user=people["pm"])
    # an edited plan where step 6 no longer depends on the ISA must still refuse
    steps[6].depends_on.remove(steps[2])
    for n in (3, 5):
        services.step_start(step=steps[n], started_on=d(2017, 6, 10), acting_user=people["pm"])
        services.step_complete(step=steps[n], completed_on=d(2017, 7, 1), acting_user=people["pm"])
    services.step_start(step=steps[4], started_on=d(2017, 7, 1), acting_user=people["pm"])
    services.step_complete(step=steps[4], completed_on=d(2017, 7, 20), acting_user=people["pm"])
    with pytest.raises(TransitionNotAllowed, match="Interconnection Service Agreement"):
        services.step_start(step=steps[6], started_on=TODAY, acting_user=people["ocio"])


@pytest.mark.parametrize(
    "when, message",
    [
        (d(2017, 8, 2), "future"),
        (d(2017, 5, 1), "before the step's start"),
    ],
)
def test_completion_dates_are_validated(installations, people, when, message):
    step = steps_of(installations["mine"])[1]
    with pytest.raises(ValidationError) as error:
        services.step_complete(step=step, completed_on=when, acting_user=people["pm"])
    assert message in str(error.value.message_dict["completed_on"])


def test_start_dates_are_validated(installations, people):
    steps = steps_of(installations["mine"])
    services.step_complete(step=steps[1], completed_on=d(2017, 6, 10), acting_user=people["pm"])
    with pytest.raises(ValidationError, match="before step 1 was complete"):
        services.step_start(step=steps[2], started_on=d(2017, 6, 9), acting_user=people["pm"])
    with pytest.raises(ValidationError, match="future"):
        services.step_start(step=steps[2], started_on=d(2017, 8, 2), acting_user=people["pm"])


def test_second_completion_is_a_conflict(installations, people):
    step = steps_of(installations["mine"])[1]
    services.step_complete(step=step, completed_on=d(2017, 6, 10), acting_user=people["pm"])
    with pytest.raises(TransitionNotAllowed, match="already completed"):
        services.step_complete(step=step, completed_on=d(2017, 6, 11), acting_user=people["pm"])


def test_pause_and_resume_move_the_due_date(installations, people):
    from itdeploy import selectors
    from itdeploy.models import InstallationSettings

    step = steps_of(installations["mine"])[1]  # started 2017-06-01, 10 days planned
    services.step_pause(
        step=step, paused_on=d(2017, 6, 5), reason=PauseReason.WAITING_ON_AGENCY, acting_user=people["pm"]
    )
    with pytest.raises(TransitionNotAllowed, match="already paused"):
        services.step_pause(
            step=step, paused_on=d(2017, 6, 6), reason=PauseReason.SITE_ACCESS, acting_user=people["pm"]
        )
    with pytest.raises(TransitionNotAllowed, match="resume it"):
        services.step_complete(step=step, completed_on=d(2017, 6, 20), acting_user=people["pm"])
    with pytest.raises(ValidationError, match="before the start of the pause"):
        services.step_resume(step=step, resumed_on=d(2017, 6, 4), acting_user=people["pm"])
    services.step_resume(step=step, resumed_on=d(2017, 6, 25), acting_user=people["pm"])
    step = InstallationStep.objects.prefetch_related("pauses").get(pk=step.pk)
    clock = selectors.step_clock(step, TODAY, InstallationSettings.current())
    assert clock.paused_days == 20
    assert clock.due_on == d(2017, 7, 1)  # 06-01 + 10 + 20
    assert clock.state == "breached"  # 61 days elapsed, 41 working


def test_completing_the_installation_makes_the_site_operational(installations, people, world):
    steps = steps_of(installations["mine"])
    on = d(2017, 6, 2)
    for number in range(1, 7):
        if steps[number].started_on is None:
            services.step_start(step=steps[number], started_on=on, acting_user=people["ocio"])
        services.step_complete(step=steps[number], completed_on=on, acting_user=people["ocio"])
        on += dt.timedelta(days=1)
    installation = Installation.objects.get(pk=installations["mine"].pk)
    assert installation.status == InstallationStatus.OPERATIONAL and installation.operational_on == d(2017, 6, 7)
    agency = world["mine"]
    agency.refresh_from_db()
    assert agency.equipment_operational_since == d(2017, 6, 7)
    assert agency.history.order_by("-history_id").first().history_user == people["ocio"]
    with pytest.raises(TransitionNotAllowed, match="already operational"):
        services.step_pause(step=steps[6], paused_on=TODAY, reason="other", acting_user=people["ocio"])


def test_agreement_suspension_pauses_open_steps_and_reinstatement_resumes(installations, world, people):
    agreement = world["agreements"]["mine"]
    agreement_ended.send(sender=type(agreement), agreement=agreement, acting_user=people["npm"], reason="Suspended")
    step = steps_of(installations["mine"])[1]
    pause = step.pauses.get()
    assert pause.reason == PauseReason.AGREEMENT_ENDED and pause.ended_on is None
    agreement_reinstated.send(sender=type(agreement), agreement=agreement, acting_user=people["npm"])
    pause.refresh_from_db()
    assert pause.ended_on == TODAY


def test_bulk_confirmation_of_status_unknown_sites(plan, frozen, people):
    old = [open_for(AgreementFactory(applied_on=d(2014, 6, 1), signed_on=d(2015, 1, 1 + i))) for i in range(3)]
    services.installations_confirm(installations=old[:2], acting_user=people["npm"], operational_since=d(2015, 9, 1))
    for i in old[:2]:
        i.refresh_from_db()
        assert i.status == InstallationStatus.OPERATIONAL and i.dates_estimated
        assert i.agency.equipment_operational_since == d(2015, 9, 1)
    services.installation_confirm(
        installation=old[2], acting_user=people["npm"], at_step=4, step_started_on=d(2017, 7, 1)
    )
    steps = steps_of(old[2])
    assert steps[4].started_on == d(2017, 7, 1) and steps[1].completed_on and steps[3].completed_on
    assert steps[2].started_on is None and steps[5].started_on is None
    with pytest.raises(TransitionNotAllowed):
        services.installation_confirm(installation=old[2], acting_user=people["npm"], at_step=4)


def test_an_import_that_signs_a_new_agreement_reopens_the_cancelled_installation(installations, world, people):
    """The set-based opening (ICE list imports) reopens a cancelled installation as the
    single signature does, and opens the others as before."""
    mine = installations["mine"]
    services.installation_cancel(agency_id=mine.agency_id, acting_user=people["chief"], on=TODAY, reason="Ended")
    Installation.objects.filter(pk=installations["miami"].pk).delete()
    old = world["agreements"]["mine"]
    old.status, old.ended_on = AgreementStatus.TERMINATED, TODAY
    old.save()
    new = AgreementFactory(agency=world["mine"], program_model=ProgramModel.JAIL_ENFORCEMENT, signed_on=TODAY)
    opened = services.installations_open_for(
        agreements=[new, world["agreements"]["miami"]], acting_user=people["chief"]
    )
    mine.refresh_from_db()
    assert mine in opened and len(opened) == 2
    assert (mine.status, mine.moa_signed_on, mine.opened_from_id) == (InstallationStatus.IN_PROGRESS, TODAY, new.pk)
    assert not mine.steps.filter(cancelled_on__isnull=False).exists()
    assert Installation.objects.filter(agency=world["miami"], status=InstallationStatus.IN_PROGRESS).exists()
