"""Receivers of the agreements app's signals: a terminated or withdrawn agreement ends the
agency's program managers' assignments (when no other agreement of the agency is held)."""

from __future__ import annotations

from django.dispatch import receiver

from agreements.signals import agreement_ended

from . import services


@receiver(agreement_ended, dispatch_uid="staffing.end_assignments")
def end_assignments(sender, agreement, acting_user=None, reason="", transition="", effective_on=None, **kwargs):
    if transition not in ("terminate", "withdraw"):
        return  # a suspension keeps the managers: the agreement may be reinstated
    services.assignments_end_for_agreement(
        agreement=agreement, acting_user=acting_user, on=effective_on or agreement.ended_on, reason=reason
    )
