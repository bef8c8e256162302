"""Who sees what: the one place that narrows every read to the caller's scope.

Rules (shared/roles.md): HQ roles see everything; a Field Office Director sees their
field office; a Field Program Manager sees the agencies where they hold an assignment,
primary or backup, that has started and not ended, and everything that hangs off those
agencies; an OCIO IT specialist sees all installations and the agencies' names and places.

A model takes part by using ``ScopedQuerySet`` (``objects = ScopedQuerySet.as_manager()``)
and by naming the path from itself to its agency in ``scope_agency_path`` ("" for the
agency itself). ``scope_ocio_sees_all`` says whether OCIO sees every row. Pages, the API,
exports and notifications all read through ``Model.objects.visible_to(user)``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .dates import today
from .roles import HQ_ROLES, Role, field_office_id_of, role_of

NOTHING = Q(pk__in=[])


def assigned_agency_ids(user, on=None):
    """A subquery of the ids of the agencies assigned to a program manager on a date (the
    staffing app's ``assigned_agency_ids`` provider; none while it is not installed)."""
    from . import hooks

    return hooks.call("assigned_agency_ids", user, on or today(), default=[])


def agency_scope_q(user, agency_path: str, *, ocio_sees_all: bool = False) -> Q:
    """The filter that narrows rows reached from an agency by ``agency_path`` to the user."""
    role = role_of(user)
    if role is None:
        return NOTHING
    if role in HQ_ROLES:
        return Q()
    prefix = f"{agency_path}__" if agency_path else ""
    if role == Role.FIELD_OFFICE_DIRECTOR:
        office_id = field_office_id_of(user)
        return Q(**{f"{prefix}field_office_id": office_id}) if office_id else NOTHING
    if role == Role.FIELD_PM:
        return Q(**{f"{agency_path or 'pk'}__in": assigned_agency_ids(user)})
    if role == Role.OCIO:
        return Q() if ocio_sees_all else NOTHING
    return NOTHING


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see."""

    def visible_to(self, user):
        path = getattr(self.model, "scope_agency_path", None)
        if path is None:
            raise TypeError(f"{self.model.__name__} does not declare scope_agency_path")
        return self.filter(
            agency_scope_q(user, path, ocio_sees_all=getattr(self.model, "scope_ocio_sees_all", False))
        )


def visible_or_404(queryset, user, **lookup):
    """Fetch one row the user may see, or raise Http404 as if it did not exist."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(queryset.visible_to(user), **lookup)
