"""Unknown body fields are refused: a field the serializer does not take (a typo, a field
of another resource, a read-only field such as ``id``) answers 400 with a message on that
field, instead of being silently dropped while the rest is written.

It holds for every serializer of the portal, the API's model serializers and the small
serializers of its actions alike, including those added later: ``install()``, called once
from ``PortalConfig.ready()``, puts the check in front of DRF's
``Serializer.to_internal_value``. A serializer that must take free-form keys sets
``allow_unknown_fields = True``.
"""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

#: Keys a browser's form adds to a body; never a field.
IGNORED_KEYS = frozenset({"csrfmiddlewaretoken"})

UNKNOWN_MESSAGE = "Unknown field: this operation does not take it."
READ_ONLY_MESSAGE = "This field is read only: leave it out."


def unknown_field_errors(serializer: serializers.Serializer, data) -> dict[str, list[str]]:
    """``{field: [message]}`` for each key of ``data`` the serializer does not take."""
    if not isinstance(data, Mapping) or getattr(serializer, "allow_unknown_fields", False):
        return {}
    fields = serializer.fields
    errors = {}
    for key in data.keys():
        if key in IGNORED_KEYS:
            continue
        field = fields.get(key)
        if field is None:
            errors[str(key)] = [UNKNOWN_MESSAGE]
        elif field.read_only:
            errors[str(key)] = [READ_ONLY_MESSAGE]
    return errors


_installed = False


def install() -> None:
    """Refuse unknown fields in every ``Serializer`` (idempotent)."""
    global _installed
    if _installed:
        return
    original = serializers.Serializer.to_internal_value

    def to_internal_value(self, data):
        errors = unknown_field_errors(self, data)
        if errors:
            raise ValidationError(errors)
        return original(self, data)

    to_internal_value.__doc__ = original.__doc__
    serializers.Serializer.to_internal_value = to_internal_value
    _installed = True
