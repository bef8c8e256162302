"""Reads of the agreements app that other apps share."""

from __future__ import annotations

from .choices import HELD_STATUSES, PENDING_STATUSES
from .models import Agreement


def other_agreements_held(agreement: Agreement, program_models=None, *, include_pending: bool = False):
    """The agency's other agreements that are signed and not ended (in force, or suspended
    and so may be reinstated), and with ``include_pending`` its pending applications too,
    optionally only those of ``program_models``. An agreement's end takes away what hangs
    off the agency only when this is empty."""
    statuses = [*HELD_STATUSES, *(PENDING_STATUSES if include_pending else ())]
    others = Agreement.objects.filter(agency_id=agreement.agency_id, status__in=statuses).exclude(pk=agreement.pk)
    if program_models is not None:
        others = others.filter(program_model__in=list(program_models))
    return others
