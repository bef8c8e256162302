"""Writes of the staffing app: program managers' assignments to agencies."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from .choices import AssignmentKind
from .models import Assignment


def _overlapping(agency, starts_on, ends_on, exclude_pk=None):
    qs = Assignment.objects.filter(agency=agency).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        qs = qs.filter(starts_on__lte=ends_on)
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


def _validate(assignment: Assignment) -> None:
    assignment.full_clean(validate_constraints=False)
    if assignment.ends_on and assignment.ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": ["An assignment cannot end before it starts."]})
    overlapping = _overlapping(assignment.agency, assignment.starts_on, assignment.ends_on, assignment.pk)
    if assignment.kind == AssignmentKind.PRIMARY and overlapping.filter(kind=AssignmentKind.PRIMARY).exists():
        raise ValidationError({"kind": ["The agency already has a primary program manager for these dates."]})
    if overlapping.filter(program_manager=assignment.program_manager).exists():
        raise ValidationError({"program_manager": ["This manager is already assigned to the agency for these dates."]})


@transaction.atomic
def assignment_create(*, acting_user, agency, program_manager, kind: str, starts_on: dt.date,
                      ends_on: dt.date | None = None, note: str = "") -> Assignment:
    assignment = Assignment(agency=agency, program_manager=program_manager, kind=kind,
                            starts_on=starts_on, ends_on=ends_on, note=note)
    _validate(assignment)
    assignment._history_user = acting_user
    assignment.save()
    return assignment


@transaction.atomic
def assignment_update(*, assignment: Assignment, acting_user, **fields) -> Assignment:
    for name, value in fields.items():
        setattr(assignment, name, value)
    _validate(assignment)
    assignment._history_user = acting_user
    assignment.save()
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, acting_user, ends_on: dt.date) -> Assignment:
    return assignment_update(assignment=assignment, acting_user=acting_user, ends_on=ends_on)
