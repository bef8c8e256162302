"""``{% load portal_dates %}``: ``{{ value|shown_date }}`` shows a date held as ISO 8601
text (computed figures, stored as JSON: ``"2025-03-16"``) in the portal's one date format,
as ``|date`` does for a date."""

from __future__ import annotations

import datetime as dt

from django import template

from portal.tables import display

register = template.Library()


@register.filter
def shown_date(value):
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return display(value)
