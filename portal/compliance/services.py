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

from portal.errors import TransitionNotAllowed
from portal import access
from portal.history import stamp

from .models import Finding, FindingStatus, OPEN_STATUSES


def finding_may_act(user, finding: Finding, action: str) -> bool:
    """Whether ``user`` may ``action`` ("acknowledge", "resolve", "waive") ``finding``,
    by the access policy (``portal.access``)."""
    return access.may(user, action, finding)


def _check(user, finding, action):
    if not finding_may_act(user, finding, action):
        raise PermissionDenied(f"You may not {action} this finding.")
    if finding.status not in OPEN_STATUSES:
        raise TransitionNotAllowed(f"This finding is {finding.get_status_display().lower()}; only an open finding can be {action}d.")


@transaction.atomic
def finding_acknowledge(*, finding: Finding, acting_user, note: str = "") -> Finding:
    _check(acting_user, finding, "acknowledge")
    if finding.status == FindingStatus.ACKNOWLEDGED:
        raise TransitionNotAllowed("This finding is already acknowledged.")
    finding.status = FindingStatus.ACKNOWLEDGED
    finding.acknowledged_at = timezone.now()
    finding.acknowledged_by = acting_user
    if note:
        finding.note = (finding.note + "\n" if finding.note else "") + f"Acknowledged: {note}"
    stamp(finding, acting_user, note or "Acknowledged", action="acknowledge")
    finding.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "note"])
    return finding


@transaction.atomic
def finding_resolve(*, finding: Finding, acting_user, note: str = "") -> Finding:
    _check(acting_user, finding, "resolve")
    finding.status = FindingStatus.RESOLVED
    finding.resolved_at = timezone.now()
    finding.resolved_by = acting_user
    finding.resolution = (note or "Resolved by hand.")[:250]
    stamp(finding, acting_user, finding.resolution, action="resolve")
    finding.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
    return finding


@transaction.atomic
def finding_waive(*, finding: Finding, acting_user, reason: str, until: dt.date | None = None) -> Finding:
    _check(acting_user, finding, "waive")
    if not reason or not reason.strip():
        raise ValidationError({"reason": ["A waiver needs a reason."]})
    from portal.dates import today

    if until is not None and until < today():
        raise ValidationError({"until": ["A waiver cannot end in the past."]})
    finding.status = FindingStatus.WAIVED
    finding.waived_at = timezone.now()
    finding.waived_by = acting_user
    finding.waived_until = until
    finding.note = (finding.note + "\n" if finding.note else "") + f"Waived: {reason.strip()}"
    stamp(finding, acting_user, reason.strip(), action="waive")
    finding.save(update_fields=["status", "waived_at", "waived_by", "waived_until", "note"])
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
        minute=str(row.minute), hour=str(row.hour), day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="America/New_York")
    task, _ = PeriodicTask.objects.get_or_create(
        name=SWEEP_TASK_NAME, defaults={"task": "portal.compliance_sweep", "crontab": crontab})
    task.crontab, task.interval, task.enabled = crontab, None, row.enabled
    task.save()
    return row
