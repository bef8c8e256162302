"""What the staffing app answers other apps through ``portal.hooks`` (registered in
``StaffingConfig.ready``), so they need not import it:

- ``staffing_officers_per_pm() -> int``: the staffing model's certified officers per PM;
- ``program_managers_assigned_on(days) -> {day: n}``: field program managers holding an
  assignment (primary or backup) on each day;
- ``program_manager_suggestions(field_office_ids, on) -> {office_id: [{id, name, load_percent, agencies}]}``:
  the office's field program managers, least loaded first (the staffing model's load);
- ``program_managers_assign(agency_ids, primary_id, backup_id, starts_on, acting_user) -> int``:
  assign a primary and a backup to many agencies at once, all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from .choices import AssignmentKind
from .models import Assignment, StaffingModel


def staffing_officers_per_pm() -> int:
    return StaffingModel.current().officers_per_pm


def program_managers_assigned_on(days) -> dict[dt.date, int]:
    """One query whatever the number of days: the assignments overlapping the range."""
    days = sorted(days)
    if not days:
        return {}
    rows = list(
        Assignment.objects.overlapping_range(days[0], days[-1]).values_list(
            "program_manager_id", "starts_on", "ends_on"
        )
    )
    result = {}
    for day in days:
        result[day] = len({pm for pm, starts, ends in rows if starts <= day and (ends is None or ends >= day)})
    return result


def program_manager_suggestions(field_office_ids, on: dt.date | None = None) -> dict[int, list[dict]]:
    from .figures import compute

    wanted = set(field_office_ids)
    suggestions: dict[int, list[dict]] = defaultdict(list)
    for load in sorted(compute(on).managers, key=lambda m: (m.sort_key, m.name)):
        if load.field_office_id in wanted:
            suggestions[load.field_office_id].append(
                {"id": load.key, "name": load.name, "agencies": load.agencies, "load_percent": load.load_percent}
            )
    return dict(suggestions)


@transaction.atomic
def program_managers_assign(*, agency_ids, primary_id, backup_id, starts_on: dt.date, acting_user) -> int:
    """Assign ``primary_id`` as primary and ``backup_id`` as backup program manager of
    every agency, from ``starts_on``, through ``assignment_create`` (validated, audited).
    Agencies that already have a primary keep it (only the missing roles are added). All
    or nothing: any refusal raises ``ValidationError`` naming the agency."""
    from agreements.models import Agency

    from .services import assignment_create

    users = get_user_model().objects.in_bulk([pk for pk in (primary_id, backup_id) if pk])
    if primary_id and backup_id and primary_id == backup_id:
        raise ValidationError({"backup": ["The backup must be another program manager than the primary."]})
    created, errors = 0, []
    active = defaultdict(set)
    for agency_id, kind, pm in (
        Assignment.objects.active_on(starts_on)
        .filter(agency_id__in=agency_ids)
        .values_list("agency_id", "kind", "program_manager_id")
    ):
        active[agency_id].add((kind, pm))
    for agency in Agency.objects.filter(pk__in=agency_ids).order_by("name"):
        kinds = {kind for kind, _ in active[agency.pk]}
        people = {pm for _, pm in active[agency.pk]}
        for kind, pk in ((AssignmentKind.PRIMARY, primary_id), (AssignmentKind.BACKUP, backup_id)):
            if not pk or kind in kinds or pk in people:
                continue
            try:
                assignment_create(
                    acting_user=acting_user,
                    agency=agency,
                    program_manager=users[pk],
                    kind=kind,
                    starts_on=starts_on,
                    note="Onboarding of an agency ICE's list added",
                )
                created += 1
                people.add(pk)
            except ValidationError as exc:
                errors.append(f"{agency.name}: {' '.join(exc.messages)}")
    if errors:
        raise ValidationError({"agencies": errors})
    return created
