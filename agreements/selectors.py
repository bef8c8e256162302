"""Reads of the agreements app used beyond its own pages."""

from __future__ import annotations

from django.db.models import Count

from .choices import PENDING_STATUSES, AgreementStatus
from .models import Agency, Agreement


def agreement_figures(user) -> dict[str, int]:
    """The home page's figures of the caller's scope: agencies, signed agreements and
    pending applications (the portal asks through ``portal.hooks``)."""
    by_status = dict(
        Agreement.objects.visible_to(user).values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {
        "agency_count": Agency.objects.visible_to(user).count(),
        "signed_count": by_status.get(AgreementStatus.SIGNED, 0),
        "pending_count": sum(by_status.get(s, 0) for s in PENDING_STATUSES),
    }
