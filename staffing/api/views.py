from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from portal import bounds, dates
from portal.api.actions import ServiceActionMixin
from portal.api.parsers import UPLOAD_PARSERS
from portal.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedViewSetMixin
from portal.errors import TransitionNotAllowed
from portal.history import stamp
from portal.models import StaffProfile
from staffing import figures as staffing_figures
from staffing import services
from staffing.filtersets import (
    AbsenceFilterSet,
    AssignmentFilterSet,
    OtherDutyFilterSet,
    ReportingLineFilterSet,
    StaffFilterSet,
    WorkloadReportFilterSet,
)
from staffing.importers import import_workload_csv
from staffing.models import Absence, Assignment, OtherDuty, ReportingLine, WorkloadReport

from .serializers import (
    AbsenceSerializer,
    AssignmentSerializer,
    HandoverSerializer,
    OtherDutySerializer,
    ReportingLineSerializer,
    StaffingFigureListSerializer,
    StaffingFigureSerializer,
    StaffSerializer,
    WorkloadImportSerializer,
    WorkloadReportSerializer,
)


class StaffViewSet(ScopedReadOnlyViewSet):
    """The program's staff with their role, field office, current supervisors on both
    reporting lines and share of time on other duties."""

    queryset = StaffProfile.objects.select_related("user", "field_office")
    serializer_class = StaffSerializer
    filterset_class = StaffFilterSet
    search_fields = ["user__last_name", "user__first_name", "user__username"]
    ordering_fields = ["user__last_name", "role"]

    def get_queryset(self):
        today = dates.today()
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch(
                    "user__reporting_lines",
                    to_attr="current_lines",
                    queryset=ReportingLine.objects.active_on(today).select_related("supervisor"),
                ),
                Prefetch(
                    "user__other_duties", to_attr="current_other_duties", queryset=OtherDuty.objects.active_on(today)
                ),
            )
        )


class AssignmentViewSet(ServiceActionMixin, ScopedModelViewSet):
    """Program managers' assignments to agencies, primary or backup, with dates; and the
    handover of a leaving manager's agencies in one step."""

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
        raise TransitionNotAllowed("Assignments are ended (set ends_on), not deleted, so the record stays.")

    @extend_schema(request=HandoverSerializer, responses={200: dict})
    @action(detail=False, methods=["post"])
    def handover(self, request):
        """Hand over every agency of a manager who leaves or moves, from ``on``: to ``to``,
        or to each agency's backup."""
        values = self.action_params(HandoverSerializer, request)
        return Response(self.call_service(services.assignments_hand_over, **values))


class ReportingLineViewSet(ScopedModelViewSet):
    """Each field program manager's program and administrative supervisors, dated. A new
    line ends the manager's open line of the same kind."""

    queryset = ReportingLine.objects.select_related("manager", "supervisor")
    serializer_class = ReportingLineSerializer
    filterset_class = ReportingLineFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.reporting_line_set(acting_user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.reporting_line_update(
            line=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )


class _RecordedViewSet(ScopedModelViewSet):
    service = None
    instance_name = ""

    def perform_create(self, serializer):
        serializer.instance = type(self).service(acting_user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = type(self).service(
            acting_user=self.request.user, **{self.instance_name: serializer.instance}, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.check_may_record_for(self.request.user, instance.manager)
        stamp(instance, self.request.user).delete()


class AbsenceViewSet(_RecordedViewSet):
    """Program managers' absences (leave, training, travel). Recorded by HQ or by the
    Field Office Director for the managers of their office."""

    queryset = Absence.objects.select_related("manager")
    serializer_class = AbsenceSerializer
    filterset_class = AbsenceFilterSet
    service = staticmethod(services.absence_save)
    instance_name = "absence"


class OtherDutyViewSet(_RecordedViewSet):
    """Shares of program managers' time given to other duties by their field office."""

    queryset = OtherDuty.objects.select_related("manager")
    serializer_class = OtherDutySerializer
    filterset_class = OtherDutyFilterSet
    service = staticmethod(services.other_duty_save)
    instance_name = "duty"


class WorkloadReportViewSet(ServiceActionMixin, ScopedModelViewSet):
    """Monthly workload of each agency (encounters processed, charging documents
    prepared, detainers issued), reported by field program managers for their assigned
    agencies; ``import`` takes a CSV file."""

    queryset = WorkloadReport.objects.select_related("agency")
    serializer_class = WorkloadReportSerializer
    filterset_class = WorkloadReportFilterSet
    ordering_fields = ["month", "agency__name"]

    def perform_create(self, serializer):
        serializer.instance = services.workload_report_save(acting_user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.workload_report_save(
            acting_user=self.request.user, report=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        raise TransitionNotAllowed("Workload reports are corrected, not deleted.")

    @extend_schema(request={"multipart/form-data": WorkloadImportSerializer}, responses={200: dict, 400: dict})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=UPLOAD_PARSERS)
    def import_csv(self, request):
        """Import a CSV file of monthly reports: all rows or none, unless ``apply_valid``."""
        serializer = WorkloadImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            text = serializer.validated_data["file"].read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DRFValidationError({"file": ["The file is not UTF-8 text."]}) from exc
        result = self.call_service(import_workload_csv, text=text, apply_valid=serializer.validated_data["apply_valid"])
        return Response(result.as_dict(), status=status.HTTP_200_OK if result.applied else status.HTTP_400_BAD_REQUEST)


class StaffingFigureViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Required against assigned program managers per manager, field office and the
    nation (read only). A field PM sees their own load, a Field Office Director their
    office and its managers, HQ everything. ``?level=manager|office|nation``,
    ``?field_office=<id>``, ``?on=YYYY-MM-DD``."""

    queryset = StaffProfile.objects.all()
    serializer_class = StaffingFigureSerializer
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, enum=["manager", "office", "nation"]),
            OpenApiParameter("field_office", int),
            OpenApiParameter("on", OpenApiTypes.DATE, description="Date, YYYY-MM-DD"),
        ],
        responses=StaffingFigureListSerializer,
    )
    def list(self, request):
        day = dates.today()
        if "on" in request.query_params:
            try:
                day = parse_date(request.query_params["on"])
            except ValueError:  # well formed but not a day of the calendar
                day = None
            if day is None:
                raise DRFValidationError({"on": ["Give a date as YYYY-MM-DD."]})
            try:
                bounds.ANY_DATE(day)
            except DjangoValidationError as exc:
                raise DRFValidationError({"on": exc.messages}) from None
        level = request.query_params.get("level")
        if level is not None and level not in ("manager", "office", "nation"):
            raise DRFValidationError({"level": ["Choose manager, office or nation."]})
        seen = staffing_figures.visible_figures(request.user, staffing_figures.compute(day))
        rows = [*seen["managers"], *seen["offices"], *([seen["nation"]] if seen["nation"] else [])]
        if level:
            rows = [r for r in rows if r.level == level]
        office = request.query_params.get("field_office")
        if office is not None:
            if not (office.isascii() and office.isdigit() and len(office) <= 18):
                raise DRFValidationError({"field_office": ["Give a field office id."]})
            rows = [r for r in rows if r.field_office_id == int(office)]
        data = [r.as_dict() for r in rows]
        return Response({"count": len(data), "next": None, "previous": None, "on": day.isoformat(), "results": data})
