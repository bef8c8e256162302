"""Celery tasks of the agreements app: the daily fetch of ICE's published lists."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="agreements.fetch_ice_lists")
def fetch_ice_lists(triggered_by: str = "schedule") -> dict:
    """Fetch every address of ICE_LIST_URLS once; return the count of fetches by status."""
    from collections import Counter

    from agreements.feed import fetch_ice_lists as fetch

    counts = Counter(f.status for f in fetch())
    logger.info("ICE list fetch (%s): %s", triggered_by, dict(counts))
    return dict(counts)
