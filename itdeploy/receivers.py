"""Receivers of the agreements app's signals: an installation opens when an agency's
first agreement that needs a site installation is signed; its steps and clock pause from
a suspension's effective date and resume from the reinstatement's; a termination or
withdrawal closes it as cancelled on its effective date."""

from __future__ import annotations

from django.dispatch import receiver

from agreements.signals import (
    agreement_ended,
    agreement_reinstated,
    agreement_signed,
    agreement_signing_date_changed,
    agreements_signed_in_bulk,
)

from . import services


@receiver(agreement_signed, dispatch_uid="itdeploy.open_installation")
def open_installation(sender, agreement, acting_user=None, **kwargs):
    services.installation_open(agreement=agreement, acting_user=acting_user)


@receiver(agreement_ended, dispatch_uid="itdeploy.hold_installation")
def hold_installation(
    sender, agreement, acting_user=None, reason="", transition="suspend", effective_on=None, **kwargs
):
    services.installation_hold_for_agreement(
        agreement=agreement,
        acting_user=acting_user,
        reason=reason or "",
        transition=transition or "suspend",
        on=effective_on,
    )


@receiver(agreement_reinstated, dispatch_uid="itdeploy.release_installation")
def release_installation(sender, agreement, acting_user=None, effective_on=None, **kwargs):
    services.installation_release_for_agreement(agreement=agreement, acting_user=acting_user, on=effective_on)


@receiver(agreements_signed_in_bulk, dispatch_uid="itdeploy.open_installations_in_bulk")
def open_installations_in_bulk(sender, agreements, acting_user=None, **kwargs):
    services.installations_open_for(agreements=agreements, acting_user=acting_user)


@receiver(agreement_signing_date_changed, dispatch_uid="itdeploy.move_installation_clock")
def move_installation_clock(sender, agreement, previous_signed_on=None, acting_user=None, **kwargs):
    services.installation_follow_signing_date(
        agreement=agreement, previous_signed_on=previous_signed_on, acting_user=acting_user
    )
