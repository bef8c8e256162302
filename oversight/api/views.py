"""The oversight API: ``dashboard`` and ``readiness`` (read, scoped), ``impact-assessments``."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from agreements.models import Agency
from portal.api.viewsets import ScopedCreateReadViewSet, ScopedViewSetMixin

from .. import services
from ..dashboard import DashboardFilters, dashboard
from ..models import ImpactAssessment
from ..readiness import site_readiness, sort_by_blockers
from .serializers import (
    DashboardParamsSerializer,
    DashboardSerializer,
    ImpactAssessmentSerializer,
    ReadinessParamsSerializer,
    ReadinessSerializer,
)


class OneObjectSchema(AutoSchema):
    """The dashboard's ``list`` answers one object of figures, not a list of them."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class DashboardViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """The national dashboard's figures for the caller's scope (a Field Office Director:
    their office), with the page's filters: ``field_office``, ``program_model``, ``fiscal_year``."""

    queryset = Agency.objects.all()
    serializer_class = DashboardSerializer
    pagination_class = None
    filter_backends = []
    schema = OneObjectSchema()

    @extend_schema(parameters=[DashboardParamsSerializer], responses=DashboardSerializer)
    def list(self, request):
        # a plain dict: a QueryDict would read an empty ``field_office=`` as left out
        params = DashboardParamsSerializer(data=request.query_params.dict(), context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        filters = DashboardFilters(
            field_office=data.get("field_office"),
            program_model=data.get("program_model") or "",
            fiscal_year=data.get("fiscal_year"),
        )
        return Response(dashboard(request.user, filters))


class ReadinessViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Site readiness per agency (ready / partly ready / not ready, with reasons), in the
    caller's scope, the sites held by the most frequent blockers first."""

    queryset = Agency.objects.all()
    serializer_class = ReadinessSerializer
    filter_backends = []

    @extend_schema(parameters=[ReadinessParamsSerializer])
    def list(self, request):
        query = request.query_params.copy()
        for name in ("page", "page_size"):  # the paginator's, checked by it
            query.pop(name, None)
        params = ReadinessParamsSerializer(data=query.dict(), context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        sites = site_readiness(
            request.user,
            field_office=data.get("field_office"),
            program_model=data.get("program_model") or None,
            agency_ids=[data["agency"].pk] if data.get("agency") else None,
        )
        if data.get("status"):
            sites = [s for s in sites if s.status == data["status"]]
        if data.get("blocker"):
            sites = [s for s in sites if data["blocker"] in s.reasons]
        if data.get("agency"):
            sites = [s for s in sites if s.agency_id == data["agency"].pk]
        # Sorted over every site (the order weighs each blocker by the sites it holds), but
        # only the page's sites are written out as rows.
        page = self.paginate_queryset(sort_by_blockers(sites))
        return self.get_paginated_response([s.as_dict() for s in page])


class ImpactAssessmentViewSet(ScopedCreateReadViewSet):
    """Expansion impact checks: POST computes and stores one; GET reads those you may see."""

    queryset = ImpactAssessment.objects.select_related("created_by").prefetch_related("agreements", "field_offices")
    serializer_class = ImpactAssessmentSerializer
    filterset_fields = ["rating", "basis"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        counts = {c["field_office"]: c["new_agreements"] for c in data.get("counts") or []}
        serializer.instance = services.impact_assessment_create(
            acting_user=self.request.user,
            agreements=data.get("agreements") or None,
            agencies=data.get("agencies") or None,
            counts=counts or None,
            program_model=data.get("program_model") or "jem",
            signing_on=data.get("signing_on"),
        )
