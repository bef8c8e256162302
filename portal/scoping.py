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
    """A subquery of the ids of the agencies assigned to a program manager on a date."""
    from staffing.models import Assignment

    return Assignment.objects.active_on(on or today()).filter(program_manager=user).values("agency_id")


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


class RefusalRecordingMixin:
    """A queryset narrowed to a user remembers the user; a ``get()`` that finds nothing
    in scope although the row exists outside it journals the refused attempt (once per
    request and record), then fails as if the row did not exist."""

    _scope_user = None

    def _clone(self):
        clone = super()._clone()
        clone._scope_user = self._scope_user
        return clone

    def scoped_to(self, user):
        clone = self._chain()
        clone._scope_user = user
        return clone

    def get(self, *args, **kwargs):
        try:
            return super().get(*args, **kwargs)
        except self.model.DoesNotExist:
            if self._scope_user is not None:
                pk = out_of_scope_pk(self.model, *args, **kwargs)
                if pk is not None:
                    record_out_of_scope(self.model, pk, self._scope_user)
            raise


def out_of_scope_pk(model, *args, **kwargs):
    """The pk of the row ``kwargs`` name if it exists at all (outside any scope), else None."""
    if args:
        return None
    try:
        return model._default_manager.filter(**kwargs).values_list("pk", flat=True).first()
    except Exception:  # a lookup the unscoped manager cannot take
        return None


def record_out_of_scope(model, pk, user) -> None:
    from .audit.context import current
    from .audit.recording import record_refusal

    request = current().request
    seen = getattr(request, "_audit_refused", None) if request is not None else None
    key = (model._meta.label, str(pk))
    if seen is not None and key in seen:
        return
    if request is not None:
        request._audit_refused = (seen or set()) | {key}
    record_refusal(request, status=404, model=model, object_id=pk, user=user,
                   reason="Outside the caller's scope")


class ScopedQuerySet(RefusalRecordingMixin, models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see."""

    def visible_to(self, user):
        path = getattr(self.model, "scope_agency_path", None)
        if path is None:
            raise TypeError(f"{self.model.__name__} does not declare scope_agency_path")
        return self.filter(
            agency_scope_q(user, path, ocio_sees_all=getattr(self.model, "scope_ocio_sees_all", False))
        ).scoped_to(user)


def visible_or_404(queryset, user, **lookup):
    """Fetch one row the user may see; raise ``OutOfScope`` (a 404, journaled) when the row
    exists outside the user's scope, Http404 when it does not exist at all."""
    from django.http import Http404

    from .errors import OutOfScope

    model = queryset.model
    try:
        return queryset.visible_to(user).get(**lookup)
    except model.DoesNotExist:
        pk = out_of_scope_pk(model, **lookup)
        if pk is not None:
            raise OutOfScope(model=model, pk=pk) from None
        raise Http404(f"No {model._meta.verbose_name} matches the given query.") from None
    except (TypeError, ValueError):
        raise Http404(f"No {model._meta.verbose_name} matches the given query.") from None
