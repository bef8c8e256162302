"""Officers' transitions, academy classes (Q1 rule, concurrency), enrolment and the
waiting list, security-card reactivation."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from portal.errors import TransitionNotAllowed
from training import services
from training.choices import EnrollmentStatus, OfficerStatus
from training.models import AcademyClass, Completion, Officer

from .factories import AcademyClassFactory, OfficerFactory, course, equip

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2018, 3, 1, 17, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def test_each_transition_records_date_acting_user_and_reason(world, people):
    officer = services.officer_create(
        agency=world["mine"],
        officer_number="HC-1",
        last_name="Ortiz",
        first_name="Ana",
        email="ortiz@hcso.example.gov",
        acting_user=people["pm"],
    )
    steps = [
        ("adjudicate", OfficerStatus.ADJUDICATED, ""),
        ("begin_training", OfficerStatus.IN_TRAINING, ""),
        ("certify", OfficerStatus.CERTIFIED, ""),
        ("suspend", OfficerStatus.SUSPENDED, "Missed PALMS"),
        ("reinstate", OfficerStatus.CERTIFIED, "Recertified late"),
        ("suspend", OfficerStatus.SUSPENDED, "Again"),
        ("revoke", OfficerStatus.REVOKED, "90 days passed"),
    ]
    for verb, status, reason in steps:
        user = people["chief"] if verb == "revoke" else people["pm"]
        officer = services.officer_transition(officer=officer, verb=verb, acting_user=user, reason=reason)
        assert officer.status == status
    events = list(officer.events.order_by("created_at", "pk"))
    assert [e.verb for e in events] == ["nominate"] + [s[0] for s in steps]
    assert events[-1].acting_user == people["chief"] and events[-1].reason == "90 days passed"
    assert events[-1].on == dt.date(2018, 3, 1)
    assert officer.certified_on == dt.date(2018, 3, 1) and officer.revoked_on == dt.date(2018, 3, 1)
    assert officer.history.count() >= len(steps)


def test_leaving_the_program_and_refused_transitions(world, people):
    officer = OfficerFactory(agency=world["mine"], status=OfficerStatus.NOMINATED, certified_on=None)
    with pytest.raises(TransitionNotAllowed):
        services.officer_transition(officer=officer, verb="certify", acting_user=people["pm"])
    with pytest.raises(ValidationError) as exc:
        services.officer_leave(officer=officer, acting_user=people["pm"], reason="")
    assert "reason" in exc.value.message_dict
    officer = services.officer_leave(officer=officer, acting_user=people["pm"], reason="Retired")
    assert officer.status == OfficerStatus.LEFT and officer.left_on == dt.date(2018, 3, 1)
    with pytest.raises(TransitionNotAllowed):
        services.officer_transition(officer=officer, verb="adjudicate", acting_user=people["pm"])


def test_only_hq_revokes(world, people):
    officer = OfficerFactory(agency=world["mine"], status=OfficerStatus.SUSPENDED)
    with pytest.raises(PermissionDenied):
        services.officer_revoke(officer=officer, acting_user=people["pm"], reason="x")


def test_basic_class_in_q1_is_refused_unless_hq_overrides(world, people):
    with pytest.raises(ValidationError) as exc:
        services.class_schedule(course=course("IADP"), starts_on=dt.date(2018, 11, 5), acting_user=people["chief"])
    assert "starts_on" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.class_schedule(
            course=course("IADP"), starts_on=dt.date(2018, 11, 5), acting_user=people["pm"], q1_override_reason="Surge"
        )
    c = services.class_schedule(
        course=course("IADP"),
        starts_on=dt.date(2018, 11, 5),
        acting_user=people["chief"],
        q1_override_reason="Surge of new agreements in Texas",
    )
    assert c.q1_override_by == people["chief"] and c.ends_on == dt.date(2018, 12, 2) and c.capacity == 24
    # Refreshers may run in Q1 without an override.
    assert services.class_schedule(course=course("IADRP"), starts_on=dt.date(2018, 10, 15), acting_user=people["chief"])


def test_charleston_holds_two_classes_at_a_time(world, people):
    for _ in range(2):
        services.class_schedule(course=course("IADP"), starts_on=dt.date(2018, 4, 2), acting_user=people["chief"])
    with pytest.raises(ValidationError):
        services.class_schedule(course=course("IADRP"), starts_on=dt.date(2018, 4, 9), acting_user=people["chief"])
    assert services.class_schedule(course=course("IADRP"), starts_on=dt.date(2018, 4, 30), acting_user=people["chief"])


def test_waiting_list_promotes_when_a_seat_frees(world, people):
    academy_class = AcademyClassFactory(capacity=2, starts_on=dt.date(2018, 4, 2))
    officers = [
        OfficerFactory(agency=world["mine"], status=OfficerStatus.ADJUDICATED, certified_on=None) for _ in range(4)
    ]
    enrollments = [
        services.enrollment_request(academy_class=academy_class, officer=o, acting_user=people["pm"]) for o in officers
    ]
    assert [e.status for e in enrollments] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert Officer.objects.get(pk=officers[0].pk).status == OfficerStatus.IN_TRAINING
    with pytest.raises(TransitionNotAllowed):
        services.enrollment_request(academy_class=academy_class, officer=officers[0], acting_user=people["pm"])
    # when the first officer withdraws
    services.enrollment_withdraw(enrollment=enrollments[0], acting_user=people["pm"], reason="Injured")
    # then the first on the waiting list gets the seat, the second keeps waiting
    statuses = dict(academy_class.enrollments.values_list("officer_id", "status"))
    assert statuses[officers[2].pk] == EnrollmentStatus.ENROLLED
    assert statuses[officers[3].pk] == EnrollmentStatus.WAITLISTED
    assert Officer.objects.get(pk=officers[0].pk).status == OfficerStatus.ADJUDICATED
    assert Officer.objects.get(pk=officers[2].pk).status == OfficerStatus.IN_TRAINING
    # raising the capacity promotes the next one
    services.class_set_capacity(academy_class=academy_class, capacity=3, acting_user=people["chief"])
    assert academy_class.enrollments.get(officer=officers[3]).status == EnrollmentStatus.ENROLLED


def test_completing_the_basic_class_certifies_the_officers(world, people):
    academy_class = AcademyClassFactory(starts_on=dt.date(2018, 2, 12))
    passed = OfficerFactory(agency=world["mine"], status=OfficerStatus.ADJUDICATED, certified_on=None)
    failed = OfficerFactory(agency=world["mine"], status=OfficerStatus.ADJUDICATED, certified_on=None)
    for o in (passed, failed):
        services.enrollment_request(academy_class=academy_class, officer=o, acting_user=people["pm"])
    services.class_complete(
        academy_class=academy_class,
        acting_user=people["chief"],
        completed_on=dt.date(2018, 3, 1),
        not_completed=[failed.pk],
    )
    passed.refresh_from_db()
    failed.refresh_from_db()
    assert passed.status == OfficerStatus.CERTIFIED and passed.certified_on == dt.date(2018, 3, 1)
    assert failed.status == OfficerStatus.IN_TRAINING
    assert Completion.objects.filter(officer=passed, course__code="IADP").count() == 1
    assert passed.events.filter(verb="certify", acting_user=people["chief"]).exists()
    assert AcademyClass.objects.get(pk=academy_class.pk).status == "completed"
    with pytest.raises(TransitionNotAllowed):
        services.class_complete(academy_class=academy_class, acting_user=people["chief"])


def test_card_reactivation_is_requested_then_recorded(world, people):
    equip(world["mine"])
    officer = OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 1, 2))
    with pytest.raises(TransitionNotAllowed):
        services.officer_card_reactivate(officer=officer, acting_user=people["pm"])
    assert services.cards_deactivate_lapsed(today=dt.date(2018, 3, 1)) == 1
    officer.refresh_from_db()
    assert officer.card_deactivated_on == dt.date(2018, 3, 1)
    officer = services.officer_card_request_reactivation(officer=officer, acting_user=people["pm"])
    with pytest.raises(TransitionNotAllowed):
        services.officer_card_request_reactivation(officer=officer, acting_user=people["pm"])
    officer = services.officer_card_reactivate(officer=officer, acting_user=people["pm"])
    standing = Officer.objects.with_standing(dt.date(2018, 3, 1)).get(pk=officer.pk)
    assert officer.card_deactivated_on is None and standing.card_state() == "active" and standing.can_act()


def test_course_retirement_needs_an_alternative_or_a_waiver(world, people):
    with pytest.raises(ValidationError):
        services.course_retire(course=course("PALMS-OPSEC"), acting_user=people["chief"])
    retired = services.course_retire(
        course=course("PALMS-OPSEC"),
        acting_user=people["chief"],
        waiver="No longer offered in PALMS; covered by Information awareness",
    )
    assert retired.retired_on == dt.date(2018, 3, 1)


def test_nightly_task_deactivates_lapsed_cards(world):
    from training.tasks import nightly_credentials

    OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 1, 2))
    assert nightly_credentials() == {"cards_deactivated": 1, "suspended": 0, "revoked": 0}
    assert nightly_credentials()["cards_deactivated"] == 0
