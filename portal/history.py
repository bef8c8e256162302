"""Change history of records, as people read it: who changed what, when, from which value
to which, and who tried and was refused. Read from the audit journal
(``portal.audit.models.AuditEvent``), the one record of who did what; django-simple-history's
rows name the records a page asks about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

SKIP = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
    "history_user_id",
    "match_key",
    "updated_at",
    "created_at",
    "id",
    "history_relation",
}

KINDS = {
    "create": "Created",
    "change": "Changed",
    "delete": "Deleted",
    "denied": "Refused",
    "login_failed": "Failed sign-in",
}


@dataclass
class HistoryEntry:
    when: object
    who: str
    what: str
    kind: str  # Created, Changed, Deleted, Refused, or a named action ("Resolve", "Sign", ...)
    reason: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    address: str = ""
    request_id: str = ""


def stamp(instance, acting_user, reason: str = "", action: str = ""):
    """Name who makes the next save of ``instance``, and why, for its change history
    (django-simple-history reads these two attributes when the record is saved). The
    audit context names the acting user already; ``stamp`` names a different one, the
    reason, and optionally the named action (``"sign"``, ``"acknowledge"``) the journal keeps."""
    if acting_user is not None:
        instance._history_user = acting_user
    if reason:
        instance._change_reason = reason
    if action:
        instance._audit_action = action
    return instance


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name.replace("_", " ")


class _Display:
    """Shows journal values as people read them: choice labels, names of related rows
    (looked up in one query per related model), local times, Yes/No."""

    def __init__(self, model, events):
        self.model = model
        self.related: dict = {}
        wanted: dict = {}
        for event in events:
            if event.action == "create":
                continue  # a creation's values are not shown
            for name, pair in (event.changes or {}).items():
                f = self._field(name)
                if f is not None and f.is_relation and f.related_model is not None:
                    wanted.setdefault(f.related_model, set()).update(v for v in pair if v not in (None, ""))
        for related_model, ids in wanted.items():
            try:
                found = related_model._default_manager.in_bulk([related_model._meta.pk.to_python(i) for i in ids])
            except Exception:
                found = {}
            self.related[related_model] = {str(k): v for k, v in found.items()}

    def _field(self, name):
        try:
            return self.model._meta.get_field(name)
        except Exception:
            return None

    def show(self, name: str, value) -> str:
        if value is None or value == "":
            return "—"
        f = self._field(name)
        if f is None:
            return str(value)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if f.is_relation and f.related_model is not None:
            row = self.related.get(f.related_model, {}).get(str(value))
            return str(row) if row is not None else f"#{value}"
        internal = f.get_internal_type()
        if internal == "DateTimeField":
            moment = parse_datetime(str(value))
            if moment is not None:
                if timezone.is_aware(moment):
                    moment = timezone.localtime(moment)
                return formats.date_format(moment, "DATETIME_FORMAT")
        if internal == "BooleanField":
            return "Yes" if value in ("true", True) else "No"
        return str(value)


def events_entries(events, model, what=None, names: dict | None = None) -> list[HistoryEntry]:
    """Entries for journal events of one model (a list), newest first."""
    events = list(events)
    display = _Display(model, events)
    names = names or {}
    result = []
    for event in events:
        changes = []
        if event.action not in ("create",):
            for name, pair in (event.changes or {}).items():
                if name in SKIP or not isinstance(pair, list) or len(pair) != 2:
                    continue
                changes.append((_label(model, name), display.show(name, pair[0]), display.show(name, pair[1])))
        if callable(what):
            row = names.get(event.object_id)
            name = what(row) if row is not None else f"{model._meta.verbose_name.capitalize()}: {event.object_label}"
        else:
            name = what or f"{model._meta.verbose_name.capitalize()}: {event.object_label}"
        kind = KINDS.get(event.action) or event.action.replace("_", " ").capitalize()
        reason = event.reason or ""
        if event.status_code:
            reason = f"{reason} ({event.status_code} on {event.path})".strip() if event.path else reason
        result.append(
            HistoryEntry(
                when=event.occurred_at,
                who=event.who,
                what=name,
                kind=kind,
                reason=reason,
                changes=changes,
                address=event.address or "",
                request_id=event.request_id,
            )
        )
    return sorted(result, key=lambda e: e.when, reverse=True)


def entries(history: QuerySet, what=None) -> list[HistoryEntry]:
    """Entries for the records a queryset of historical rows names (any model), newest
    first: every change and every refused attempt the audit journal holds on them.

    ``what`` names the record in each entry: a string, or a function of the record's
    latest historical row (so the name can come from related rows the caller selected);
    by default the record's name as the journal kept it.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from portal.audit.models import AuditEvent

    model = history.model.instance_type
    names: dict = {}
    if callable(what):
        for row in history.order_by("history_date", "history_id"):
            names[str(row.id)] = row
    # One query: the journal's events on the records the historical rows name.
    ids = history.order_by().annotate(object_key=Cast("id", CharField())).values("object_key")
    events = (
        AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
        .select_related("actor")
        .order_by("occurred_at", "pk")
    )
    entries_ = events_entries(events, model, what, names)
    # A change that changed nothing but bookkeeping and gave no reason says nothing.
    return [e for e in entries_ if e.kind != "Changed" or e.changes or e.reason]


def merged(*groups: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    out = [entry for group in groups for entry in group]
    return sorted(out, key=lambda e: e.when, reverse=True)
