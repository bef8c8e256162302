"""Set-based writes that keep the record: bulk create, bulk update, queryset update and
delete, each writing django-simple-history's rows and the audit journal's events in bulk
(a fixed number of queries per batch, never one per row).

``bulk_create_with_history`` and ``bulk_update_with_history`` take the arguments of
django-simple-history's functions of the same name, so a caller only changes its import.
The acting user and reason default to the audit context's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history as _sh_bulk_create

from .context import current
from .models import AuditAction, AuditEvent
from .recording import agency_id_of, agency_ids_of, agency_path_of, event_for, plain, tracked_fields

CHUNK = 900  # stays under every database's limit of query parameters


def _chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _history_manager(model):
    from simple_history.utils import get_history_manager_for_model

    try:
        return get_history_manager_for_model(model)
    except Exception:
        return None


def _user(default_user):
    if default_user is not None:
        return default_user
    return current().user


def _relations_loaded(obj, depth: int = 2) -> bool:
    """Whether every relation of ``obj`` (to ``depth`` levels) is loaded or empty."""
    for field in obj._meta.concrete_fields:
        if not field.is_relation or getattr(obj, field.attname, None) is None:
            continue
        if not field.is_cached(obj):
            return False
        if depth > 1 and not _relations_loaded(field.get_cached_value(obj), depth - 1):
            return False
    return True


def cheap_label(obj) -> str:
    """The record's name if it can be told without a query (its relations are loaded),
    else its type and id: a bulk write never runs one query per row to name its rows."""
    if _relations_loaded(obj):
        try:
            return str(obj)[:250]
        except Exception:
            pass
    return f"{str(type(obj)._meta.verbose_name).capitalize()} #{obj.pk}"


def _label_fn(label):
    return label or cheap_label


def _agency_ids(model, objs) -> dict:
    path = agency_path_of(model)
    if path is not None and "__" in path:
        found = {}
        for chunk in _chunks([o.pk for o in objs]):
            found.update(agency_ids_of(model, chunk))
        return found
    return {o.pk: agency_id_of(o) for o in objs}


def _load_deferred(model, objs) -> None:
    """Read the fields left deferred on ``objs`` (a caller's ``.only()``) in one query per
    batch, so that naming the rows and finding their agencies runs no query per row."""
    deferred = set().union(*(o.get_deferred_fields() for o in objs))
    if not deferred:
        return
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in deferred]
    for chunk in _chunks(objs):
        values = {
            row["pk"]: row for row in model._default_manager.filter(pk__in=[o.pk for o in chunk]).values("pk", *fields)
        }
        for obj in chunk:
            for attname in fields:
                if attname in obj.get_deferred_fields() and obj.pk in values:
                    setattr(obj, attname, values[obj.pk][attname])


def record_events(
    model,
    rows: Iterable[tuple],
    *,
    action: str,
    user=None,
    reason: str = "",
    label: Callable | None = None,
    when=None,
    batch_size: int = 1000,
) -> int:
    """Journal many writes in bulk: ``rows`` are ``(obj, changes)`` pairs."""
    rows = list(rows)
    if not rows:
        return 0
    ctx = current()
    user = _user(user)
    content_type = ContentType.objects.get_for_model(model)
    name = _label_fn(label)
    _load_deferred(model, [obj for obj, _ in rows])
    agencies = _agency_ids(model, [obj for obj, _ in rows])
    when = when or timezone.now()
    events = [
        event_for(
            ctx,
            action=action,
            content_type=content_type,
            object_id=obj.pk,
            label=name(obj),
            agency_id=agencies.get(obj.pk),
            changes=changes,
            reason=reason,
            when=when,
            user=user,
        )
        for obj, changes in rows
    ]
    AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    return len(events)


def _created_changes(model, obj) -> dict:
    return {f.name: [None, v] for f in tracked_fields(model) if (v := plain(getattr(obj, f.attname, None))) is not None}


def bulk_create_with_history(
    objs,
    model,
    batch_size=None,
    ignore_conflicts=False,
    default_user=None,
    default_change_reason=None,
    default_date=None,
    custom_historical_attrs=None,
    label: Callable | None = None,
    action: str = AuditAction.CREATE,
):
    """Create rows in bulk with their historical rows and their journal events."""
    objs = list(objs)
    if not objs:
        return []
    user = _user(default_user)
    reason = default_change_reason or current().reason or ""
    with transaction.atomic():
        if _history_manager(model) is not None:
            created = _sh_bulk_create(
                objs,
                model,
                batch_size=batch_size,
                ignore_conflicts=ignore_conflicts,
                default_user=user,
                default_change_reason=reason,
                default_date=default_date,
                custom_historical_attrs=custom_historical_attrs,
            )
        else:
            created = model._default_manager.bulk_create(objs, batch_size=batch_size, ignore_conflicts=ignore_conflicts)
        created = [o for o in created if o.pk is not None]
        record_events(
            model,
            [(o, _created_changes(model, o)) for o in created],
            action=action,
            user=user,
            reason=reason,
            label=label,
            when=default_date,
        )
    return created


def _values_before(model, pks, fields) -> dict:
    attnames = [model._meta.get_field(f).attname for f in fields]
    found = {}
    for chunk in _chunks(pks):
        for row in model._default_manager.filter(pk__in=chunk).values("pk", *attnames):
            found[row["pk"]] = row
    return found


def _changes(model, before: dict | None, obj, fields) -> dict:
    out = {}
    for name in fields:
        field = model._meta.get_field(name)
        old = plain(before.get(field.attname)) if before else None
        new = plain(getattr(obj, field.attname, None))
        if old != new:
            out[field.name] = [old, new]
    return out


def bulk_update_with_history(
    objs,
    model,
    fields,
    batch_size=None,
    default_user=None,
    default_change_reason=None,
    default_date=None,
    manager=None,
    custom_historical_attrs=None,
    label: Callable | None = None,
    action: str = AuditAction.CHANGE,
):
    """Update rows in bulk with their historical rows and journal events that name each
    changed field's value before and after (read in one query per batch)."""
    objs = list(objs)
    if not objs:
        return 0
    user = _user(default_user)
    reason = default_change_reason or current().reason or ""
    when = default_date or timezone.now()
    with transaction.atomic():
        before = _values_before(model, [o.pk for o in objs], fields)
        count = (manager or model._default_manager).bulk_update(objs, fields, batch_size=batch_size)
        history = _history_manager(model)
        if history is not None:
            # The historical rows need every field: read the rows back in batches rather
            # than touching fields the caller's objects may have deferred (one query each).
            for chunk in _chunks([o.pk for o in objs]):
                history.bulk_history_create(
                    list(model._default_manager.filter(pk__in=chunk)),
                    update=True,
                    default_user=user,
                    default_change_reason=reason,
                    default_date=when,
                    batch_size=1000,
                    custom_historical_attrs=custom_historical_attrs,
                )
        rows = [(o, c) for o in objs if (c := _changes(model, before.get(o.pk), o, fields))]
        record_events(model, rows, action=action, user=user, reason=reason, label=label, when=when)
    return count


def queryset_update(
    queryset, *, reason: str = "", user=None, label: Callable | None = None, action: str = AuditAction.CHANGE, **values
) -> int:
    """``queryset.update(**values)`` that keeps the record: the rows' values before are
    read first, the historical rows and the journal events are written in bulk."""
    model = queryset.model
    fields = list(values)
    user = _user(user)
    reason = reason or current().reason or ""
    with transaction.atomic():
        pks = list(queryset.values_list("pk", flat=True))
        if not pks:
            return 0
        before = _values_before(model, pks, fields)
        count = 0
        for chunk in _chunks(pks):
            count += model._default_manager.filter(pk__in=chunk).update(**values)
        now = timezone.now()
        history = _history_manager(model)
        rows = []
        for chunk in _chunks(pks):
            objs = list(model._default_manager.filter(pk__in=chunk))
            if history is not None:
                history.bulk_history_create(
                    objs,
                    update=True,
                    default_user=user,
                    default_change_reason=reason,
                    default_date=now,
                    batch_size=1000,
                )
            rows.extend((o, c) for o in objs if (c := _changes(model, before.get(o.pk), o, fields)))
        record_events(model, rows, action=action, user=user, reason=reason, label=label, when=now)
    return count


def delete_with_history(queryset_or_objs, *, reason: str = "", user=None, label: Callable | None = None) -> int:
    """Delete rows, journaling each with its values before (the historical "deleted" rows
    are written by simple-history's delete signal where the model has history)."""
    objs = list(queryset_or_objs)
    if not objs:
        return 0
    model = type(objs[0])
    user = _user(user)
    reason = reason or current().reason or ""
    with transaction.atomic():
        history = _history_manager(model)
        if history is not None:
            # simple-history writes a "-" row and the journal event per deleted row through
            # its post_delete signal; name the acting user and reason on each.
            for obj in objs:
                obj._history_user = user
                if reason:
                    obj._change_reason = reason
                obj.delete()
            return len(objs)
        rows = [
            (o, {f.name: [v, None] for f in tracked_fields(model) if (v := plain(getattr(o, f.attname))) is not None})
            for o in objs
        ]
        agencies = _agency_ids(model, objs)
        ctx = current()
        content_type = ContentType.objects.get_for_model(model)
        name = _label_fn(label)
        now = timezone.now()
        events = [
            event_for(
                ctx,
                action=AuditAction.DELETE,
                content_type=content_type,
                object_id=o.pk,
                label=name(o),
                agency_id=agencies.get(o.pk),
                changes=c,
                reason=reason,
                when=now,
                user=user,
            )
            for o, c in rows
        ]
        for chunk in _chunks([o.pk for o in objs]):
            model._default_manager.filter(pk__in=chunk).delete()
        AuditEvent.objects.bulk_create(events, batch_size=1000)
    return len(objs)


#: Above this many rows without history, PostgreSQL writes the baseline in two
#: INSERT ... SELECT statements instead of reading the rows into Python (the national demo
#: seeds 1.5 million card logins and 400,000 completions).
SET_BASED_BASELINE_FROM = 5000


def _json_text(field, column: str) -> str:
    """SQL for the journal's text of a column's value, as ``plain()`` writes it."""
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return f"CASE WHEN {column} THEN 'true' ELSE 'false' END"
    if kind == "DateTimeField":
        return (
            f"to_char({column} AT TIME ZONE 'UTC', CASE WHEN date_trunc('second', {column}) = {column} "
            """THEN 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"' END)"""
        )
    if kind == "DateField":
        return f"to_char({column}, 'YYYY-MM-DD')"
    if kind == "JSONField":
        return column
    return f"{column}::text"


def _baseline_set_based(model, history, *, user, reason: str, now) -> int:
    """``baseline_history`` in two statements on PostgreSQL: the journal's "created"
    events, then the historical rows, for the rows that have no historical row."""
    qn = connection.ops.quote_name
    table, hist_table = qn(model._meta.db_table), qn(history.model._meta.db_table)
    pk = qn(model._meta.pk.column)
    missing = f"FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {hist_table} h WHERE h.{pk} = t.{pk})"
    template = event_for(
        current(),
        action=AuditAction.CREATE,
        content_type=ContentType.objects.get_for_model(model),
        reason=reason,
        when=now,
        user=user,
    )
    pairs, pair_params = [], []
    for field in tracked_fields(model):
        column = f"t.{qn(field.column)}"
        pairs.append(
            f"%s, CASE WHEN {column} IS NULL THEN NULL ELSE jsonb_build_array(NULL, {_json_text(field, column)}) END"
        )
        pair_params.append(field.name)
    objects = [f"jsonb_build_object({', '.join(pairs[i : i + 40])})" for i in range(0, len(pairs), 40)]
    changes = "jsonb_strip_nulls(" + (" || ".join(objects) or "'{}'::jsonb") + ")"
    path = agency_path_of(model)
    agency_params = []
    if path is None:
        agency = "NULL"
    elif path == "":
        agency = f"t.{pk}"
    elif "__" not in path:
        agency = f"t.{qn(model._meta.get_field(path).column)}"
    else:
        from django.db.models.expressions import RawSQL

        inner = model._default_manager.filter(pk=RawSQL(f"t.{pk}", [])).values(path)
        sql, agency_params = inner.query.sql_with_params()
        agency = f"({sql})"
    columns, values, params = [], [], []
    for field in AuditEvent._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(qn(field.column))
        if field.attname == "object_id":
            values.append(f"t.{pk}::text")
        elif field.attname == "object_label":
            values.append(f"%s || t.{pk}::text")
            params.append(f"{str(model._meta.verbose_name).capitalize()} #")
        elif field.attname == "agency_id":
            values.append(agency)
            params.extend(agency_params)
        elif field.attname == "changes":
            values.append(changes)
            params.extend(pair_params)
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(getattr(template, field.attname), connection))
    kept = [f for f in history.model._meta.concrete_fields if not f.name.startswith("history_")]
    hist_columns = ", ".join(qn(f.column) for f in kept)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(AuditEvent._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} {missing} ORDER BY t.{pk}",
            params,
        )
        written = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {hist_table} ({hist_columns}, history_date, history_change_reason, history_type, "
            f"history_user_id) SELECT {', '.join('t.' + qn(f.column) for f in kept)}, %s, %s, '+', %s {missing}",
            [now, reason, getattr(user, "pk", None)],
        )
    return written


