"""Celery tasks of the portal: the nightly compliance sweep."""

import logging

from celery import shared_task

from portal.errors import SweepAlreadyRunning

logger = logging.getLogger(__name__)


@shared_task(name="portal.compliance_sweep")
def compliance_sweep(triggered_by: str = "schedule") -> int | None:
    """Run the compliance sweep; return the run's id, or None if another is running."""
    from portal.compliance.sweep import sweep_run

    try:
        return sweep_run(triggered_by=triggered_by).pk
    except SweepAlreadyRunning:
        logger.warning("Compliance sweep skipped: another sweep is running.")
        return None
