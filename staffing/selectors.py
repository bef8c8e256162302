"""Reads of the staffing app."""

from __future__ import annotations

import datetime as dt

from portal.roles import HQ_WRITERS, Role, field_office_id_of, role_of

from .choices import AssignmentKind
from .models import Assignment


def is_above(actor, person) -> bool:
    """Whether ``actor`` stands above ``person`` in either reporting line: HQ (Unit Chief,
    National Program Manager) above everyone, a Field Office Director above the staff of
    their office."""
    if actor is None or person is None or actor.pk == person.pk:
        return False
    role = role_of(actor)
    if role in HQ_WRITERS:
        return True
    if role == Role.FIELD_OFFICE_DIRECTOR:
        office = field_office_id_of(actor)
        return office is not None and office == field_office_id_of(person)
    return False


def primary_manager_ids(day: dt.date) -> dict[int, int]:
    """Agency id -> user id of its primary program manager on ``day``."""
    result: dict[int, int] = {}
    for agency_id, pm_id in (
        Assignment.objects.active_on(day).filter(kind=AssignmentKind.PRIMARY)
        .order_by("agency_id", "-starts_on").values_list("agency_id", "program_manager_id")
    ):
        result.setdefault(agency_id, pm_id)
    return result
