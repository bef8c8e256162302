"""Writing the audit journal: every historical record django-simple-history makes becomes
an ``AuditEvent`` in the same transaction, with the acting party from the audit context;
refusals (403, a 404 on a record outside the caller's scope, a failed sign-in, a bad
token) are recorded by ``record_refusal``."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import logging
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .context import AuditContext, current
from .models import AuditAction, AuditEvent

logger = logging.getLogger(__name__)

#: Fields never worth a line in the journal (bookkeeping, or secrets).
SKIP_FIELDS = {"id", "updated_at", "match_key", "digest", "password"}
HISTORY_TYPE_ACTION = {"+": AuditAction.CREATE, "~": AuditAction.CHANGE, "-": AuditAction.DELETE}


def plain(value):
    """A value as the journal keeps it: text (ISO 8601 for dates), or None."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, dict)):
        return value
    return str(value)


@functools.cache
def tracked_fields(model) -> tuple[models.Field, ...]:
    """The fields of ``model`` the journal follows: those its history keeps, less bookkeeping."""
    fields = model._meta.concrete_fields
    history = getattr(model, "_meta", None) and getattr(model._meta, "simple_history_manager_attribute", None)
    if history:
        kept = {f.name for f in getattr(model, history).model.tracked_fields}
        fields = [f for f in fields if f.name in kept]
    return tuple(f for f in fields if f.name not in SKIP_FIELDS and f.attname not in SKIP_FIELDS)


def values_of(model, obj) -> dict:
    return {f.name: plain(getattr(obj, f.attname, None)) for f in tracked_fields(model)}


def diff(model, before: dict | None, after: dict | None) -> dict:
    """{field: [before, after]} of the fields whose value differs (all set fields for a
    creation or a deletion)."""
    before = before or {}
    after = after or {}
    out = {}
    for name in (after or before).keys() | before.keys():
        old, new = before.get(name), after.get(name)
        if old != new:
            out[name] = [old, new]
    return out


def agency_path_of(model) -> str | None:
    """The path from ``model`` to its agency, as the access policy names it ("" for the
    agency itself); None when the record does not hang off an agency."""
    from portal import access

    try:
        path = access.target_of(model).agency
    except LookupError:
        path = None
    if path is None and any(f.is_relation and f.name == "agency" for f in model._meta.concrete_fields):
        path = "agency"
    return path


def agency_id_of(obj) -> int | None:
    """The id of the agency a record hangs off (its path in the access policy), without a
    query when the path is one step."""
    path = agency_path_of(type(obj))
    if path is None:
        return None
    if path == "":
        return obj.pk
    parts = path.split("__")
    try:
        target = obj
        for part in parts[:-1]:
            target = getattr(target, part)
            if target is None:
                return None
        return getattr(target, f"{parts[-1]}_id")
    except Exception:  # a parent deleted in the same transaction
        return None


def agency_ids_of(model, pks) -> dict:
    """{pk: agency id} for many rows of ``model`` in one query."""
    path = agency_path_of(model)
    pks = [pk for pk in pks if pk is not None]
    if not pks or path is None:
        return {}
    if path == "":
        return {pk: pk for pk in pks}
    return dict(model._default_manager.filter(pk__in=pks).values_list("pk", path))


def event_for(
    ctx: AuditContext,
    *,
    action: str,
    content_type=None,
    obj=None,
    object_id=None,
    label: str = "",
    agency_id=None,
    changes=None,
    reason: str = "",
    when=None,
    user=None,
) -> AuditEvent:
    """An unsaved journal entry stamped with the acting party of ``ctx``."""
    actor = user if user is not None else ctx.user
    return AuditEvent(
        occurred_at=when or dt.datetime.now(dt.UTC),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=ctx.actor_label[:120],
        token_id=ctx.token_id,
        request_id=ctx.request_id,
        address=ctx.address,
        channel=ctx.channel,
        action=action[:30],
        content_type=content_type,
        object_id="" if object_id is None else str(object_id),
        object_label=(label or "")[:250],
        agency_id=agency_id,
        changes=changes or {},
        reason=reason or ctx.reason or "",
    )


