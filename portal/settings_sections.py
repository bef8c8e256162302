"""The Unit Chief's settings page (``/settings/``): each app lists its sections in
``<app>/hq_settings.py`` as ``SECTIONS``; the page shows them in the order of
INSTALLED_APPS, each with its own form, validated and saved by the app's service.

A section names the record type of the access policy whose ``change`` action decides
who may save it (``SETTINGS``: the Unit Chief); HQ's other roles read the values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied

from . import access
from .history import stamp


@dataclass(frozen=True)
class SettingsSection:
    """One form of the settings page.

    ``form(data=None)`` builds the bound or unbound form with today's values;
    ``save(acting_user, cleaned_data)`` calls the app's service (which raises
    ``ValidationError`` for a value the program's rules refuse); ``rows()`` gives the
    (label, value) pairs shown to those who may only read; ``history_of`` the model
    whose change history (django-simple-history) tells who changed it last."""

    key: str
    title: str
    intro: str
    policy: str  # the record type in portal.access whose "change" action decides who saves
    form: Callable[..., Any]
    save: Callable[..., Any]
    rows: Callable[[], list[tuple[str, Any]]]
    history_of: Any = None

    def last_change(self):
        """The latest change of the section's records made by someone: not a migration, and
        not the row of defaults created the first time the page is read."""
        if self.history_of is None:
            return None
        return (
            self.history_of.history.filter(history_user__isnull=False)
            .exclude(history_type="+")
            .select_related("history_user")
            .order_by("-history_date")
            .first()
        )


@lru_cache(maxsize=1)
def all_sections() -> tuple[SettingsSection, ...]:
    from .apps import app_modules

    return tuple(section for _, module in app_modules("hq_settings") for section in getattr(module, "SECTIONS", []))


def section(key: str) -> SettingsSection | None:
    return next((s for s in all_sections() if s.key == key), None)


def row_update(row, *, acting_user, reason: str, **fields):
    """Change a settings row: only those the policy lets change it, the model's
    validation (``full_clean``), and a history entry naming who and why. Nothing is
    saved when no value changes. Call it inside the app service's transaction."""
    if not access.may(acting_user, "change", row):
        raise PermissionDenied("Only the Unit Chief changes the settings.")
    changed = False
    for name, value in fields.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    row.full_clean()
    if changed:
        stamp(row, acting_user, reason).save()
    return row
