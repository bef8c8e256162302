"""Receivers of the agreements app's signals: an officer's designation rests on the
agency's agreement. A termination or withdrawal that leaves the agency no agreement ends
it ("designation ended"); a new agreement being signed restores it. Whether an officer can
act while an agreement is suspended is computed at read time (``Officer.objects.able_to_act``
reads ``Agreement.objects.in_force``), so a suspension needs no receiver."""

from __future__ import annotations

from django.dispatch import receiver

from agreements.signals import agreement_ended, agreement_signed, agreements_signed_in_bulk

from . import services


@receiver(agreement_ended, dispatch_uid="training.end_designations")
def end_designations(sender, agreement, acting_user=None, reason="", transition="", effective_on=None, **kwargs):
    if transition not in ("terminate", "withdraw"):
        return
    services.designations_end_for_agreement(
        agreement=agreement, acting_user=acting_user, on=effective_on or agreement.ended_on, reason=reason
    )


@receiver(agreement_signed, dispatch_uid="training.restore_designations")
def restore_designations(sender, agreement, acting_user=None, **kwargs):
    if agreement.signed_on:
        services.designations_restore_for_agencies(
            agency_ids=[agreement.agency_id],
            acting_user=acting_user,
            on_by_agency={agreement.agency_id: agreement.signed_on},
        )


@receiver(agreements_signed_in_bulk, dispatch_uid="training.restore_designations_in_bulk")
def restore_designations_in_bulk(sender, agreements, acting_user=None, **kwargs):
    on_by_agency = {}
    for agreement in agreements:
        if agreement.signed_on:
            on_by_agency[agreement.agency_id] = max(
                on_by_agency.get(agreement.agency_id, agreement.signed_on), agreement.signed_on
            )
    if on_by_agency:
        services.designations_restore_for_agencies(
            agency_ids=on_by_agency, acting_user=acting_user, on_by_agency=on_by_agency
        )
