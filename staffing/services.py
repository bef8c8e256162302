"""Writes of the staffing app: assignments and handovers, reporting lines, other duties,
absences, workload reports and the staffing model. Each records the acting user."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from portal import access
from portal.audit.bulk import bulk_create_with_history, bulk_update_with_history
from portal.history import stamp
from portal.roles import Role, role_of
from portal.tables import display
from portal.writes import model_update

from .choices import AssignmentKind, ReportingLineKind
from .models import Absence, Assignment, OtherDuty, ReportingLine, StaffingModel, WorkloadReport


def _overlapping(agency, starts_on, ends_on, exclude_pk=None):
    qs = Assignment.objects.filter(agency=agency).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        qs = qs.filter(starts_on__lte=ends_on)
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


def _check_assignment(assignment: Assignment) -> None:
    """The rules beyond the model's (its overlap constraints answer with field messages here)."""
    if assignment.ends_on and assignment.ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": ["An assignment cannot end before it starts."]})
    overlapping = _overlapping(assignment.agency, assignment.starts_on, assignment.ends_on, assignment.pk)
    if assignment.kind == AssignmentKind.PRIMARY and overlapping.filter(kind=AssignmentKind.PRIMARY).exists():
        raise ValidationError({"kind": ["The agency already has a primary program manager for these dates."]})
    if overlapping.filter(program_manager=assignment.program_manager).exists():
        raise ValidationError({"program_manager": ["This manager is already assigned to the agency for these dates."]})


@transaction.atomic
def assignment_create(
    *,
    acting_user,
    agency,
    program_manager,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    note: str = "",
) -> Assignment:
    assignment, _ = model_update(
        instance=Assignment(),
        acting_user=acting_user,
        validate_constraints=False,
        check=_check_assignment,
        data={
            "agency": agency,
            "program_manager": program_manager,
            "kind": kind,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "note": note,
        },
    )
    return assignment


@transaction.atomic
def assignment_update(*, assignment: Assignment, acting_user, **fields) -> Assignment:
    assignment, _ = model_update(
        instance=assignment, data=fields, acting_user=acting_user, validate_constraints=False, check=_check_assignment
    )
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, acting_user, ends_on: dt.date, reason: str = "") -> Assignment:
    assignment, _ = model_update(
        instance=assignment,
        data={"ends_on": ends_on},
        acting_user=acting_user,
        reason=reason[:100],
        validate_constraints=False,
        check=_check_assignment,
    )
    return assignment


@transaction.atomic
def assignments_end_for_agreement(*, agreement, acting_user, on: dt.date, reason: str = "") -> dict:
    """An agreement was terminated or withdrawn on ``on``: when the agency has no other
    agreement left (signed, suspended or pending), every assignment of the agency ends. Those running on
    ``on`` end that day; those that would start later are cancelled (deleted, their
    history keeps who cancelled them and why), since an assignment cannot end before it
    starts."""
    from agreements.selectors import other_agreements_held

    counts = {"ended": 0, "cancelled": 0}
    if other_agreements_held(agreement, include_pending=True).exists():
        return counts
    why = f"Agreement {agreement.get_status_display().lower()} on {display(on)}" + (f": {reason}" if reason else "")
    assignments = (
        Assignment.objects.select_for_update()
        .filter(agency_id=agreement.agency_id)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on))
    )
    for assignment in assignments:
        if assignment.starts_on > on:
            stamp(assignment, acting_user, f"Cancelled: {why}"[:100])
            assignment.delete()
            counts["cancelled"] += 1
        else:
            assignment_end(assignment=assignment, acting_user=acting_user, ends_on=on, reason=why)
            counts["ended"] += 1
    return counts


def _check_dates(instance, what: str) -> None:
    if instance.ends_on is not None and instance.starts_on and instance.ends_on < instance.starts_on:
        raise ValidationError({"ends_on": [f"{what} cannot end before it starts."]})


# --- handover ---------------------------------------------------------------------------


