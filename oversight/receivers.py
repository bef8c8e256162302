"""What the oversight app does when other apps act."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def after_sweep(sender, run, notify: bool = True, **kwargs):
    """After the sweep's run: store the day's dashboard and readiness figures afresh
    when their inputs moved; once the run is committed, escalate overdue findings, then
    send the digests (unless the run was asked not to notify), in a Celery task."""
    from . import stored
    from .tasks import after_sweep as task

    # The day's national figures, stored now (the sweep runs in a worker) rather than by
    # the first reader after the night's changes: a no-op when nothing they read moved.
    try:
        stored.refresh()
    except Exception:  # the pages compute them on their next read; escalations must go on
        logger.exception("Storing the dashboard's figures after sweep run %s failed", run.pk)
    run_id = run.pk
    transaction.on_commit(lambda: task.delay(run_id, notify))
