"""Writes of the portal app: API tokens, and the columns a person chooses for a list."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .errors import TransitionNotAllowed
from .models import ApiToken, TablePreference
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


def _names(texts) -> str:
    return ", ".join(f"“{t[:40]}”" for t in texts)


@transaction.atomic
def table_preference_save(*, user, table: str, columns: list[str], offered) -> TablePreference:
    """Save the columns ``user`` chose for the list ``table``: ``columns`` are the keys of
    the chosen columns, in their order; ``offered`` the list's columns this user may see
    (``ScopedListView.offered_columns``, the field policy applied). A name the list does
    not offer this user (unknown, or a field the policy hides) is refused, on ``columns``;
    so is a choice with nothing to show on the page."""
    keys = list(dict.fromkeys(str(key) for key in columns))
    known = {column.key: column for column in offered}
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise ValidationError(
            {
                "columns": [
                    f"Not a column of this list: {_names(unknown)}. "
                    f"Choose among: {', '.join(c.label for c in offered)}."
                ]
            }
        )
    if not any(not known[key].export_only for key in keys):
        raise ValidationError({"columns": ["Choose at least one column to show on the page."]})
    preference = TablePreference.objects.filter(user=user, table=table).first() or TablePreference(
        user=user, table=table
    )
    model_update(instance=preference, data={"columns": keys}, acting_user=user, reason="Columns chosen")
    return preference


@transaction.atomic
def table_preference_reset(*, user, table: str) -> bool:
    """Forget the columns ``user`` chose for ``table`` (the list shows its default columns
    again); whether there was a choice to forget. The deletion is in the history."""
    preference = TablePreference.objects.filter(user=user, table=table).first()
    if preference is None:
        return False
    preference.delete()
    return True
