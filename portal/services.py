"""Writes of the portal app: API tokens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .errors import TransitionNotAllowed
from .models import ApiToken
from .writes import model_update


@transaction.atomic
def token_create(*, user, name: str, expires_in_days: int | None = None) -> ApiToken:
    """Create an API token for ``user``. The returned token carries ``plain_key``, the key
    itself, which is never stored and cannot be shown again."""
    days = expires_in_days or settings.API_TOKEN_DEFAULT_DAYS
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "API token", prefix=key[:8], digest=ApiToken.hash_key(key),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    token.plain_key = key
    return token


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is not None:
        raise TransitionNotAllowed("This token is already revoked.")
    model_update(instance=token, data={"revoked_at": timezone.now()}, acting_user=token.user, reason="Revoked")
    return token