def baseline_history(
    model, *, reason: str = "Baseline: the record as it stood when its history began", user=None
) -> int:
    """Give every row of ``model`` that has no historical row yet a baseline ("created")
    row and journal event, so that its first later change shows the values before
    (records seeded or imported in bulk, or made before the model had a history).
    Large tables on PostgreSQL take the set-based path (``SET_BASED_BASELINE_FROM``)."""
    history = _history_manager(model)
    if history is None:
        return 0
    user = _user(user)
    written = 0
    with transaction.atomic():
        missing = model._default_manager.exclude(pk__in=history.values("id")).order_by("pk")
        now = timezone.now()
        if connection.vendor == "postgresql" and missing.count() >= SET_BASED_BASELINE_FROM:
            return _baseline_set_based(model, history, user=user, reason=reason, now=now)
        pks = list(missing.values_list("pk", flat=True))
        for chunk in _chunks(pks):
            objs = list(model._default_manager.filter(pk__in=chunk))
            history.bulk_history_create(
                objs, default_user=user, default_change_reason=reason, default_date=now, batch_size=1000
            )
            written += record_events(
                model,
                [(o, _created_changes(model, o)) for o in objs],
                action=AuditAction.CREATE,
                user=user,
                reason=reason,
                when=now,
            )
    return written


def models_with_history():
    from django.apps import apps

    return [
        m for m in apps.get_models() if getattr(m._meta, "simple_history_manager_attribute", None) and not m._meta.proxy
    ]
