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


def _created_changes_sql(model, alias: str) -> tuple[str, list]:
    """SQL for the journal's changes of a created row (``_created_changes``): every
    tracked field set, as ``[null, value]``, read from the row ``alias``."""
    qn = connection.ops.quote_name
    pairs, params = [], []
    for field in tracked_fields(model):
        column = f"{alias}.{qn(field.column)}"
        pairs.append(
            f"%s, CASE WHEN {column} IS NULL THEN NULL ELSE jsonb_build_array(NULL, {_json_text(field, column)}) END"
        )
        params.append(field.name)
    objects = [f"jsonb_build_object({', '.join(pairs[i : i + 40])})" for i in range(0, len(pairs), 40)]
    return "jsonb_strip_nulls(" + (" || ".join(objects) or "'{}'::jsonb") + ")", params


def _changed_changes_sql(model, fields, alias: str, before: str) -> tuple[str, list]:
    """SQL for the journal's changes of an updated row (``_changes``): ``[before, after]``
    of each of ``fields`` whose value differs, the row after in ``alias``, the row before
    in its column ``before`` (a row of the model's table)."""
    qn = connection.ops.quote_name
    pairs, params = [], []
    for name in fields:
        field = model._meta.get_field(name)
        new, old = f"{alias}.{qn(field.column)}", f"({alias}.{qn(before)}).{qn(field.column)}"
        pairs.append(
            f"%s, CASE WHEN {new} IS DISTINCT FROM {old} THEN jsonb_build_array("
            f"{_json_text(field, old)}, {_json_text(field, new)}) END"
        )
        params.append(field.name)
    objects = [f"jsonb_build_object({', '.join(pairs[i : i + 40])})" for i in range(0, len(pairs), 40)]
    return "jsonb_strip_nulls(" + (" || ".join(objects) or "'{}'::jsonb") + ")", params


def _journal_columns(model, alias: str, *, action: str, reason: str, when, user, changes: str, changes_params, label):
    """(columns, SELECT expressions, parameters) of the journal's events of the rows
    ``alias``: the constants of the audit context, the row's id, label and agency."""
    qn = connection.ops.quote_name
    pk = qn(model._meta.pk.column)
    template = event_for(
        current(),
        action=action,
        content_type=ContentType.objects.get_for_model(model),
        reason=reason,
        when=when,
        user=user,
    )
    path = agency_path_of(model)
    agency_params = []
    if path is None:
        agency = "NULL"
    elif path == "":
        agency = f"{alias}.{pk}"
    elif "__" not in path:
        agency = f"{alias}.{qn(model._meta.get_field(path).column)}"
    else:
        from django.db.models.expressions import RawSQL

        inner = model._default_manager.filter(pk=RawSQL(f"{alias}.{pk}", [])).values(path)
        sql, agency_params = inner.query.sql_with_params()
        agency = f"({sql})"
    if label is None:
        label, label_params = f"%s || {alias}.{pk}::text", [f"{str(model._meta.verbose_name).capitalize()} #"]
    else:
        label, label_params = label
    columns, values, params = [], [], []
    for field in AuditEvent._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(qn(field.column))
        if field.attname == "object_id":
            values.append(f"{alias}.{pk}::text")
        elif field.attname == "object_label":
            values.append(f"left({label}, 250)")
            params.extend(label_params)
        elif field.attname == "agency_id":
            values.append(agency)
            params.extend(agency_params)
        elif field.attname == "changes":
            values.append(changes)
            params.extend(changes_params)
        else:
            values.append("%s")
            params.append(field.get_db_prep_save(getattr(template, field.attname), connection))
    return columns, values, params


def _history_columns(history) -> list[str]:
    qn = connection.ops.quote_name
    return [qn(f.column) for f in history.model._meta.concrete_fields if not f.name.startswith("history_")]


def write_returning_with_history(
    model,
    write_sql: str,
    params,
    *,
    action: str,
    reason: str,
    when,
    user=None,
    label: tuple[str, list] | None = None,
    fields=None,
    before: str = "before",
) -> int:
    """One set-based write on PostgreSQL that keeps the record: ``write_sql``, an INSERT
    or UPDATE of ``model``'s table ``RETURNING`` the rows after (every column), is run in
    one statement with the INSERT ... SELECT of their historical rows and of their
    journal events. An INSERT's events name every field set (as ``bulk_create_with_history``);
    an UPDATE's name the ``fields`` whose value differs, the row before returned in the
    column ``before`` (``UPDATE t SET ... RETURNING t.*, (SELECT o FROM t o WHERE o.id =
    t.id) AS before``: the statement's snapshot does not see its own update), as
    ``bulk_update_with_history``. ``label``:
    SQL over the rows ``w`` naming each in the journal, with its parameters (default: its
    type and id). The rows written, counted."""
    qn = connection.ops.quote_name
    user = _user(user)
    reason = reason or current().reason or ""
    if fields is None:
        changes, changes_params = _created_changes_sql(model, "w")
        history_type = "+"
    else:
        changes, changes_params = _changed_changes_sql(model, fields, "w", before)
        history_type = "~"
    columns, values, journal_params = _journal_columns(
        model,
        "w",
        action=action,
        reason=reason,
        when=when,
        user=user,
        changes=changes,
        changes_params=changes_params,
        label=label,
    )
    sql = f"WITH w AS ({write_sql})"
    all_params = list(params)
    history = _history_manager(model)
    if history is not None:
        kept = _history_columns(history)
        sql += (
            f", h AS (INSERT INTO {qn(history.model._meta.db_table)} ({', '.join(kept)}, history_date, "
            f"history_change_reason, history_type, history_user_id) "
            f"SELECT {', '.join('w.' + c for c in kept)}, %s, %s, %s, %s FROM w)"
        )
        all_params += [when, reason, history_type, getattr(user, "pk", None)]
    where = "" if fields is None else f" WHERE {changes} <> '{{}}'::jsonb"
    sql += (
        f", j AS (INSERT INTO {qn(AuditEvent._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM w{where}) SELECT count(*) FROM w"
    )
    all_params += journal_params + ([] if fields is None else changes_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        return cursor.fetchone()[0]


def _baseline_set_based(model, history, *, user, reason: str, now) -> int:
    """``baseline_history`` in two statements on PostgreSQL: the journal's "created"
    events, then the historical rows, for the rows that have no historical row."""
    qn = connection.ops.quote_name
    table, hist_table = qn(model._meta.db_table), qn(history.model._meta.db_table)
    pk = qn(model._meta.pk.column)
    missing = f"FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {hist_table} h WHERE h.{pk} = t.{pk})"
    changes, changes_params = _created_changes_sql(model, "t")
    columns, values, params = _journal_columns(
        model,
        "t",
        action=AuditAction.CREATE,
        reason=reason,
        when=now,
        user=user,
        changes=changes,
        changes_params=changes_params,
        label=None,
    )
    hist_columns = ", ".join(_history_columns(history))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(AuditEvent._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} {missing} ORDER BY t.{pk}",
            params,
        )
        written = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {hist_table} ({hist_columns}, history_date, history_change_reason, history_type, "
            f"history_user_id) SELECT {', '.join('t.' + c for c in _history_columns(history))}, %s, %s, '+', %s "
            f"{missing}",
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
