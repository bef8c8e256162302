from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal import services
from portal.api.actions import ServiceActionMixin
from portal.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from portal.compliance import services as finding_services
from portal.compliance.models import Finding, SweepRun
from portal.filtersets import FindingFilterSet, SweepRunFilterSet
from portal.models import ApiToken

from .serializers import (
    ApiTokenSerializer,
    FindingActionSerializer,
    FindingSerializer,
    FindingWaiveSerializer,
    SweepRunSerializer,
)


class FindingViewSet(ServiceActionMixin, ScopedReadOnlyViewSet):
    """Findings of the compliance sweep, with actions ``acknowledge``, ``resolve`` and ``waive``."""

    queryset = Finding.objects.select_related("subject_type", "responsible")
    serializer_class = FindingSerializer
    filterset_class = FindingFilterSet
    search_fields = ["subject_label", "detail"]
    ordering_fields = ["last_seen_at", "first_seen_at", "severity", "rule"]

    def _act(self, request, service, params_class):
        return self.run_service(request, service, params=params_class, finding=self.get_object())

    @extend_schema(request=FindingActionSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge the finding: it stays open, known to the person responsible."""
        return self._act(request, finding_services.finding_acknowledge, FindingActionSerializer)

    @extend_schema(request=FindingActionSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve the finding by hand. Its rule is re-checked for this subject at once: 409
        with the reason while the condition still holds (only HQ can waive it then)."""
        return self._act(request, finding_services.finding_resolve, FindingActionSerializer)

    @extend_schema(request=FindingWaiveSerializer, responses=FindingSerializer)
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        """Waive the finding (HQ only), with a reason and an optional end date."""
        return self._act(request, finding_services.finding_waive, FindingWaiveSerializer)


class SweepRunViewSet(ScopedReadOnlyViewSet):
    """Runs of the compliance sweep with their counts per rule."""

    queryset = SweepRun.objects.all()
    serializer_class = SweepRunSerializer
    filterset_class = SweepRunFilterSet
    ordering_fields = ["started_at"]


class ApiTokenViewSet(
    ScopedViewSetMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The caller's own API tokens. Creating one answers its key once; DELETE revokes it."""

    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer
    filterset_fields = []
    ordering_fields = ["created_at"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.token_create(
            user=self.request.user,
            name=data["name"],
            expires_in_days=data.get("expires_in_days"),
            expires_at=data.get("expires_at"),
        )

    def destroy(self, request, *args, **kwargs):
        token = services.token_revoke(token=self.get_object())
        return Response(self.get_serializer(token).data, status=status.HTTP_200_OK)
