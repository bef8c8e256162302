"""API token authentication: ``Authorization: Token <key>``, keys hashed at rest."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken

#: How stale a token's "last used" time may be: it is written at most once an interval,
#: so that reading with a token does not write a row on every request.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def _record_bad_token(request, known: ApiToken | None) -> None:
    """Journal a call with a revoked, expired or unknown token (with the token and its
    owner when the key is one the portal issued)."""
    from .audit.recording import record_refusal

    if known is None:
        why, user, token_id = "Unknown API token", None, None
    else:
        user, token_id = known.user, known.pk
        if known.revoked_at is not None:
            why = "Revoked API token"
        elif not known.user.is_active:
            why = "API token of an inactive user"
        else:
            why = "Expired API token"
    record_refusal(
        getattr(request, "_request", request),
        status=401,
        user=user,
        token_id=token_id,
        model=ApiToken if token_id else None,
        object_id=token_id,
        reason=why,
        label=str(known) if known else "",
    )


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: give 'Token <key>'.")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token header: the key is not text.") from None
        # One statement by the digest's unique index, whatever the token's state; whether
        # it is revoked or expired is read from the row (ApiToken.is_active), and a
        # refused token is journaled from it without reading it again.
        try:
            token = ApiToken.objects.select_related("user", "user__staff_profile").get(digest=ApiToken.hash_key(key))
        except ApiToken.DoesNotExist:
            token = None
        if token is None or not token.is_active or not token.user.is_active:
            _record_bad_token(request, token)
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