def _label(obj) -> str:
    try:
        return str(obj)[:250]
    except Exception:
        return f"#{obj.pk}"


# --- django-simple-history hooks ---------------------------------------------------------


def fill_history_from_context(sender, history_instance, **kwargs):
    """simple-history's acting user and reason come from the audit context when the code
    did not name them (so a forgotten ``stamp()`` no longer yields "System")."""
    ctx = current()
    if history_instance.history_user_id is None:
        user = ctx.user
        if user is not None and user.pk:
            history_instance.history_user = user
    if not history_instance.history_change_reason and ctx.reason:
        history_instance.history_change_reason = ctx.reason


def record_historical_row(sender, instance, history_instance, **kwargs):
    """Journal one historical row: the fields it changed since the previous row."""
    ctx = current()
    model = type(instance)
    history_type = history_instance.history_type
    fields = tracked_fields(model)
    after = {f.name: plain(getattr(history_instance, f.attname, None)) for f in fields}
    if history_type == "+":
        changes = diff(model, None, after)
    elif history_type == "-":
        changes = diff(model, after, None)
    else:
        prior = (
            sender._default_manager.filter(id=history_instance.id, history_id__lt=history_instance.history_id)
            .order_by("-history_id")
            .first()
        )
        before = {f.name: plain(getattr(prior, f.attname, None)) for f in fields} if prior is not None else None
        changes = diff(model, before, after)
    action = getattr(instance, "_audit_action", None) or HISTORY_TYPE_ACTION[history_type]
    reason = history_instance.history_change_reason or ""
    if history_type == "~" and not changes and not reason and action == AuditAction.CHANGE:
        return  # a save that changed nothing
    AuditEvent.objects.create(
        **_fields(
            event_for(
                ctx,
                action=action,
                content_type=ContentType.objects.get_for_model(model),
                object_id=instance.pk,
                label=_label(instance),
                agency_id=agency_id_of(instance),
                changes=changes,
                reason=reason,
                when=history_instance.history_date,
                user=history_instance.history_user,
            )
        )
    )


def _fields(event: AuditEvent) -> dict:
    return {f.attname: getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields if f.name != "id"}


# --- refusals ----------------------------------------------------------------------------


def record_refusal(
    request,
    *,
    status: int,
    action: str = AuditAction.DENIED,
    model=None,
    object_id=None,
    reason: str = "",
    user=None,
    token_id=None,
    label: str = "",
) -> AuditEvent | None:
    """Journal a refused attempt: a 403, a 404 on a record outside the caller's scope, a
    failed sign-in, a revoked, expired or unknown token. Written outside the request's
    transaction (the refusal rolls it back) and never allowed to fail the response."""
    from django.db import transaction

    ctx = current()
    try:
        content_type = ContentType.objects.get_for_model(model) if model is not None else None
        agency_id = None
        if model is not None and object_id is not None:
            agency_id = agency_ids_of(model, [object_id]).get(_as_pk(model, object_id))
            if not label:
                obj = model._default_manager.filter(pk=object_id).first()
                label = _label(obj) if obj is not None else ""
        event = event_for(
            ctx,
            action=action,
            content_type=content_type,
            object_id=object_id,
            label=label,
            agency_id=agency_id,
            reason=reason,
            user=user,
        )
        if token_id is not None:
            event.token_id = token_id
        if request is not None:
            event.path = request.get_full_path()[:500]
        event.status_code = status
        with transaction.atomic():
            event.save()
        return event
    except Exception:  # the journal must not turn a refusal into a 500
        logger.exception("Could not record a refused attempt")
        return None


def record_out_of_scope(model, pk, user) -> None:
    """Journal a look-up of a record that exists outside the caller's scope (once per
    request and record: a page may look a record up more than once)."""
    request = current().request
    seen = getattr(request, "_audit_refused", None) if request is not None else None
    key = (model._meta.label, str(pk))
    if seen is not None and key in seen:
        return
    if request is not None:
        request._audit_refused = (seen or set()) | {key}
    record_refusal(request, status=404, model=model, object_id=pk, user=user, reason="Outside the caller's scope")


def _as_pk(model, value):
    try:
        return model._meta.pk.to_python(value)
    except Exception:
        return value
