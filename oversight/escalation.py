"""Escalation of findings nobody acknowledged.

After each sweep, an open (not acknowledged) finding of high or critical severity first
seen ``OVERSIGHT_ESCALATION_DAYS`` (3) days ago or more escalates, once, to the
responsible person's supervisor: their current program-line supervisor, else their
administrative-line supervisor (staffing's reporting lines), else the Field Office
Director of the finding's office (when that is not the responsible person), else HQ
(no one in particular: the Unit Chief's and National PMs' inboxes). The escalation is
recorded (with history), shown in the inbox and on the finding's thread, and goes into
the supervisor's next digest.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal import dates
from portal.audit.bulk import bulk_create_with_history


def supervisor_of(person_ids, day: dt.date) -> dict[int, int]:
    """Person id -> their supervisor's id: the program line first, then the administrative."""
    from staffing.choices import ReportingLineKind
    from staffing.models import ReportingLine

    lines: dict[int, dict[str, int]] = {}
    for manager_id, kind, supervisor_id in (
        ReportingLine.objects.active_on(day)
        .filter(manager_id__in=list(person_ids))
        .order_by("manager_id", "kind", "-starts_on")
        .values_list("manager_id", "kind", "supervisor_id")
    ):
        lines.setdefault(manager_id, {}).setdefault(kind, supervisor_id)
    return {
        manager_id: kinds.get(ReportingLineKind.PROGRAM) or kinds.get(ReportingLineKind.ADMINISTRATIVE)
        for manager_id, kinds in lines.items()
    }


@transaction.atomic
def escalate_overdue(*, run=None, now: dt.datetime | None = None) -> list:
    """Escalate every finding that is due; return the escalations made."""
    from portal.compliance.models import Finding, FindingStatus, Severity
    from portal.models import StaffProfile
    from portal.roles import Role

    from .choices import NoteKind
    from .models import FindingEscalation, FindingNote

    now = now or timezone.now()
    days = settings.OVERSIGHT_ESCALATION_DAYS
    due = list(
        Finding.objects.filter(
            status=FindingStatus.OPEN,
            severity__in=[Severity.HIGH, Severity.CRITICAL],
            first_seen_at__lte=now - dt.timedelta(days=days),
            escalation__isnull=True,
        )
        .select_for_update(of=("self",))
        .only("id", "responsible_id", "field_office_id", "first_seen_at")
    )
    if not due:
        return []
    today = dates.local_date(now)
    supervisors = supervisor_of({f.responsible_id for f in due if f.responsible_id}, today)
    directors: dict[int, int] = {}
    for office_id, user_id in (
        StaffProfile.objects.filter(role=Role.FIELD_OFFICE_DIRECTOR, user__is_active=True)
        .order_by("field_office_id", "user_id")
        .values_list("field_office_id", "user_id")
    ):
        directors.setdefault(office_id, user_id)
    escalations, notes = [], []
    for finding in due:
        target = supervisors.get(finding.responsible_id)
        if target is None:
            director = directors.get(finding.field_office_id)
            target = director if director and director != finding.responsible_id else None
        waited = (now - finding.first_seen_at).days
        escalations.append(
            FindingEscalation(
                finding_id=finding.pk,
                escalated_to_id=target,
                responsible_id=finding.responsible_id,
                run=run,
                escalated_at=now,
                days_unacknowledged=waited,
            )
        )
        notes.append(
            FindingNote(
                finding_id=finding.pk,
                kind=NoteKind.ESCALATED,
                created_at=now,
                text=f"Not acknowledged after {waited} days: escalated.",
            )
        )
    made = bulk_create_with_history(
        escalations, FindingEscalation, batch_size=500, default_change_reason="Escalated", label=str
    )
    bulk_create_with_history(notes, FindingNote, batch_size=500, default_change_reason="Escalated", label=str)
    return made
