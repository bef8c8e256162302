"""Every write of the training app: officers' transitions, security cards, the course
catalogue, academy classes and enrolments, completions and recertification waivers.

Each service is atomic, validates, and records who acted, when and why (an
``OfficerEvent`` for a status change, django-simple-history for every record).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal import access, bounds, dates
from portal.audit.bulk import bulk_create_with_history, bulk_update_with_history
from portal.errors import TransitionNotAllowed
from portal.tables import display
from portal.writes import model_update

from . import conf
from .choices import (
    ACTIVE_ENROLLMENT,
    TRANSITIONS,
    ClassStatus,
    CompletionSource,
    CourseKind,
    EnrollmentStatus,
    OfficerStatus,
    SuspensionCause,
)
from .models import AcademyClass, AcademySite, Completion, Course, Enrollment, Officer, OfficerEvent, Waiver

#: Transitions that must say why.
REASON_REQUIRED = {"suspend", "reinstate", "revoke", "leave", "withdraw_training"}
#: Transitions only HQ makes: revocation ends an officer's delegated authority for good.
HQ_ONLY = {"revoke"}


def _create(instance, acting_user, reason: str = ""):
    """Validate and save a new record, naming who created it and why."""
    return model_update(instance=instance, data={}, acting_user=acting_user, reason=reason[:250])[0]


def _update(instance, acting_user, reason: str = "", **data):
    return model_update(instance=instance, data=data, acting_user=acting_user, reason=reason[:250])[0]


# --- officers -----------------------------------------------------------------------------


@transaction.atomic
def officer_create(
    *,
    agency,
    officer_number: str,
    last_name: str,
    first_name: str,
    email: str,
    acting_user,
    nominated_on: dt.date | None = None,
    reason: str = "",
) -> Officer:
    """Nominate an agency's officer for the program (the first status)."""
    on = nominated_on or dates.today()
    officer = Officer(
        agency=agency,
        officer_number=(officer_number or "").strip(),
        last_name=last_name,
        first_name=first_name,
        email=email,
        status=OfficerStatus.NOMINATED,
        status_since=on,
    )
    _create(officer, acting_user, reason or "Nominated")
    OfficerEvent.objects.create(
        officer=officer,
        verb="nominate",
        to_status=OfficerStatus.NOMINATED,
        on=on,
        acting_user=acting_user,
        reason=reason or "Nominated by the agency",
    )
    return officer


@transaction.atomic
def officer_update(*, officer: Officer, acting_user, **fields) -> Officer:
    """Correct an officer's name, e-mail or officer number (never the status)."""
    details = {name: fields[name] for name in ("last_name", "first_name", "email", "officer_number") if name in fields}
    return _update(officer, acting_user, "Details corrected", **details)


@transaction.atomic
def officer_transition(
    *,
    officer: Officer,
    verb: str,
    acting_user,
    on: dt.date | None = None,
    reason: str = "",
    cause: str = SuspensionCause.OTHER,
) -> Officer:
    """Move an officer along the lifecycle: nominated → background adjudicated → in basic
    training → certified → suspended → revoked, or left the program."""
    if verb not in TRANSITIONS:
        raise ValidationError({"verb": [f"Unknown transition “{verb}”."]})
    if verb in HQ_ONLY and acting_user is not None and not access.may(acting_user, verb, Officer):
        raise PermissionDenied("Only the Unit Chief or a National Program Manager revokes an officer.")
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    to_status = TRANSITIONS[verb][1]
    refusal = officer_change_refusal(officer, verb)
    if refusal:
        raise TransitionNotAllowed(refusal)
    reason = (reason or "").strip()
    if verb in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": ["Give the reason for this change."]})
    on = on or dates.today()
    if on > dates.today():
        raise ValidationError({"on": ["The date cannot be in the future."]})
    from_status = officer.status
    data = {"status": to_status, "status_since": on}
    if verb == "certify":
        data["certified_on"] = on
    elif verb == "suspend":
        data.update(suspended_on=on, suspension_cause=cause)
    elif verb == "reinstate":
        data.update(suspended_on=None, suspension_cause="")
    elif verb == "revoke":
        data["revoked_on"] = on
    elif verb == "leave":
        data["left_on"] = on
    _update(officer, acting_user, reason or verb.replace("_", " ").capitalize(), **data)
    OfficerEvent.objects.create(
        officer=officer,
        verb=verb,
        from_status=from_status,
        to_status=to_status,
        on=on,
        acting_user=acting_user,
        reason=reason,
    )
    return officer


