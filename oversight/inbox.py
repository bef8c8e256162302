"""The findings inbox: the open findings a person is responsible for, those of the
people below them in either reporting line (program or administrative, transitively;
a Field Office Director also the staff of their office), and those escalated to them
(to HQ: the Unit Chief's and National PMs' inbox holds escalations without a supervisor).
Always within what the person may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from portal import dates
from portal.roles import HQ_WRITERS, Role, field_office_id_of, role_of


def people_below(user, day: dt.date | None = None) -> set[int]:
    """Ids of everyone below ``user`` through current reporting lines (either kind),
    transitively; a Field Office Director also the staff of their office. The current
    lines (one or two per field manager) are read in one query and walked in memory, so
    the number of queries does not depend on the depth of the organisation."""
    from collections import defaultdict

    from portal.models import StaffProfile
    from staffing.models import ReportingLine

    day = day or dates.today()
    below: set[int] = set()
    if role_of(user) == Role.FIELD_OFFICE_DIRECTOR and field_office_id_of(user):
        below |= set(StaffProfile.objects.filter(field_office_id=field_office_id_of(user))
                     .exclude(user=user).values_list("user_id", flat=True))
    reports: dict[int, set[int]] = defaultdict(set)
    for manager_id, supervisor_id in ReportingLine.objects.active_on(day).values_list("manager_id", "supervisor_id"):
        reports[supervisor_id].add(manager_id)
    frontier = {user.pk} | below
    while frontier:
        found = set().union(*(reports.get(i, set()) for i in frontier)) - below - {user.pk}
        below |= found
        frontier = found
    return below


def inbox_q(user, below: set[int]) -> Q:
    from .models import FindingEscalation

    escalated = FindingEscalation.objects.filter(finding=OuterRef("pk"))
    q = Q(responsible=user) | Q(Exists(escalated.filter(escalated_to=user)))
    if below:
        q |= Q(responsible_id__in=below)
    if role_of(user) in HQ_WRITERS:
        q |= Q(Exists(escalated.filter(escalated_to__isnull=True)))
    return q


def inbox_findings(user, *, below: set[int] | None = None):
    """The open findings of the person's inbox, most urgent first."""
    from portal.compliance.models import Finding

    below = people_below(user) if below is None else below
    return (
        Finding.objects.visible_to(user).open().filter(inbox_q(user, below))
        .select_related("agency", "responsible", "escalation__escalated_to")
        .most_urgent_first()
    )


def unread_count(user) -> int:
    """Inbox findings opened, changed stage or escalated since the person last opened
    the inbox (all of them before the first visit)."""
    from .models import DigestPreference

    seen = DigestPreference.objects.filter(user=user).values_list("inbox_seen_at", flat=True).first()
    findings = inbox_findings(user)
    if seen is not None:
        findings = findings.filter(Q(first_seen_at__gt=seen) | Q(stage_changed_at__gt=seen) |
                                   Q(escalation__escalated_at__gt=seen))
    return findings.order_by().count()
