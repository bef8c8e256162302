"""Writes of the portal app: API tokens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .errors import TransitionNotAllowed
from .models import ApiToken
from .writes import model_update


@transaction.atomic
def token_create(
    *, user, name: str, expires_in_days: int | None = None, expires_at: dt.datetime | None = None
) -> ApiToken:
    """Create an API token for ``user``, expiring after ``expires_in_days`` days or at
    ``expires_at`` (at most ``API_TOKEN_MAX_DAYS`` ahead; by default after
    ``API_TOKEN_DEFAULT_DAYS``). The returned token carries ``plain_key``, the key itself,
    which is never stored and cannot be shown again."""
    now = timezone.now()
    maximum = settings.API_TOKEN_MAX_DAYS
    if expires_at is not None and expires_in_days is not None:
        raise ValidationError({"expires_at": ["Give either expires_at or expires_in_days, not both."]})
    if expires_at is None:
        days = expires_in_days or settings.API_TOKEN_DEFAULT_DAYS
        if not 1 <= days <= maximum:
            raise ValidationError({"expires_in_days": [f"Between 1 and {maximum} days."]})
        expires_at = now + dt.timedelta(days=days)
    elif timezone.is_naive(expires_at):
        raise ValidationError({"expires_at": ["Give the time with its offset (ISO 8601)."]})
    elif not now < expires_at <= now + dt.timedelta(days=maximum):
        raise ValidationError({"expires_at": [f"A time after now and at most {maximum} days ahead."]})
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API token",
        prefix=key[:8],
        digest=ApiToken.hash_key(key),
        expires_at=expires_at,
    )
    token.plain_key = key
    return token


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        raise TransitionNotAllowed("This token is already revoked.")
    model_update(instance=token, data={"revoked_at": timezone.now()}, acting_user=token.user, reason="Revoked")
    return token
