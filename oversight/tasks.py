"""Celery tasks of the oversight app: thin, they look the run up and call the services."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="oversight.after_sweep")
def after_sweep(run_id: int, notify: bool = True) -> dict:
    """After a sweep run: escalations, then the digests. Running it twice for a run
    escalates nothing twice (one escalation per finding) and sends no digest twice."""
    from portal.audit import Channel
    from portal.audit import context as audit_context
    from portal.compliance.models import SweepRun

    from .digests import send_digests
    from .escalation import escalate_overdue

    run = SweepRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.warning("Sweep run %s is gone; no escalations or digests.", run_id)
        return {"escalated": 0, "digests": 0}
    with audit_context(channel=Channel.TASK, actor_label=f"after sweep run #{run_id}"):
        escalated = escalate_overdue(run=run)
        sent = send_digests(run) if notify else 0
    return {"escalated": len(escalated), "digests": sent}
