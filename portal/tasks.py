"""Celery tasks of the portal: the nightly compliance sweep, and the hand-over of work
asked for while the broker (Redis) was unreachable.

Code that starts background work calls ``enqueue(task, ...)`` rather than
``task.delay(...)``: when Redis is down it does not raise, it keeps the task in the
database (``PendingTask``), and ``dispatch_pending`` (run every few minutes by beat, and
by ``manage.py dispatch_pending``) sends it once Redis is back.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.errors import SweepAlreadyRunning

logger = logging.getLogger(__name__)


def _broker_errors():
    from kombu.exceptions import OperationalError

    return (OperationalError, ConnectionError, OSError)


def _send(name: str, args, kwargs) -> None:
    if current_app.conf.task_always_eager:  # no broker configured: run it here and now
        current_app.tasks[name].apply(args=args, kwargs=kwargs)
    else:
        current_app.send_task(name, args=list(args), kwargs=kwargs)


def enqueue(task, *args, **kwargs) -> None:
    """Hand ``task`` (a task or its registered name) to the broker after the current
    transaction commits; if the broker cannot take it, keep it for ``dispatch_pending``."""
    name = task if isinstance(task, str) else task.name

    def send():
        try:
            _send(name, args, kwargs)
        except _broker_errors() as exc:
            from portal.models import PendingTask

            PendingTask.objects.create(
                task=name, args=list(args), kwargs=kwargs, attempts=1, last_error=str(exc)[:1000]
            )
            logger.warning("Broker unreachable; task %s kept for later (%s)", name, exc)

    transaction.on_commit(send)


@shared_task(name="portal.compliance_sweep")
def compliance_sweep(triggered_by: str = "schedule") -> int | None:
    """Run the compliance sweep; return the run's id, or None if another is running."""
    from portal.compliance.sweep import sweep_run

    try:
        return sweep_run(triggered_by=triggered_by).pk
    except SweepAlreadyRunning:
        logger.warning("Compliance sweep skipped: another sweep is running.")
        return None


@shared_task(name="portal.compliance_sweep_rule", acks_late=True)
def compliance_sweep_rule(run_id: int, code: str, today: str) -> dict:
    """One rule of a parallel sweep (``sweep_run(parallel=True)``): its counts."""
    from portal.compliance.sweep import apply_rule_of_run

    return apply_rule_of_run(run_id, code, dt.date.fromisoformat(today))


def _sweep_is_overdue() -> bool:
    """No sweep at all has started within SWEEP_FRESH_HOURS (the nightly one was missed,
    e.g. Redis was down when beat tried to send it)."""
    from portal.compliance.models import SweepRun

    since = timezone.now() - dt.timedelta(hours=settings.SWEEP_FRESH_HOURS)
    return not SweepRun.objects.filter(started_at__gte=since).exists()


def pending_dispatch() -> dict[str, int]:
    """Send the kept tasks, oldest first; stop at the first the broker refuses. Starts a
    sweep too when the last one is overdue. Returns the counts sent and still kept."""
    from portal.models import PendingTask

    sent = 0
    for pending in PendingTask.objects.filter(sent_at__isnull=True).order_by("created_at", "pk")[:500]:
        try:
            _send(pending.task, pending.args, pending.kwargs)
        except _broker_errors() as exc:
            PendingTask.objects.filter(pk=pending.pk).update(attempts=pending.attempts + 1, last_error=str(exc)[:1000])
            break
        pending.sent_at = timezone.now()
        pending.attempts += 1
        pending.save(update_fields=["sent_at", "attempts"])
        sent += 1
    if _sweep_is_overdue():
        try:
            _send("portal.compliance_sweep", [], {"triggered_by": "catch-up"})
        except _broker_errors() as exc:
            logger.warning("Overdue sweep not sent: broker unreachable (%s)", exc)
    return {"sent": sent, "kept": PendingTask.objects.filter(sent_at__isnull=True).count()}


@shared_task(name="portal.dispatch_pending")
def dispatch_pending() -> dict[str, int]:
    return pending_dispatch()
