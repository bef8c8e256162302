"""Change history of records, from django-simple-history, as people read it: who changed
what, when, from which value to which."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from django.db.models import QuerySet

SKIP = {"history_id", "history_date", "history_change_reason", "history_type", "history_user", "history_user_id",
        "match_key", "updated_at", "created_at", "id", "history_relation"}


@dataclass
class HistoryEntry:
    when: object
    who: str
    what: str
    kind: str  # Created, Changed, Deleted
    reason: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def stamp(instance, acting_user, reason: str = ""):
    """Name who makes the next save of ``instance``, and why, for its change history
    (django-simple-history reads these two attributes when the record is saved)."""
    instance._history_user = acting_user
    if reason:
        instance._change_reason = reason
    return instance


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name.replace("_", " ")


def _show(record, name: str) -> str:
    field_obj = record.instance_type._meta.get_field(name)
    value = getattr(record, field_obj.attname, None)
    if value is None or value == "":
        return "—"
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    if field_obj.is_relation:
        # Only changed relations are shown, so the lookup is rare: name the row, not its id.
        try:
            return str(getattr(record, field_obj.name))
        except Exception:  # the related row was deleted since
            return f"#{value}"
    return str(value)


def entries(history: QuerySet, what=None) -> list[HistoryEntry]:
    """Entries for a queryset of historical records (any model), newest first, in one query.

    ``what`` names the record in each entry: a string, or a function of the historical row
    (so the name can come from related rows the caller selected, instead of the record's
    ``__str__`` fetching them again for every row); by default the record's ``__str__``.
    """
    previous: dict = {}
    result: list[HistoryEntry] = []
    for record in history.select_related("history_user").order_by("history_date", "history_id"):
        model = record.instance_type
        prior = previous.get(record.id)
        previous[record.id] = record
        changes = []
        if prior is not None and record.history_type == "~":
            for change in record.diff_against(prior).changes:
                if change.field not in SKIP:
                    changes.append((_label(model, change.field), _show(prior, change.field), _show(record, change.field)))
            if not changes and not record.history_change_reason:
                continue
        if callable(what):
            name = what(record)
        else:
            name = what or f"{model._meta.verbose_name.capitalize()}: {record.instance}"
        user = record.history_user
        result.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else "System",
                what=name,
                kind={"+": "Created", "~": "Changed", "-": "Deleted"}[record.history_type],
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return sorted(result, key=lambda e: e.when, reverse=True)


def merged(*groups: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    out = [entry for group in groups for entry in group]
    return sorted(out, key=lambda e: e.when, reverse=True)
