"""Writes on accounts: HQ unlocks a sign-in lockout; HQ deactivates a person, who loses
every session and API token at once; enrolment of a TOTP authenticator."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.history import stamp

security_log = logging.getLogger("portal.security")


def _require(acting_user, action: str) -> None:
    """The access policy decides (portal.access, record type ``portal.account``)."""
    from portal import access

    access.require(acting_user, action, "portal.account")


def lockout_unlock(*, attempt_id: int, acting_user, reason: str) -> int:
    """Lift a sign-in lockout (one django-axes record of failures for a username or an
    address). The deletion is kept in the record's change history with who and why.
    Returns how many records were removed."""
    from axes.models import AccessAttempt

    _require(acting_user, "unlock")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the lockout is lifted."})
    with transaction.atomic():
        attempt = AccessAttempt.objects.select_for_update().filter(pk=attempt_id).first()
        if attempt is None:
            return 0
        stamp(attempt, acting_user, f"Unlocked: {reason}")
        attempt.delete()
    security_log.warning(
        "Sign-in lockout lifted",
        extra={
            "event": "lockout_unlocked",
            "username": attempt.username,
            "ip_address": attempt.ip_address,
            "acting_user": acting_user.username,
            "reason": reason,
        },
    )
    return 1


def user_sessions_end(user) -> int:
    """Delete every unexpired session of ``user``; return how many."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            ended.append(session.session_key)
    if ended:
        Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


def user_tokens_revoke(user) -> int:
    from portal.models import ApiToken

    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_deactivate(*, user, acting_user, reason: str):
    """Deactivate a person's account: they can no longer sign in, and every session and
    API token they hold ends now (by the ``post_save`` signal, which also covers the
    admin's "active" box)."""
    _require(acting_user, "deactivate")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the account is deactivated."})
    if user.pk == acting_user.pk:
        raise ValidationError({"user": "You cannot deactivate your own account."})
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        user.is_active = False
        user.full_clean(exclude=["password"])
        stamp(user, acting_user, f"Deactivated: {reason}")
        user.save(update_fields=["is_active"])
    return user


def totp_device_for_enrolment(*, user):
    """The person's TOTP authenticator waiting to be confirmed (a new one if none)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_confirm(*, device, token: str) -> bool:
    """Confirm an authenticator with a code it shows; False if the code is wrong. The
    person's earlier authenticators stop working."""
    token = (token or "").strip().replace(" ", "")
    if not token.isdigit() or not device.verify_token(token):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # The new authenticator replaces any earlier one (a lost or replaced phone).
        type(device).objects.filter(user=device.user).exclude(pk=device.pk).delete()
    security_log.info(
        "Two-factor authenticator enrolled", extra={"event": "totp_enrolled", "username": device.user.username}
    )
    return True