def officer_adjudicate(*, officer, acting_user, on=None, reason=""):
    return officer_transition(officer=officer, verb="adjudicate", acting_user=acting_user, on=on, reason=reason)


def officer_certify(*, officer, acting_user, on=None, reason=""):
    return officer_transition(officer=officer, verb="certify", acting_user=acting_user, on=on, reason=reason)


def officer_suspend(*, officer, acting_user, reason, on=None, cause=SuspensionCause.OTHER):
    return officer_transition(
        officer=officer, verb="suspend", acting_user=acting_user, on=on, reason=reason, cause=cause
    )


def officer_reinstate(*, officer, acting_user, reason, on=None):
    return officer_transition(officer=officer, verb="reinstate", acting_user=acting_user, on=on, reason=reason)


def officer_revoke(*, officer, acting_user, reason, on=None):
    return officer_transition(officer=officer, verb="revoke", acting_user=acting_user, on=on, reason=reason)


def officer_leave(*, officer, acting_user, reason, on=None):
    return officer_transition(officer=officer, verb="leave", acting_user=acting_user, on=on, reason=reason)


#: The changes an officer's page offers: the status transitions a person records (the
#: training ones follow the enrolments) and the security card's.
CARD_VERBS = ("request-card-reactivation", "reactivate-card")


def officer_change_refusal(standing: Officer, verb: str) -> str | None:
    """Why ``verb`` (a status transition or a card change) would be refused for the officer
    now by its service, or None when it is open: the state rules of ``officer_transition``,
    ``officer_card_request_reactivation`` and ``officer_card_reactivate``, read from an
    officer loaded ``with_standing`` (for the card's state), so a page offers only the
    changes the service then accepts. Who may make them is the access policy's."""
    if verb == "request-card-reactivation":
        return _reactivation_request_refusal(standing)
    if verb == "reactivate-card":
        return None if _reactivation_pending(standing) else "Request the card's reactivation first."
    if verb not in TRANSITIONS:
        return f"Unknown transition “{verb}”."
    allowed_from, to_status = TRANSITIONS[verb]
    if standing.status not in allowed_from:
        return (
            f"An officer who is {standing.get_status_display().lower()} cannot be moved to "
            f"“{OfficerStatus(to_status).label}”."
        )
    return None


def _bulk_transition(officers: list[Officer], *, verb: str, on: dt.date, reason: str, acting_user=None, **values):
    """Apply one transition to many officers in a few statements (the nightly enforcement)."""
    if not officers:
        return 0
    _, to_status = TRANSITIONS[verb]
    events = [
        OfficerEvent(
            officer=o,
            verb=verb,
            from_status=o.status,
            to_status=to_status,
            on=on,
            acting_user=acting_user,
            reason=reason,
        )
        for o in officers
    ]
    for o in officers:
        o.status, o.status_since = to_status, on
        for name, value in values.items():
            setattr(o, name, value)
    bulk_update_with_history(
        officers,
        Officer,
        ["status", "status_since", *values],
        batch_size=500,
        default_user=acting_user,
        default_change_reason=reason[:100],
    )
    OfficerEvent.objects.bulk_create(events, batch_size=500)
    return len(officers)


