"""Bring the journal up to date with records older than it: journal events from the
historical rows written before the journal existed, and baseline rows for records that
have no history at all (``python manage.py audit_backfill``)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from .bulk import _history_manager, baseline_history, models_with_history
from .context import Channel, context
from .models import AuditEvent
from .recording import HISTORY_TYPE_ACTION, agency_ids_of, diff, plain, tracked_fields

BATCH = 2000


def journal_from_history(model) -> int:
    """Journal events for the historical rows of records the journal knows nothing of."""
    history = _history_manager(model)
    if history is None:
        return 0
    content_type = ContentType.objects.get_for_model(model)
    known = set(AuditEvent.objects.filter(content_type=content_type).values_list("object_id", flat=True).distinct())
    fields = tracked_fields(model)
    written = 0
    pending: list[AuditEvent] = []
    previous: dict = {}
    rows = history.order_by("id", "history_id").select_related(None).iterator(chunk_size=BATCH)
    for row in rows:
        if str(row.id) in known:
            continue
        values = {f.name: plain(getattr(row, f.attname, None)) for f in fields}
        before = previous.get(row.id)
        previous = {row.id: values}  # rows come ordered by record: keep only the current one
        if row.history_type == "+":
            changes = diff(model, None, values)
        elif row.history_type == "-":
            changes = diff(model, before or values, None)
        else:
            changes = diff(model, before, values) if before is not None else {}
        pending.append(
            AuditEvent(
                occurred_at=row.history_date,
                actor_id=row.history_user_id,
                actor_label="before the journal",
                channel=Channel.COMMAND,
                action=HISTORY_TYPE_ACTION[row.history_type],
                content_type=content_type,
                object_id=str(row.id),
                object_label=f"{str(model._meta.verbose_name).capitalize()} #{row.id}",
                changes=changes,
                reason=row.history_change_reason or "",
            )
        )
        if len(pending) >= BATCH:
            written += _flush(model, pending)
    written += _flush(model, pending)
    return written


def _flush(model, events: list[AuditEvent]) -> int:
    if not events:
        return 0
    pks = {model._meta.pk.to_python(e.object_id) for e in events}
    agencies = {str(k): v for k, v in agency_ids_of(model, list(pks)).items()}
    for event in events:
        event.agency_id = agencies.get(event.object_id)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    count = len(events)
    events.clear()
    return count


def backfill(log=print) -> dict[str, int]:
    counts = {}
    with context(channel=Channel.COMMAND, actor_label="audit backfill"):
        for model in models_with_history():
            with transaction.atomic():
                from_history = journal_from_history(model)
                baseline = baseline_history(model)
            if from_history or baseline:
                log(f"{model._meta.label}: {from_history} events from history, {baseline} baseline rows")
            counts[model._meta.label] = from_history + baseline
    return counts
