"""Unknown body fields are refused: a field the serializer does not take (a typo, a field
of another resource, a read-only field such as ``id``) answers 400 with a message on that
field, instead of being silently dropped while the rest is written.

It holds for every serializer of the portal, the API's model serializers and the small
serializers of its actions alike, including those added later: ``install()``, called once
from ``PortalConfig.ready()``, puts the check in front of DRF's
``Serializer.to_internal_value``. A serializer that must take free-form keys sets
``allow_unknown_fields = True``.

``install()`` also makes DRF's fields as strict as the schema they publish: a text field
refuses a JSON number (``"title": 0``), an integer field and a relation by id refuse a
number no database column holds (above 2^63-1), instead of failing in the database, and
a date field refuses a date outside ``portal.bounds.ANY_DATE`` (40 years back, 15 ahead).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import relations, serializers
from rest_framework.exceptions import ValidationError

from portal import bounds

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
    _strict_text()
    _bounded_dates()
    _bounded_integers()
    _bounded_primary_keys()
    _installed = True


def _strict_text() -> None:
    original = serializers.CharField.to_internal_value

    def to_internal_value(self, data):
        # DRF would turn 0 into "0"; the schema says string. (bool is refused by DRF already.)
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            self.fail("invalid")
        return original(self, data)

    serializers.CharField.to_internal_value = to_internal_value


def _bounded_dates() -> None:
    original = serializers.DateField.to_internal_value

    def to_internal_value(self, value):
        day = original(self, value)
        try:
            bounds.ANY_DATE(day)  # nothing in the year 5025: the models name narrower windows
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages, code="date_out_of_window") from None
        return day

    serializers.DateField.to_internal_value = to_internal_value


def _bounded_integers() -> None:
    original = serializers.IntegerField.to_internal_value

    def to_internal_value(self, data):
        value = original(self, data)
        if not bounds.INT64_MIN <= value <= bounds.INT64_MAX:
            raise ValidationError(bounds.INT64_MESSAGE, code="max_value")
        return value

    serializers.IntegerField.to_internal_value = to_internal_value


def _bounded_primary_keys() -> None:
    original = relations.PrimaryKeyRelatedField.to_internal_value

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, int) and not bounds.INT64_MIN <= data <= bounds.INT64_MAX:
            self.fail("does_not_exist", pk_value=data)
        if isinstance(data, str) and data.strip().lstrip("-").isdigit() and len(data.strip()) > 18:
            try:
                out_of_range = not bounds.INT64_MIN <= int(data) <= bounds.INT64_MAX
            except ValueError:
                out_of_range = True
            if out_of_range:
                self.fail("does_not_exist", pk_value=data)
        return original(self, data)

    relations.PrimaryKeyRelatedField.to_internal_value = to_internal_value
