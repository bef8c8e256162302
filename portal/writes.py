"""The one way a service changes a record: set its fields, validate, save, record who and why.

``model_update`` is HackSoft's helper of the same name, fitted to the portal: it sets the
fields whose value changes, runs ``full_clean`` (and the service's own checks), saves only
the changed columns with ``update_fields``, and names the acting user and the reason for
the record's change history (``portal.history.stamp``). It returns the record and whether
it changed; when nothing changes, nothing is validated, saved or recorded. When
validation fails, nothing is saved and the record in memory gets its values back, so a
page that shows the form again shows what is stored, not the refused values.

An unsaved record (no primary key) is saved whole: creating is a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from .history import stamp

M = TypeVar("M", bound=models.Model)

_UNSET = object()


def _field(model, name: str) -> models.Field:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist as exc:
        raise TypeError(f"{model.__name__} has no field {name!r}") from exc
    if not getattr(field, "concrete", False) or field.many_to_many:
        raise TypeError(f"{model.__name__}.{name} is not a column that model_update can set")
    return field


def _same(field: models.Field, current: Any, value: Any) -> bool:
    """Whether ``value`` is what the column holds already (``5`` and ``Decimal("5")`` are;
    a value the field cannot read is a change, for ``full_clean`` to refuse)."""
    if field.is_relation:
        return current == (value.pk if isinstance(value, models.Model) else value)
    try:
        return current == field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False


def model_update(
    *,
    instance: M,
    data: Mapping[str, Any],
    acting_user,
    reason: str = "",
    action: str = "",
    fields: Iterable[str] | None = None,
    check: Callable[[M], None] | None = None,
    validate_constraints: bool = True,
    exclude: Iterable[str] | None = None,
    extra_update_fields: Iterable[str] = (),
) -> tuple[M, bool]:
    """Set ``data`` on ``instance``, validate and save it; return ``(instance, changed)``.

    - ``fields``: the names that may be set (defaults to every key of ``data``); a key of
      ``data`` outside them, or a name that is not a column of the model, is a programming
      error (``TypeError``), never silently ignored.
    - ``check``: the service's rules beyond the model's, called with the instance holding
      the new values after ``full_clean`` (raise ``ValidationError``,
      ``TransitionNotAllowed`` or ``PermissionDenied``).
    - ``validate_constraints`` / ``exclude``: passed to ``full_clean`` (services that
      check overlapping dates themselves, with field messages, skip the constraints).
    - ``action``: the named action (``"sign"``, ``"acknowledge"``) the audit journal keeps.
    - ``extra_update_fields``: columns the caller changed on the instance itself before
      the call (derived values such as a match key), saved with the changed ones.
    """
    model = type(instance)
    allowed = None if fields is None else set(fields)
    creating = instance._state.adding or instance.pk is None
    before: dict[str, Any] = {}
    changed: list[str] = []
    for name, value in data.items():
        if allowed is not None and name not in allowed:
            raise TypeError(f"model_update of {model.__name__} may not set {name!r}")
        field = _field(model, name)
        current = getattr(instance, field.attname)
        if not creating and _same(field, current, value):
            continue
        if field.is_relation:
            before.setdefault(
                field.name, (field.attname, current, instance._state.fields_cache.get(field.name, _UNSET))
            )
        else:
            before.setdefault(field.name, (field.attname, current, _UNSET))
        setattr(instance, field.name, value)
        if field.name not in changed:
            changed.append(field.name)
    extra = [_field(model, name).name for name in extra_update_fields]
    if not creating and not changed:
        return instance, False
    try:
        instance.full_clean(exclude=list(exclude) if exclude else None, validate_constraints=validate_constraints)
        if check is not None:
            check(instance)
    except Exception:
        for name, (attname, value, cached) in before.items():
            setattr(instance, attname, value)
            if cached is not _UNSET:
                instance._state.fields_cache[name] = cached
            else:
                instance._state.fields_cache.pop(name, None)
        raise
    stamp(instance, acting_user, reason, action)
    if creating:
        instance.save()
    else:
        auto = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        instance.save(update_fields=list(dict.fromkeys([*changed, *extra, *auto])))
    return instance, True
