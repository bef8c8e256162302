"""Compatibility names for the access policy, which lives in ``portal.access``.

``ScopedQuerySet`` is ``portal.access.RestrictedQuerySet``: ``Model.objects.restrict(user,
action)`` and its alias ``visible_to(user)`` (``restrict(user, "view")``) narrow rows by
the policy's entry for the model. ``visible_or_404`` answers one row in view or raises
``portal.errors.OutOfScope`` (a 404).
"""

from __future__ import annotations

from .access import NOTHING, RestrictedQuerySet, assigned_agency_ids, get_or_404

ScopedQuerySet = RestrictedQuerySet

__all__ = ["NOTHING", "ScopedQuerySet", "assigned_agency_ids", "visible_or_404"]


def visible_or_404(queryset, user, **lookup):
    """Fetch one row the user may see, or raise ``OutOfScope`` (404) as if it did not exist."""
    return get_or_404(queryset, user, "view", **lookup)