@transaction.atomic
def recertification_enforce(*, today: dt.date | None = None) -> dict[str, int]:
    """Suspend officers who missed the 30 September recertification and revoke those
    still suspended 90 days later without a waiver, where the settings make these
    automatic (otherwise the sweep's findings propose them to the managers)."""
    from .selectors import officers_due_revocation, officers_due_suspension

    today = today or dates.today()
    counts = {"suspended": 0, "revoked": 0}
    if conf.get("TRAINING_AUTO_SUSPEND"):
        fy = dates.fiscal_year(today) - 1
        officers = list(officers_due_suspension(today).select_for_update(of=("self",)))
        counts["suspended"] = _bulk_transition(
            officers,
            verb="suspend",
            on=today,
            suspended_on=today,
            suspension_cause=SuspensionCause.RECERTIFICATION,
            reason=f"Automatic: PALMS recertification for FY{fy} not completed by 30 September.",
        )
    if conf.get("TRAINING_AUTO_REVOKE"):
        officers = list(officers_due_revocation(today).select_for_update(of=("self",)))
        counts["revoked"] = _bulk_transition(
            officers,
            verb="revoke",
            on=today,
            revoked_on=today,
            reason="Automatic: not recertified 90 days after suspension, and no waiver.",
        )
    return counts


def _officers_of_agency_ended(agency_id: int):
    return Officer.objects.select_for_update().filter(
        agency_id=agency_id, status=OfficerStatus.SUSPENDED, suspension_cause=SuspensionCause.DESIGNATION_ENDED
    )


@transaction.atomic
def designations_end_for_agreement(*, agreement, acting_user, on: dt.date, reason: str = "") -> int:
    """An agreement was terminated or withdrawn on ``on``: when no other agreement of the
    agency is held (signed, or suspended and so may be reinstated), the designation of its
    certified officers rested on that agreement alone. They leave active status on ``on``:
    suspended with the cause "designation ended", an ``OfficerEvent`` and history each.
    A new agreement of the agency being signed reinstates them."""
    from agreements.selectors import other_agreements_held

    if other_agreements_held(agreement).exists():
        return 0
    officers = list(
        Officer.objects.select_for_update().filter(agency_id=agreement.agency_id, status=OfficerStatus.CERTIFIED)
    )
    what = "terminated" if agreement.status == "terminated" else "withdrawn"
    why = f"Designation ended: the agreement ({agreement.get_program_model_display()}) was {what} on {display(on)}"
    why += f": {reason}" if reason else "."
    return _bulk_transition(
        officers,
        verb="suspend",
        on=on,
        reason=why[:500],
        acting_user=acting_user,
        suspended_on=on,
        suspension_cause=SuspensionCause.DESIGNATION_ENDED,
    )


@transaction.atomic
def designations_restore_for_agencies(*, agency_ids, acting_user, on_by_agency: dict) -> int:
    """New agreements were signed: officers whose designation ended with an earlier
    agreement of the same agency are certified again from the signature date."""
    officers = list(
        Officer.objects.select_for_update().filter(
            agency_id__in=list(agency_ids),
            status=OfficerStatus.SUSPENDED,
            suspension_cause=SuspensionCause.DESIGNATION_ENDED,
        )
    )
    restored = 0
    for agency_id in {o.agency_id for o in officers}:
        mine = [o for o in officers if o.agency_id == agency_id]
        on = on_by_agency[agency_id]
        restored += _bulk_transition(
            mine,
            verb="reinstate",
            on=on,
            acting_user=acting_user,
            suspended_on=None,
            suspension_cause="",
            reason=f"Designation restored: a new agreement of the agency was signed on {display(on)}.",
        )
    return restored


# --- security cards ---------------------------------------------------------------------


@transaction.atomic
def cards_deactivate_lapsed(*, today: dt.date | None = None) -> int:
    """Deactivate the cards of certified officers with no login for more than 30 days."""
    today = today or dates.today()
    qs = Officer.objects.with_standing(today).filter(status=OfficerStatus.CERTIFIED, card_deactivated_on__isnull=True)
    officers = list(qs.filter(Officer.objects.card_lapsed_q(today)).only("id", "card_deactivated_on"))
    for o in officers:
        o.card_deactivated_on = today
    if officers:
        bulk_update_with_history(
            officers,
            Officer,
            ["card_deactivated_on"],
            batch_size=500,
            default_change_reason="Security card deactivated: no login for more than 30 days",
        )
    return len(officers)