@transaction.atomic
def assignments_hand_over(*, acting_user, manager, on: dt.date, to=None, note: str = "") -> dict:
    """Hand over, in one step, every agency of a program manager who leaves or moves.

    Each of the manager's assignments active on ``on`` ends the day before. Where the
    manager was primary, the new primary from ``on`` is ``to`` if chosen, else the
    agency's backup on that day (whose backup assignment then ends, so the agency is left
    without a backup and the sweep flags it). Where the manager was backup, ``to`` (if
    chosen and not already the primary) becomes the backup. All or nothing: an agency
    with no backup and no chosen manager stops the handover. The changes are written in
    bulk with their history, under ``acting_user``.
    """
    if to is not None and to.pk == manager.pk:
        raise ValidationError({"to": ["Choose a manager other than the one leaving."]})
    if to is not None and role_of(to) != Role.FIELD_PM:
        raise ValidationError({"to": ["Agencies can be handed over only to a field program manager."]})
    leaving = list(Assignment.objects.active_on(on).filter(program_manager=manager).select_related("agency"))
    if not leaving:
        raise ValidationError({"manager": ["This manager holds no assignment on that date."]})
    too_recent = [a.agency.name for a in leaving if a.starts_on >= on]
    if too_recent:
        raise ValidationError(
            {"on": [f"The handover date must be after the assignment started ({', '.join(too_recent)})."]}
        )
    agency_ids = [a.agency_id for a in leaving]
    others = list(Assignment.objects.active_on(on).filter(agency_id__in=agency_ids).exclude(program_manager=manager))
    backup_of = {a.agency_id: a for a in others if a.kind == AssignmentKind.BACKUP}
    primary_of = {a.agency_id: a for a in others if a.kind == AssignmentKind.PRIMARY}
    held_by_to = {a.agency_id: a for a in others if to is not None and a.program_manager_id == to.pk}
    uncovered = [
        a.agency.name
        for a in leaving
        if a.kind == AssignmentKind.PRIMARY and to is None and a.agency_id not in backup_of
    ]
    if uncovered:
        raise ValidationError(
            {"to": ["These agencies have no backup to take over; choose a manager: " + ", ".join(sorted(uncovered))]}
        )
    ended, created = [], []
    end_day = on - dt.timedelta(days=1)
    reason = f"Handover from {manager.get_full_name() or manager.username}" + (f": {note}" if note else "")
    for a in leaving:
        a.ends_on = end_day
        ended.append(a)
        if a.kind == AssignmentKind.PRIMARY:
            successor_assignment = held_by_to.get(a.agency_id) if to is not None else backup_of[a.agency_id]
            successor = to if to is not None else backup_of[a.agency_id].program_manager
            if successor_assignment is not None:  # the successor stops being the backup
                if successor_assignment.starts_on >= on:
                    raise ValidationError(
                        {"on": [f"{a.agency.name}: the successor's assignment starts on or after the handover date."]}
                    )
                successor_assignment.ends_on = end_day
                ended.append(successor_assignment)
            created.append(
                Assignment(
                    agency_id=a.agency_id,
                    program_manager=successor,
                    kind=AssignmentKind.PRIMARY,
                    starts_on=on,
                    note=reason[:250],
                )
            )
        elif (
            to is not None
            and a.agency_id not in held_by_to
            and (a.agency_id not in primary_of or primary_of[a.agency_id].program_manager_id != to.pk)
        ):
            created.append(
                Assignment(
                    agency_id=a.agency_id,
                    program_manager=to,
                    kind=AssignmentKind.BACKUP,
                    starts_on=on,
                    note=reason[:250],
                )
            )
    for a in ended:
        a._change_reason = reason[:100]
    bulk_update_with_history(
        ended, Assignment, ["ends_on"], default_user=acting_user, default_change_reason=reason[:100]
    )
    bulk_create_with_history(created, Assignment, default_user=acting_user, default_change_reason=reason[:100])
    return {"ended": len(ended), "created": len(created)}


# --- reporting lines, other duties, absences ----------------------------------------------


def _check_supervisor(kind: str, supervisor) -> None:
    role = role_of(supervisor)
    if kind == ReportingLineKind.PROGRAM and role not in (Role.NATIONAL_PM, Role.UNIT_CHIEF):
        raise ValidationError({"supervisor": ["A program line goes to a National Program Manager or the Unit Chief."]})
    if kind == ReportingLineKind.ADMINISTRATIVE and role != Role.FIELD_OFFICE_DIRECTOR:
        raise ValidationError({"supervisor": ["An administrative line goes to a Field Office Director."]})


@transaction.atomic
def reporting_line_set(
    *, acting_user, manager, kind: str, supervisor, starts_on: dt.date, note: str = ""
) -> ReportingLine:
    """Name ``supervisor`` as ``manager``'s supervisor on one line from ``starts_on``; the
    manager's open line of that kind ends the day before."""
    if supervisor.pk == manager.pk:
        raise ValidationError({"supervisor": ["A manager cannot supervise themselves."]})
    _check_supervisor(kind, supervisor)
    current = ReportingLine.objects.filter(manager=manager, kind=kind, ends_on__isnull=True).first()
    if current is not None:
        if current.starts_on >= starts_on:
            raise ValidationError({"starts_on": ["The new line must start after the current one started."]})
        model_update(
            instance=current,
            data={"ends_on": starts_on - dt.timedelta(days=1)},
            acting_user=acting_user,
            reason="Replaced by a new reporting line",
        )
    line, _ = model_update(
        instance=ReportingLine(),
        acting_user=acting_user,
        data={"manager": manager, "kind": kind, "supervisor": supervisor, "starts_on": starts_on, "note": note},
    )
    return line


@transaction.atomic
def reporting_line_update(*, line: ReportingLine, acting_user, **fields) -> ReportingLine:
    def check(line):
        _check_dates(line, "A reporting line")
        _check_supervisor(line.kind, line.supervisor)

    line, _ = model_update(instance=line, data=fields, acting_user=acting_user, validate_constraints=False, check=check)
    return line


def check_may_record_for(acting_user, manager, model=Absence) -> None:
    """HQ writers record absences and other duties of anyone; a Field Office Director
    those of the program managers of their office (``portal.access``)."""
    if not access.may(acting_user, "add", model(manager=manager)):
        raise PermissionDenied("You may record this only for the program managers of your office.")


