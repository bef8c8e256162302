"""Thin Celery tasks of the training app."""

from celery import shared_task


@shared_task(name="training.nightly_credentials")
def nightly_credentials() -> dict:
    """Deactivate lapsed security cards, then suspend and revoke where the settings make
    it automatic. Runs before the compliance sweep, so findings reflect the result."""
    from . import services

    deactivated = services.cards_deactivate_lapsed()
    counts = services.recertification_enforce()
    return {"cards_deactivated": deactivated, **counts}