def _reactivation_pending(officer: Officer) -> bool:
    """Whether the officer's card reactivation was requested and not yet done."""
    return bool(officer.card_reactivation_requested_on) and not (
        officer.card_reactivated_on and officer.card_reactivated_on >= officer.card_reactivation_requested_on
    )


def _reactivation_request_refusal(standing: Officer) -> str | None:
    if standing.status not in (OfficerStatus.CERTIFIED, OfficerStatus.SUSPENDED):
        return f"An officer who is {standing.get_status_display().lower()} has no card to reactivate."
    if _reactivation_pending(standing):
        return "Reactivation of this card has already been requested."
    if standing.card_state() != "lapsed":
        return "Only a lapsed (deactivated) card needs reactivation."
    return None


@transaction.atomic
def officer_card_request_reactivation(*, officer: Officer, acting_user, on: dt.date | None = None) -> Officer:
    """A program manager asks for a lapsed card to be reactivated."""
    refusal = _reactivation_request_refusal(Officer.objects.with_standing(on or dates.today()).get(pk=officer.pk))
    if refusal:
        raise TransitionNotAllowed(refusal)
    return _update(
        officer, acting_user, "Card reactivation requested", card_reactivation_requested_on=on or dates.today()
    )


@transaction.atomic
def officer_card_reactivate(*, officer: Officer, acting_user, on: dt.date | None = None) -> Officer:
    """Record that the card was reactivated: its 30 days count again from today."""
    if not _reactivation_pending(officer):
        raise TransitionNotAllowed("Request the card's reactivation first.")
    return _update(
        officer, acting_user, "Card reactivated", card_reactivated_on=on or dates.today(), card_deactivated_on=None
    )


@transaction.atomic
def card_login_record(*, officer: Officer, logged_in_at: dt.datetime, acting_user):
    """Record one security-card login of an officer (what the card-login import does for
    a row): the officer's last login moves forward when it is later. A login in the future
    answers 400 on its time; one already recorded, 409."""
    from .importers import import_card_logins

    if logged_in_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"logged_in_at": ["The login cannot be in the future."]})
    report = import_card_logins(
        [(1, {"officer_number": officer.officer_number, "logged_in_at": logged_in_at.isoformat()})],
        acting_user=acting_user,
    )
    if report.errors:
        raise ValidationError({"logged_in_at": [e["message"] for e in report.errors]})
    if not report.created:
        raise TransitionNotAllowed(
            f"A login at {timezone.localtime(logged_in_at):%Y-%m-%d %H:%M} is already recorded for this officer."
        )
    return report


# --- courses ------------------------------------------------------------------------------


@transaction.atomic
def course_retire(
    *,
    course: Course,
    acting_user,
    retired_on: dt.date | None = None,
    alternative: Course | None = None,
    waiver: str = "",
) -> Course:
    """Retire a course no longer offered, naming an alternative or recording a waiver."""
    if course.retired_on:
        raise TransitionNotAllowed("This course is already retired.")
    waiver = (waiver or "").strip()
    if alternative is None and not waiver:
        raise ValidationError({"alternative": ["Name an alternative course or record a waiver."]})
    if alternative is not None and (
        alternative.pk == course.pk or alternative.kind != course.kind or alternative.retired_on
    ):
        raise ValidationError({"alternative": ["The alternative must be another current course of the same kind."]})
    return _update(
        course,
        acting_user,
        "Course retired",
        retired_on=retired_on or dates.today(),
        alternative=alternative,
        retirement_waiver=waiver,
    )


# --- academy classes and enrolments ----------------------------------------------------------


