"""Demo data of the oversight app: an impact check of the pending applications, as the
Unit Chief would run it before approving them, and digest preferences left at daily."""

from __future__ import annotations


def seed(ctx) -> None:
    from agreements.choices import PENDING_STATUSES
    from agreements.models import Agreement
    from portal.roles import Role

    from .services import impact_assessment_create

    chiefs = ctx.people.get(Role.UNIT_CHIEF) or []
    pending = list(
        Agreement.objects.filter(status__in=PENDING_STATUSES).select_related("agency").order_by("applied_on", "pk")[:8]
    )
    if chiefs and pending:
        impact_assessment_create(acting_user=chiefs[0], agreements=pending)
