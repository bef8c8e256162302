"""Actions people take on findings: acknowledge, resolve, waive.

A finding can be acknowledged or resolved by its responsible person or anyone above them
in either reporting line (their Field Office Director, HQ); only HQ (Unit Chief, National
Program Manager) can waive one. Each action records who and when.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal import access
from portal.errors import TransitionNotAllowed
from portal.writes import model_update

from .models import OPEN_STATUSES, Finding, FindingStatus


def finding_may_act(user, finding: Finding, action: str) -> bool:
    """Whether ``user`` may ``action`` ("acknowledge", "resolve", "waive") ``finding``,
    by the access policy (``portal.access``)."""
    return access.may(user, action, finding)


def _check(user, finding, action):
    if not finding_may_act(user, finding, action):
        raise PermissionDenied(f"You may not {action} this finding.")
    if finding.status not in OPEN_STATUSES:
        raise TransitionNotAllowed(
            f"This finding is {finding.get_status_display().lower()}; only an open finding can be {action}d."
        )


@transaction.atomic
def finding_acknowledge(*, finding: Finding, acting_user, note: str = "") -> Finding:
    _check(acting_user, finding, "acknowledge")
    if finding.status == FindingStatus.ACKNOWLEDGED:
        raise TransitionNotAllowed("This finding is already acknowledged.")
    data = {"status": FindingStatus.ACKNOWLEDGED, "acknowledged_at": timezone.now(), "acknowledged_by": acting_user}
    if note:
        data["note"] = (finding.note + "\n" if finding.note else "") + f"Acknowledged: {note}"
    model_update(
        instance=finding, data=data, acting_user=acting_user, reason=note or "Acknowledged", action="acknowledge"
    )
    return finding


def finding_condition_holds(finding: Finding, today: dt.date | None = None):
    """Re-check the finding's rule for its one subject today: the rule's violation when
    the condition still holds, else None (also for a rule no longer registered)."""
    from portal.dates import today as program_today

    from .registry import registry

    rule = registry.get(finding.rule)
    if rule is None:
        return None
    return rule.violation_for(finding.subject_id, today=today or program_today())


@transaction.atomic
def finding_resolve(*, finding: Finding, acting_user, note: str = "") -> Finding:
    """Resolve a finding by hand. Its rule is re-checked for this subject at once: if the
    condition still holds the resolution is refused (409) with the reason, since the next
    sweep would reopen it; only HQ can waive a finding whose condition stands."""
    _check(acting_user, finding, "resolve")
    holding = finding_condition_holds(finding)
    if holding is not None:
        raise TransitionNotAllowed(
            f"The condition still holds: {holding.detail or finding.rule_title} "
            "Fix it first; only HQ (Unit Chief, National Program Manager) can waive a finding whose condition stands."
        )
    resolution = (note or "Resolved by hand.")[:250]
    model_update(
        instance=finding,
        acting_user=acting_user,
        reason=resolution,
        action="resolve",
        data={
            "status": FindingStatus.RESOLVED,
            "resolved_at": timezone.now(),
            "resolved_by": acting_user,
            "resolution": resolution,
        },
    )
    return finding


@transaction.atomic
def finding_waive(*, finding: Finding, acting_user, reason: str, until: dt.date | None = None) -> Finding:
    _check(acting_user, finding, "waive")
    if not reason or not reason.strip():
        raise ValidationError({"reason": ["A waiver needs a reason."]})
    from portal.dates import today

    if until is not None and until < today():
        raise ValidationError({"until": ["A waiver cannot end in the past."]})
    model_update(
        instance=finding,
        acting_user=acting_user,
        reason=reason.strip(),
        action="waive",
        data={
            "status": FindingStatus.WAIVED,
            "waived_at": timezone.now(),
            "waived_by": acting_user,
            "waived_until": until,
            "note": (finding.note + "\n" if finding.note else "") + f"Waived: {reason.strip()}",
        },
    )
    return finding


SWEEP_TASK_NAME = "Nightly compliance sweep"


@transaction.atomic
def sweep_settings_update(*, acting_user, **fields):
    """Change when the nightly sweep runs and whether it e-mails new findings (the Unit
    Chief's setting); the Celery beat schedule moves to the same time in the same
    transaction."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    from portal.settings_sections import row_update

    from .models import SweepSettings

    row = row_update(SweepSettings.current(), acting_user=acting_user, reason="Sweep settings changed", **fields)
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=str(row.minute),
        hour=str(row.hour),
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="America/New_York",
    )
    task, _ = PeriodicTask.objects.get_or_create(
        name=SWEEP_TASK_NAME, defaults={"task": "portal.compliance_sweep", "crontab": crontab}
    )
    task.crontab, task.interval, task.enabled = crontab, None, row.enabled
    task.save()
    return row