@transaction.atomic
def other_duty_save(*, acting_user, duty: OtherDuty | None = None, **fields) -> OtherDuty:
    """Record (or change) a share of a manager's time given to other duties."""
    duty = duty or OtherDuty()
    check_may_record_for(acting_user, fields["manager"] if "manager" in fields else duty.manager, OtherDuty)

    def check(duty):
        _check_dates(duty, "An other duty")
        overlapping = OtherDuty.objects.filter(manager=duty.manager).exclude(pk=duty.pk)
        overlapping = overlapping.overlapping(duty.starts_on, duty.ends_on or dt.date.max)
        total = sum(overlapping.values_list("share_percent", flat=True)) + duty.share_percent
        if total > 100:
            raise ValidationError(
                {"share_percent": [f"Other duties overlapping these dates would take {total}% of the manager's time."]}
            )

    duty, _ = model_update(instance=duty, data=fields, acting_user=acting_user, validate_constraints=False, check=check)
    return duty


@transaction.atomic
def absence_save(*, acting_user, absence: Absence | None = None, **fields) -> Absence:
    """Record (or change) a manager's absence: leave, training or travel."""
    absence = absence or Absence()
    check_may_record_for(acting_user, fields["manager"] if "manager" in fields else absence.manager)

    def check(absence):
        _check_dates(absence, "An absence")
        if (
            Absence.objects.filter(manager=absence.manager)
            .exclude(pk=absence.pk)
            .overlapping(absence.starts_on, absence.ends_on)
            .exists()
        ):
            raise ValidationError({"starts_on": ["The manager already has an absence on some of these dates."]})

    absence, _ = model_update(
        instance=absence, data=fields, acting_user=acting_user, validate_constraints=False, check=check
    )
    return absence


@transaction.atomic
def absence_end_or_cancel(*, acting_user, absence: Absence, today: dt.date) -> str:
    """End an absence in progress today (the manager is back tomorrow) or cancel one that
    has not begun (the record is deleted; its history keeps who cancelled it). A past
    absence stays as it was: it is the record of who could sign on those days.
    Returns "ended" or "cancelled"."""
    check_may_record_for(acting_user, absence.manager)
    if absence.ends_on < today:
        raise ValidationError({"ends_on": ["This absence is over; it stays on the record."]})
    if absence.starts_on > today:
        stamp(absence, acting_user, "Cancelled before it began").delete()
        return "cancelled"
    if absence.ends_on == today:
        raise ValidationError({"ends_on": ["This absence already ends today."]})
    model_update(instance=absence, data={"ends_on": today}, acting_user=acting_user, reason="Ended early")
    return "ended"


# --- workload reports and the staffing model ---------------------------------------------


def validate_workload(
    *,
    month: dt.date,
    encounters_processed: int,
    charging_documents_prepared: int,
    detainers_issued: int,
    today: dt.date,
) -> dict[str, list[str]]:
    """Field messages for a workload report's values (empty when valid)."""
    errors: dict[str, list[str]] = {}
    if month.day != 1:
        errors["month"] = ["Give the first day of the month reported."]
    elif month > today.replace(day=1):
        errors["month"] = ["A month cannot be reported before it has begun."]
    for name, value in (
        ("encounters_processed", encounters_processed),
        ("charging_documents_prepared", charging_documents_prepared),
        ("detainers_issued", detainers_issued),
    ):
        if value is None or value < 0:
            errors[name] = ["Give a whole number, zero or more."]
    if not errors and charging_documents_prepared > encounters_processed:
        errors["charging_documents_prepared"] = [
            "Charging documents are prepared from encounters: there cannot be more than encounters processed."
        ]
    return errors


@transaction.atomic
def workload_report_save(*, acting_user, report: WorkloadReport | None = None, **fields) -> WorkloadReport:
    """Record (or correct) one month of an agency's workload."""
    from portal import dates

    report = report or WorkloadReport()
    # The program's messages for the counts come before the model's generic ones.
    counts = ("month", "encounters_processed", "charging_documents_prepared", "detainers_issued")
    errors = validate_workload(
        **{name: fields.get(name, getattr(report, name)) for name in counts}, today=dates.today()
    )
    if errors:
        raise ValidationError(errors)

    def check(report):
        if WorkloadReport.objects.filter(agency=report.agency, month=report.month).exclude(pk=report.pk).exists():
            raise ValidationError({"month": ["This agency already has a report for this month; correct that one."]})

    report, _ = model_update(
        instance=report, data=fields, acting_user=acting_user, validate_constraints=False, check=check
    )
    return report


@transaction.atomic
def staffing_model_update(*, acting_user, **fields) -> StaffingModel:
    """Change the staffing model's parameters (the Unit Chief's setting)."""
    if not access.may(acting_user, "change", StaffingModel):
        raise PermissionDenied("Only the Unit Chief changes the staffing model.")
    model, _ = model_update(
        instance=StaffingModel.current(), data=fields, acting_user=acting_user, reason="Staffing model changed"
    )
    return model
