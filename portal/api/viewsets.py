"""Base classes of every API viewset: the queryset is always narrowed to the caller by
the access policy (``portal.access``), and a record outside the caller's scope answers
404 (``portal.errors.OutOfScope``)."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from portal import access
from portal.errors import OutOfScope


class ScopedViewSetMixin:
    """Narrows ``queryset`` with ``restrict(request.user, "view")``; every API viewset uses it.
    A viewset whose rows are not its model's (a policy entry named in ``access.API``)
    narrows by that entry."""

    #: Records are addressed by their whole-number id only: ``3%09`` (a tab after it) or
    #: ``+3`` is no id (Python's ``int()`` would have read both as 3) and answers 404.
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        queryset = super().get_queryset()
        target, _ = access.api_target(self)
        if target.model is not None and target.model is not queryset.model:
            return access.restrict(queryset, self.request.user, "view", target.label)
        return access.restrict(queryset, self.request.user, "view")

    def get_object(self):
        from django.http import Http404

        try:
            return super().get_object()
        except OutOfScope:
            raise
        except Http404:
            lookup = self.lookup_url_kwarg or self.lookup_field
            value = self.kwargs.get(lookup)
            queryset = super().get_queryset()
            pk = (
                queryset.filter(**{self.lookup_field: value}).values_list("pk", flat=True).first()
                if value is not None and str(value).isdecimal()
                else None
            )
            raise OutOfScope(model=queryset.model, pk=pk) from None


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedCreateReadViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A writable relation whose choices are the rows the caller may see, so a record
    outside the caller's scope is refused as if it did not exist."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return access.restrict(queryset, request.user, "view")


class FieldPolicyMixin:
    """A serializer that leaves out the fields the caller's role may not see of the
    record type (``portal.access.FIELD_POLICY``): OCIO sees an agency's name and place,
    not its contacts."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None:
            return fields
        visible = access.visible_fields(request.user, self.Meta.model)
        if visible is None:
            return fields
        return {name: field for name, field in fields.items() if name in visible}
