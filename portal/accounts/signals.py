"""Account events: a deactivated account loses its sessions and tokens; a sign-in starts
the session clock; lockouts and sign-ins are logged for the security record."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from . import services
from .middleware import session_start

security_log = logging.getLogger("portal.security")
User = get_user_model()


@receiver(pre_save, sender=User, dispatch_uid="portal.accounts.remember_active")
def _remember_active(sender, instance, update_fields=None, **kwargs):
    if instance.pk and (update_fields is None or "is_active" in update_fields):
        instance._was_active = sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()


@receiver(post_save, sender=User, dispatch_uid="portal.accounts.end_access_of_deactivated")
def _end_access_of_deactivated(sender, instance, created, **kwargs):
    if not created and not instance.is_active and getattr(instance, "_was_active", False):
        sessions = services.user_sessions_end(instance)
        tokens = services.user_tokens_revoke(instance)
        security_log.warning(
            "Account deactivated: sessions ended and API tokens revoked",
            extra={
                "event": "account_deactivated",
                "username": instance.username,
                "sessions": sessions,
                "tokens": tokens,
            },
        )


@receiver(user_logged_in, dispatch_uid="portal.accounts.session_clock")
def _start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_start(request)


@receiver(user_locked_out, dispatch_uid="portal.accounts.log_lockout")
def _log_lockout(sender, request, username, ip_address, **kwargs):
    security_log.warning(
        "Sign-in locked out after repeated failures",
        extra={"event": "lockout", "username": username or "", "ip_address": ip_address or ""},
    )
