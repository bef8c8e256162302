from __future__ import annotations

from portal.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from portal.models import StaffProfile
from staffing import services
from staffing.filtersets import AssignmentFilterSet, StaffFilterSet
from staffing.models import Assignment

from .serializers import AssignmentSerializer, StaffSerializer


class StaffViewSet(ScopedReadOnlyViewSet):
    """The program's staff with their role and field office."""

    queryset = StaffProfile.objects.select_related("user", "field_office")
    serializer_class = StaffSerializer
    filterset_class = StaffFilterSet
    search_fields = ["user__last_name", "user__first_name", "user__username"]
    ordering_fields = ["user__last_name", "role"]


class AssignmentViewSet(ScopedModelViewSet):
    """Program managers' assignments to agencies, primary or backup, with dates."""

    queryset = Assignment.objects.select_related("agency", "program_manager")
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
    ordering_fields = ["starts_on", "agency__name"]

    def perform_create(self, serializer):
        serializer.instance = services.assignment_create(acting_user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.assignment_update(
            assignment=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        from portal.errors import TransitionNotAllowed

        raise TransitionNotAllowed("Assignments are ended (set ends_on), not deleted, so the record stays.")
