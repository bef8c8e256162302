"""Reads of the staffing app."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model

from portal.roles import HQ_WRITERS, Role, field_office_id_of, role_of

from .choices import AssignmentKind, ReportingLineKind
from .models import Absence, Assignment, ReportingLine


def supervisor_ids(person_ids, day: dt.date) -> dict[int, set[int]]:
    """Manager id -> ids of their explicit supervisors (either line) on ``day``."""
    result: dict[int, set[int]] = defaultdict(set)
    for manager_id, supervisor_id in (
        ReportingLine.objects.active_on(day)
        .filter(manager_id__in=list(person_ids))
        .values_list("manager_id", "supervisor_id")
    ):
        result[manager_id].add(supervisor_id)
    return result


def explicit_chain_above(person, day: dt.date | None = None) -> set[int]:
    """Ids of everyone above ``person`` through current reporting lines, transitively
    (a manager's supervisor, that supervisor's supervisor, and so on). One query per
    level of the chain, which is short (manager, director or National PM, Unit Chief)."""
    from portal.dates import today

    day = day or today()
    seen: set[int] = set()
    frontier = {person.pk}
    while frontier:
        above = set()
        for ids in supervisor_ids(frontier, day).values():
            above |= ids
        frontier = above - seen - {person.pk}
        seen |= frontier
    return seen


def is_above(actor, person) -> bool:
    """Whether ``actor`` stands above ``person`` in either reporting line: HQ (Unit Chief,
    National Program Manager) above everyone, a Field Office Director above the staff of
    their office, and anyone named as a current supervisor of ``person`` (program or
    administrative line), or of that supervisor, up the chain."""
    if actor is None or person is None or actor.pk == person.pk:
        return False
    role = role_of(actor)
    if role in HQ_WRITERS:
        return True
    if role == Role.FIELD_OFFICE_DIRECTOR:
        office = field_office_id_of(actor)
        if office is not None and office == field_office_id_of(person):
            return True
    return actor.pk in explicit_chain_above(person)


def agency_assignments(agency, user) -> list[Assignment]:
    """The assignments of an agency that ``user`` may see, latest first, with their
    program manager (the agreements app's agency and agreement pages ask through
    ``portal.hooks``)."""
    return list(
        Assignment.objects.restrict(user, "view")
        .filter(agency=agency)
        .select_related("program_manager")
        .order_by("-starts_on")
    )


def agency_assignment_history(agency, user):
    """The change history of an agency's assignments, for the agency page; None when
    ``user`` may see no assignments."""
    from portal import access

    if not access.may(user, "view", Assignment):
        return None
    return Assignment.history.filter(agency_id=agency.pk)


def primary_manager_ids(day: dt.date, agency_ids=None) -> dict[int, int]:
    """Agency id -> user id of its primary program manager on ``day`` (of the agencies
    ``agency_ids`` only, when given)."""
    result: dict[int, int] = {}
    assignments = Assignment.objects.active_on(day).filter(kind=AssignmentKind.PRIMARY)
    if agency_ids is not None:
        assignments = assignments.filter(agency_id__in=list(agency_ids))
    for agency_id, pm_id in assignments.order_by("agency_id", "-starts_on").values_list(
        "agency_id", "program_manager_id"
    ):
        result.setdefault(agency_id, pm_id)
    return result


def field_managers():
    """Active field program managers, with their staff profile."""
    return (
        get_user_model()
        .objects.filter(is_active=True, staff_profile__role=Role.FIELD_PM)
        .select_related("staff_profile__field_office")
    )


def current_lines(manager_ids, day: dt.date) -> dict[int, dict[str, ReportingLine]]:
    """Manager id -> {kind: the current line of that kind} (the latest started wins)."""
    result: dict[int, dict[str, ReportingLine]] = defaultdict(dict)
    for line in (
        ReportingLine.objects.active_on(day)
        .filter(manager_id__in=list(manager_ids))
        .select_related("supervisor__staff_profile")
        .order_by("manager_id", "kind", "-starts_on")
    ):
        result[line.manager_id].setdefault(line.kind, line)
    return result


def missing_lines(lines: dict[str, ReportingLine]) -> list[str]:
    """Labels of the lines a manager lacks."""
    return [label for kind, label in ReportingLineKind.choices if kind not in lines]


def coverage(agency_ids, first: dt.date, last: dt.date) -> dict:
    """Who can sign for each agency on each day from ``first`` to ``last``.

    A program manager can sign for an agency on a day when they hold an assignment to it
    (primary or backup) that day and are not absent. Returns
    ``{"days": [...], "agencies": {agency_id: {day: {"primary": id|None, "signers": [ids],
    "primary_absent": bool}}}}``, computed from three queries whatever the range.
    """
    agency_ids = list(agency_ids)
    assignments = list(
        Assignment.objects.overlapping_range(first, last)
        .filter(agency_id__in=agency_ids)
        .values("agency_id", "program_manager_id", "kind", "starts_on", "ends_on")
    )
    manager_ids = {a["program_manager_id"] for a in assignments}
    absences: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for manager_id, starts, ends in (
        Absence.objects.overlapping(first, last)
        .filter(manager_id__in=manager_ids)
        .values_list("manager_id", "starts_on", "ends_on")
    ):
        absences[manager_id].append((starts, ends))

    def absent(manager_id, day):
        return any(s <= day <= e for s, e in absences.get(manager_id, ()))

    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    by_agency: dict[int, list[dict]] = defaultdict(list)
    for a in assignments:
        by_agency[a["agency_id"]].append(a)
    result = {}
    for agency_id in agency_ids:
        per_day = {}
        for day in days:
            active = [
                a
                for a in by_agency.get(agency_id, ())
                if a["starts_on"] <= day and (a["ends_on"] is None or a["ends_on"] >= day)
            ]
            primary = next((a["program_manager_id"] for a in active if a["kind"] == AssignmentKind.PRIMARY), None)
            signers = [a["program_manager_id"] for a in active if not absent(a["program_manager_id"], day)]
            per_day[day] = {
                "primary": primary,
                "signers": signers,
                "primary_absent": primary is not None and absent(primary, day),
            }
        result[agency_id] = per_day
    return {"days": days, "agencies": result}


def other_duty_percent_by_manager(manager_ids, day: dt.date) -> dict[int, int]:
    """Manager id -> percent of time on other duties on ``day`` (capped at 100)."""
    from django.db.models import Sum

    from .models import OtherDuty

    rows = (
        OtherDuty.objects.active_on(day)
        .filter(manager_id__in=list(manager_ids))
        .values("manager_id")
        .annotate(total=Sum("share_percent"))
    )
    return {r["manager_id"]: min(100, r["total"] or 0) for r in rows}
