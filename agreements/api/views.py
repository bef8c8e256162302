from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from agreements import services
from agreements.filtersets import AgencyFilterSet, AgreementFilterSet
from agreements.models import Agency, Agreement, FieldOffice
from portal.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet

from .serializers import AgencySerializer, AgreementSerializer, AgreementSignSerializer, FieldOfficeSerializer


class FieldOfficeViewSet(ScopedReadOnlyViewSet):
    """The 25 ERO field offices and the states of their areas of responsibility (read only)."""

    queryset = FieldOffice.objects.all()
    serializer_class = FieldOfficeSerializer
    search_fields = ["name", "code", "city"]
    ordering_fields = ["name", "code"]


class AgencyViewSet(ScopedModelViewSet):
    """Law enforcement agencies, narrowed to the caller's scope."""

    queryset = Agency.objects.select_related("field_office")
    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet
    ordering_fields = ["name", "state", "county", "created_at"]
    ordering = ["state", "name"]

    def perform_create(self, serializer):
        serializer.instance = services.agency_create(acting_user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.agency_update(
            agency=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        from portal.errors import TransitionNotAllowed

        raise TransitionNotAllowed("Agencies are never deleted; their agreements record their history.")


class AgreementViewSet(ScopedModelViewSet):
    """287(g) agreements (MOAs). Transitions are actions: ``POST agreements/{id}/{verb}/``."""

    queryset = Agreement.objects.select_related("agency")
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet
    ordering_fields = ["signed_on", "applied_on", "status", "agency__name"]
    ordering = ["agency__state", "agency__name", "program_model"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.agreement_create(acting_user=self.request.user, **serializer.validated_data)

    @extend_schema(request=AgreementSignSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        agreement = self.get_object()
        params = AgreementSignSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        agreement = services.agreement_sign(agreement=agreement, acting_user=request.user, **params.validated_data)
        return Response(self.get_serializer(agreement).data)