@transaction.atomic
def class_schedule(
    *,
    course: Course,
    starts_on: dt.date,
    acting_user,
    site: AcademySite | None = None,
    capacity: int | None = None,
    q1_override_reason: str = "",
) -> AcademyClass:
    """Schedule an academy class. A basic class that would run on any day of Q1 of the
    fiscal year (October to December) is refused unless HQ overrides the rule with a
    reason (recorded with who gave it); a site holds at most its number of concurrent
    classes."""
    if course.kind == CourseKind.PALMS:
        raise ValidationError({"course": ["PALMS courses are taken online, not in academy classes."]})
    if course.retired_on:
        raise ValidationError({"course": ["This course is retired."]})
    site = site or AcademySite.objects.filter(is_default=True).first()
    if site is None:
        raise ValidationError({"site": ["Choose a site."]})
    try:  # before the end date is computed from it: a start in the year 9999 has no end
        bounds.ACADEMY_CLASS(starts_on)
    except ValidationError as exc:
        raise ValidationError({"starts_on": exc.messages}) from None
    site = AcademySite.objects.select_for_update().get(pk=site.pk)  # one scheduler at a time per site
    ends_on = starts_on + dt.timedelta(days=course.duration_days - 1)
    reason = (q1_override_reason or "").strip()
    in_q1 = course.kind == CourseKind.BASIC and dates.runs_in_fiscal_q1(starts_on, ends_on)
    if in_q1:
        if not reason:
            raise ValidationError(
                {
                    "starts_on": [
                        f"Basic classes are not held in Q1 of the fiscal year (October to December), on any day: this class "
                        f"would run from {display(starts_on)} to {display(ends_on)}. HQ may override this with a reason."
                    ]
                }
            )
        if not access.may(acting_user, "schedule_in_q1", AcademyClass):
            raise PermissionDenied("Only HQ may override the rule against basic classes in Q1.")
    overlapping = (
        AcademyClass.objects.filter(site=site, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .exclude(status=ClassStatus.CANCELLED)
        .count()
    )
    if overlapping >= site.max_concurrent_classes:
        raise ValidationError(
            {
                "starts_on": [
                    f"{site.name} already runs {overlapping} class(es) on these dates; its limit is "
                    f"{site.max_concurrent_classes} at the same time."
                ]
            }
        )
    academy_class = AcademyClass(
        course=course,
        site=site,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity or site.default_capacity,
        q1_override_reason=reason if in_q1 else "",
        q1_override_by=acting_user if in_q1 else None,
    )
    return _create(
        academy_class,
        acting_user,
        "Class scheduled" + (f"; Q1 override: {reason}" if academy_class.q1_override_reason else ""),
    )


@transaction.atomic
def class_set_capacity(*, academy_class: AcademyClass, capacity: int, acting_user) -> AcademyClass:
    """Change a class's seats; freed seats go to the waiting list. Officers already
    seated keep their seats, so a smaller class can be overbooked (the sweep flags it)."""
    if capacity < 1:
        raise ValidationError({"capacity": ["A class has at least one seat."]})
    _update(academy_class, acting_user, "Capacity changed", capacity=capacity)
    _promote_waiting(academy_class, acting_user)
    return academy_class


def _promote_waiting(academy_class: AcademyClass, acting_user) -> list[Enrollment]:
    """Give freed seats to the waiting list, first come first served."""
    seated = academy_class.enrollments.filter(status=EnrollmentStatus.ENROLLED).count()
    free = academy_class.capacity - seated
    if free <= 0:
        return []
    promoted = list(
        academy_class.enrollments.filter(status=EnrollmentStatus.WAITLISTED)
        .select_related("officer")
        .order_by("requested_at", "pk")[:free]
    )
    now = timezone.now()
    for enrollment in promoted:
        _update(
            enrollment,
            acting_user,
            "Seat freed: promoted from the waiting list",
            status=EnrollmentStatus.ENROLLED,
            seat_given_at=now,
        )
        _enter_training(enrollment, acting_user)
    return promoted


def _enter_training(enrollment: Enrollment, acting_user) -> None:
    if (
        enrollment.academy_class.course.kind == CourseKind.BASIC
        and enrollment.officer.status == OfficerStatus.ADJUDICATED
    ):
        officer_transition(
            officer=enrollment.officer,
            verb="begin_training",
            acting_user=acting_user,
            reason=f"Seat in {enrollment.academy_class}",
        )


@transaction.atomic
def enrollment_request(*, academy_class: AcademyClass, officer: Officer, acting_user) -> Enrollment:
    """Ask for a seat for an officer: a free seat is given at once, otherwise the officer
    joins the waiting list. A basic class takes background-adjudicated officers; a
    refresher takes certified ones."""
    academy_class = AcademyClass.objects.select_for_update().select_related("course").get(pk=academy_class.pk)
    if academy_class.status != ClassStatus.SCHEDULED or academy_class.ends_on < dates.today():
        raise TransitionNotAllowed("This class is no longer open for enrolment.")
    kind = academy_class.course.kind
    if kind == CourseKind.BASIC and officer.status != OfficerStatus.ADJUDICATED:
        raise TransitionNotAllowed("Only officers whose background has been adjudicated enrol in the basic course.")
    if kind == CourseKind.REFRESHER and officer.status != OfficerStatus.CERTIFIED:
        raise TransitionNotAllowed("Only certified officers enrol in the refresher course.")
    if Enrollment.objects.filter(academy_class=academy_class, officer=officer, status__in=ACTIVE_ENROLLMENT).exists():
        raise TransitionNotAllowed("The officer is already enrolled in or waiting for this class.")
    seated = academy_class.enrollments.filter(status=EnrollmentStatus.ENROLLED).count()
    has_seat = seated < academy_class.capacity
    enrollment = Enrollment(
        academy_class=academy_class,
        officer=officer,
        requested_by=acting_user,
        status=EnrollmentStatus.ENROLLED if has_seat else EnrollmentStatus.WAITLISTED,
        seat_given_at=timezone.now() if has_seat else None,
    )
    _create(enrollment, acting_user, "Seat requested")
    if has_seat:
        _enter_training(enrollment, acting_user)
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, enrollment: Enrollment, acting_user, reason: str = "") -> Enrollment:
    """Withdraw an officer from a class; a freed seat goes to the first officer waiting."""
    academy_class = AcademyClass.objects.select_for_update().get(pk=enrollment.academy_class_id)
    enrollment = Enrollment.objects.select_related("officer", "academy_class__course").get(pk=enrollment.pk)
    if enrollment.status not in ACTIVE_ENROLLMENT:
        raise TransitionNotAllowed("This enrolment is no longer active.")
    had_seat = enrollment.status == EnrollmentStatus.ENROLLED
    _update(enrollment, acting_user, reason or "Withdrawn", status=EnrollmentStatus.WITHDRAWN)
    officer = enrollment.officer
    if (
        had_seat
        and enrollment.academy_class.course.kind == CourseKind.BASIC
        and officer.status == OfficerStatus.IN_TRAINING
    ):
        officer_transition(
            officer=officer,
            verb="withdraw_training",
            acting_user=acting_user,
            reason=reason or f"Withdrawn from {academy_class}",
        )
    if had_seat:
        _promote_waiting(academy_class, acting_user)
    return enrollment


