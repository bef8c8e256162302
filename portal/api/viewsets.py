"""Base classes of every API viewset: the queryset is always narrowed to the caller."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets


class ScopedViewSetMixin:
    """Narrows ``queryset`` with ``visible_to(request.user)``; every API viewset uses it."""

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.visible_to(self.request.user)

    def get_object(self):
        """The record in the caller's scope; ``OutOfScope`` (404, journaled) when it exists
        outside it."""
        from django.http import Http404

        from portal.errors import OutOfScope
        from portal.scoping import out_of_scope_pk

        try:
            return super().get_object()
        except OutOfScope:
            raise
        except Http404:
            lookup = self.lookup_url_kwarg or self.lookup_field
            value = self.kwargs.get(lookup)
            model = self.get_queryset().model
            pk = out_of_scope_pk(model, **{self.lookup_field: value}) if value is not None else None
            if pk is not None:
                raise OutOfScope(model=model, pk=pk) from None
            raise


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
        return queryset.visible_to(request.user)
