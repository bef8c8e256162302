"""What the oversight app does when other apps act."""

from __future__ import annotations

from django.db import transaction


def after_sweep(sender, run, notify: bool = True, **kwargs):
    """Once the sweep's run is committed: escalate overdue findings, then send the
    digests (unless the run was asked not to notify), in a Celery task."""
    from .tasks import after_sweep as task

    run_id = run.pk
    transaction.on_commit(lambda: task.delay(run_id, notify))