@transaction.atomic
def class_complete(
    *,
    academy_class: AcademyClass,
    acting_user,
    completed_on: dt.date | None = None,
    not_completed: list[int] | tuple = (),
) -> AcademyClass:
    """Close a class: seated officers completed it (except those listed), a completion is
    recorded for each, and completing the basic class certifies the officer."""
    academy_class = AcademyClass.objects.select_for_update().select_related("course").get(pk=academy_class.pk)
    if academy_class.status != ClassStatus.SCHEDULED:
        raise TransitionNotAllowed("This class is already closed.")
    completed_on = completed_on or dates.today()
    if completed_on < academy_class.starts_on:
        raise ValidationError({"completed_on": ["A class cannot be completed before it starts."]})
    failed = set(not_completed)
    seated = list(academy_class.enrollments.filter(status=EnrollmentStatus.ENROLLED).select_related("officer"))
    passed = [e for e in seated if e.officer_id not in failed]
    for e in seated:
        e.status = EnrollmentStatus.NOT_COMPLETED if e.officer_id in failed else EnrollmentStatus.COMPLETED
    waiting = list(academy_class.enrollments.filter(status=EnrollmentStatus.WAITLISTED))
    for e in waiting:
        e.status = EnrollmentStatus.WITHDRAWN
    if seated or waiting:
        bulk_update_with_history(
            seated + waiting, Enrollment, ["status"], default_user=acting_user, default_change_reason="Class closed"
        )
    bulk_create_with_history(
        [
            Completion(
                officer=e.officer,
                course=academy_class.course,
                completed_on=completed_on,
                academy_class=academy_class,
                source=CompletionSource.ACADEMY,
                recorded_by=acting_user,
            )
            for e in passed
        ],
        Completion,
        ignore_conflicts=True,
        default_user=acting_user,
        default_change_reason="Academy class completed",
    )
    if academy_class.course.kind == CourseKind.BASIC:
        to_certify = [e.officer for e in passed if e.officer.status in TRANSITIONS["certify"][0]]
        _bulk_transition(
            to_certify,
            verb="certify",
            on=completed_on,
            acting_user=acting_user,
            certified_on=completed_on,
            reason=f"Completed the basic course ({academy_class})",
        )
    return _update(
        academy_class, acting_user, "Class completed", status=ClassStatus.COMPLETED, completed_on=completed_on
    )


@transaction.atomic
def completion_record(*, officer: Officer, course: Course, completed_on: dt.date, acting_user) -> Completion:
    """Record one course completion by hand (a duplicate is refused)."""
    if completed_on > dates.today():
        raise ValidationError({"completed_on": ["A completion cannot be in the future."]})
    if Completion.objects.filter(officer=officer, course=course, completed_on=completed_on).exists():
        raise TransitionNotAllowed("This completion is already recorded.")
    completion = Completion(
        officer=officer,
        course=course,
        completed_on=completed_on,
        recorded_by=acting_user,
        source=CompletionSource.MANUAL,
    )
    return _create(completion, acting_user, "Completion recorded")


# --- waivers --------------------------------------------------------------------------------


def may_grant_waiver(user, officer: Officer) -> bool:
    """A Field Responsible Official: HQ (Unit Chief, National PM) or the Field Office
    Director of the officer's agency's office."""
    return access.may(user, "add", Waiver(officer=officer))


@transaction.atomic
def waiver_grant(
    *, officer: Officer, reason: str, expires_on: dt.date, acting_user, fiscal_year: int | None = None
) -> Waiver:
    """Record a Field Responsible Official's waiver that keeps an officer who missed the
    recertification from revocation until it expires."""
    if not may_grant_waiver(acting_user, officer):
        raise PermissionDenied("Only the Field Office Director of the officer's office, or HQ, grants a waiver.")
    if officer.status not in (OfficerStatus.CERTIFIED, OfficerStatus.SUSPENDED):
        raise TransitionNotAllowed(f"An officer who is {officer.get_status_display().lower()} needs no waiver.")
    today = dates.today()
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Give the reason for the waiver."]})
    if expires_on is None or expires_on <= today:
        raise ValidationError({"expires_on": ["The waiver must expire after today."]})
    fy = fiscal_year or dates.fiscal_year(officer.suspended_on or today) - 1
    waiver = Waiver(
        officer=officer,
        fiscal_year=fy,
        reason=reason.strip(),
        expires_on=expires_on,
        granted_by=acting_user,
        granted_on=today,
    )
    return _create(waiver, acting_user, "Waiver granted")


@transaction.atomic
def training_settings_update(*, acting_user, **fields):
    """Change the officers' grace periods and the automatic suspension/revocation (the
    Unit Chief's setting)."""
    from portal.settings_sections import row_update

    from .models import TrainingSettings

    return row_update(TrainingSettings.current(), acting_user=acting_user, reason="Training settings changed", **fields)
