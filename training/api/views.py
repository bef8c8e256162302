from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal import uploads
from portal.api.actions import ServiceActionMixin
from portal.api.parsers import UPLOAD_PARSERS
from portal.api.viewsets import ScopedCreateReadViewSet, ScopedModelViewSet, ScopedViewSetMixin
from portal.tables import csv_response
from training import importers, services
from training.capacity import capacity_plan
from training.choices import EnrollmentStatus
from training.filtersets import AcademyClassFilterSet, CompletionFilterSet, CourseFilterSet, OfficerFilterSet
from training.models import AcademyClass, AcademySite, CardLogin, Completion, Course, Enrollment, Officer, Waiver

from .serializers import (
    BULK_IMPORT_BODY,
    AcademyClassSerializer,
    AcademySiteSerializer,
    BulkImportSerializer,
    CardLoginSerializer,
    ClassCapacitySerializer,
    ClassCompleteSerializer,
    CompletionSerializer,
    CourseRetireSerializer,
    CourseSerializer,
    EnrollmentSerializer,
    OfficerSerializer,
    OfficerTransitionSerializer,
    ReasonSerializer,
    WaiverSerializer,
)


def _page_ids(queryset):
    """``queryset`` reading only the officers' ids: the same filters, order and rows,
    without the annotations (a filter on one holds its expression in WHERE) and the
    joined agency's columns. Kept whole when its order names an annotation."""
    query = queryset.query
    names = {str(item).lstrip("-") for item in query.order_by if isinstance(item, str)}
    if names & set(query.annotations):
        return queryset
    queryset = queryset.select_related(None).only("pk")
    query = queryset.query
    query.annotations = {}
    query.annotation_select_mask = None
    query._annotation_select_cache = None
    return queryset


def bulk_import(view: ServiceActionMixin, request, kind: str) -> Response:
    """Run an import from a JSON list (``rows`` or a bare list) or a CSV ``file``, as the
    viewset's service call (its errors mapped like every action's)."""
    data = request.data
    if isinstance(data, list):
        data = {"rows": data}
    params = BulkImportSerializer(data=data)
    params.is_valid(raise_exception=True)
    upload = params.validated_data.get("file")
    if upload is None and "rows" not in params.validated_data:
        return Response({"rows": ["Send “rows” (a list) or a CSV “file”."]}, status=status.HTTP_400_BAD_REQUEST)
    try:
        text = uploads.read_text(upload) if upload else None
    except DjangoValidationError as exc:
        return Response({"file": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    report = view.call_service(
        importers.run_import,
        kind=kind,
        text=text,
        items=params.validated_data.get("rows"),
        apply_valid=params.validated_data["apply_valid"],
        dry_run=params.validated_data["dry_run"],
    )
    body = report.as_dict()
    if report.errors and not report.applied and not params.validated_data["dry_run"]:
        body["rows"] = [f"Row {e['row']}: {e['message']}" for e in report.errors]
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return Response(body, status=status.HTTP_201_CREATED if report.created else status.HTTP_200_OK)


class OfficerViewSet(ServiceActionMixin, ScopedModelViewSet):
    """Designated Immigration Officers of the caller's agencies, with whether each can act
    today and why not. Status changes are actions: ``POST officers/{id}/{verb}/``."""

    queryset = Officer.objects.all()
    serializer_class = OfficerSerializer
    filterset_class = OfficerFilterSet
    ordering_fields = ["last_name", "officer_number", "certified_on", "status"]
    ordering = ["last_name", "first_name", "officer_number"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().with_standing().select_related("agency").agency_joined_outer()

    def list(self, request, *args, **kwargs):
        """The page's officers in two statements: the page's ids and the list's count
        (its filters and order, without the standing's values), then the standing of
        those rows only. In one statement PostgreSQL planned the standing's "agreement
        in force" tests for every officer (hashed over all ~6,000 agreements) before
        the LIMIT: national, 50 rows, 30 ms of execution against 12 + 1.3 ms. The rows
        keep the first statement's order; the standing is read from the caller's
        scoped officers (not re-filtered), so a page shows the rows its ids name."""
        queryset = self.get_queryset()
        page = self.paginate_queryset(_page_ids(self.filter_queryset(queryset)))
        if page is None:
            return super().list(request, *args, **kwargs)
        ids = [officer.pk for officer in page]
        found = {officer.pk: officer for officer in queryset.filter(pk__in=ids).order_by()} if ids else {}
        rows = [found[pk] for pk in ids if pk in found]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def _out(self, officer, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=officer.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        officer = services.officer_create(acting_user=request.user, **serializer.validated_data)
        return self._out(officer, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        officer = self.get_object()
        serializer = self.get_serializer(officer, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "agency"}
        return self._out(services.officer_update(officer=officer, acting_user=request.user, **data))

    def _transition(self, request, verb):
        officer = self.get_object()
        data = self.action_params(OfficerTransitionSerializer, request)
        return self.run_service(
            request,
            services.officer_transition,
            officer=officer,
            verb=verb,
            on=data.get("on"),
            reason=data.get("reason", ""),
            cause=data.get("cause"),
        )

    @extend_schema(request=OfficerTransitionSerializer, responses=OfficerSerializer)
    @action(detail=True, methods=["post"])
    def adjudicate(self, request, pk=None):
        """The background adjudication (OPR Personnel Security Unit) was favourable."""
        return self._transition(request, "adjudicate")

    @extend_schema(request=OfficerTransitionSerializer, responses=OfficerSerializer)
    @action(detail=True, methods=["post"])
    def certify(self, request, pk=None):
        return self._transition(request, "certify")

    @extend_schema(request=OfficerTransitionSerializer, responses=OfficerSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._transition(request, "suspend")

    @extend_schema(request=OfficerTransitionSerializer, responses=OfficerSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._transition(request, "reinstate")

    @extend_schema(request=OfficerTransitionSerializer, responses=OfficerSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._transition(request, "revoke")

    @extend_schema(request=OfficerTransitionSerializer, responses=OfficerSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        return self._transition(request, "leave")

    @extend_schema(request=None, responses=OfficerSerializer)
    @action(detail=True, methods=["post"], url_path="request-card-reactivation")
    def request_card_reactivation(self, request, pk=None):
        return self.run_service(request, services.officer_card_request_reactivation, officer=self.get_object())

    @extend_schema(request=None, responses=OfficerSerializer)
    @action(detail=True, methods=["post"], url_path="reactivate-card")
    def reactivate_card(self, request, pk=None):
        return self.run_service(request, services.officer_card_reactivate, officer=self.get_object())

    @extend_schema(request=BULK_IMPORT_BODY, responses={200: dict, 201: dict})
    @action(detail=False, methods=["post"], url_path="import", parser_classes=UPLOAD_PARSERS)
    def bulk_roster(self, request):
        """Bulk roster import: officer_number, agency, last_name, first_name, email, status, certified_on."""
        return bulk_import(self, request, "roster")


class CourseViewSet(ServiceActionMixin, ScopedModelViewSet):
    """The course catalogue: basic (IADP), refresher (IADRP) and the PALMS courses."""

    queryset = Course.objects.select_related("alternative")
    serializer_class = CourseSerializer
    filterset_class = CourseFilterSet
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=CourseRetireSerializer, responses=CourseSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        return self.run_service(
            request, services.course_retire, params=CourseRetireSerializer, course=self.get_object()
        )


class AcademyClassViewSet(ServiceActionMixin, ScopedModelViewSet):
    """Academy classes with their seats and waiting lists. A basic class in Q1 needs
    ``q1_override_reason`` (HQ only)."""

    queryset = AcademyClass.objects.select_related("course", "site")
    serializer_class = AcademyClassSerializer
    filterset_class = AcademyClassFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering = ["starts_on"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                seated=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ENROLLED)),
                waiting=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITLISTED)),
            )
        )

    def _out(self, academy_class, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=academy_class.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        academy_class = services.class_schedule(
            course=d["course"],
            starts_on=d["starts_on"],
            site=d.get("site"),
            capacity=d.get("capacity"),
            q1_override_reason=d.get("q1_override_reason", ""),
            acting_user=request.user,
        )
        return self._out(academy_class, status.HTTP_201_CREATED)

    @extend_schema(request=ClassCapacitySerializer, responses=AcademyClassSerializer)
    def partial_update(self, request, *args, **kwargs):
        academy_class = self.get_object()
        if set(request.data) - {"capacity"}:
            return Response({"non_field_errors": ["Only the capacity of a scheduled class can change."]}, status=400)
        if "capacity" not in request.data:
            return Response({"capacity": ["Give the class's new capacity."]}, status=400)
        serializer = ClassCapacitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.class_set_capacity(
            academy_class=academy_class, capacity=serializer.validated_data["capacity"], acting_user=request.user
        )
        return self._out(academy_class)

    @extend_schema(request=ClassCompleteSerializer, responses=AcademyClassSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self.run_service(
            request, services.class_complete, params=ClassCompleteSerializer, academy_class=self.get_object()
        )


class AcademySiteViewSet(ScopedModelViewSet):
    """Academy sites (Charleston, and regional sites HQ adds)."""

    queryset = AcademySite.objects.all()
    serializer_class = AcademySiteSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]


class EnrollmentViewSet(ServiceActionMixin, ScopedCreateReadViewSet):
    """Seats and waiting lists of the caller's officers. ``POST`` asks for a seat;
    ``POST enrollments/{id}/withdraw/`` frees it for the first officer waiting."""

    queryset = Enrollment.objects.select_related("officer", "academy_class")
    serializer_class = EnrollmentSerializer
    filterset_fields = ["academy_class", "officer", "status"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrollment = services.enrollment_request(acting_user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(enrollment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self.run_service(
            request, services.enrollment_withdraw, params=ReasonSerializer, enrollment=self.get_object()
        )


class CompletionViewSet(ServiceActionMixin, ScopedCreateReadViewSet):
    """Course completions. ``POST`` one completion, or a list (bulk POST of a PALMS
    export: officer_number, course_code, completed_on), or ``{"rows": [...]}`` / a CSV
    ``file`` with ``apply_valid`` and ``dry_run``."""

    queryset = Completion.objects.select_related("officer", "course")
    serializer_class = CompletionSerializer
    filterset_class = CompletionFilterSet
    parser_classes = UPLOAD_PARSERS

    @extend_schema(request=CompletionSerializer, responses=CompletionSerializer)
    def create(self, request, *args, **kwargs):
        if isinstance(request.data, list) or "rows" in request.data or "file" in request.data:
            return bulk_import(self, request, "completions")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        completion = services.completion_record(acting_user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(completion).data, status=status.HTTP_201_CREATED)


class CardLoginViewSet(ServiceActionMixin, ScopedCreateReadViewSet):
    """Security-card logins. ``POST`` a list (bulk) of officer_number, logged_in_at (ISO
    8601; without an offset, America/New_York), or ``{"rows": [...]}`` / a CSV ``file``."""

    queryset = CardLogin.objects.select_related("officer")
    serializer_class = CardLoginSerializer
    parser_classes = UPLOAD_PARSERS
    filterset_fields = ["officer"]

    @extend_schema(request=BULK_IMPORT_BODY, responses={200: dict, 201: dict})
    def create(self, request, *args, **kwargs):
        if isinstance(request.data, dict) and "officer_number" in request.data:
            return self._single(request)
        return bulk_import(self, request, "card-logins")

    def _single(self, request):
        report = importers.run_import("card-logins", items=[dict(request.data.items())], acting_user=request.user)
        if report.errors:
            return Response(
                {"non_field_errors": [e["message"] for e in report.errors]}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(report.as_dict(), status=status.HTTP_201_CREATED if report.created else status.HTTP_200_OK)


class WaiverViewSet(ScopedCreateReadViewSet):
    """Recertification waivers recorded by a Field Responsible Official: the Field Office
    Director of the officer's office, or HQ."""

    queryset = Waiver.objects.select_related("officer", "granted_by")
    serializer_class = WaiverSerializer
    filterset_fields = ["officer", "fiscal_year"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        waiver = services.waiver_grant(acting_user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(waiver).data, status=status.HTTP_201_CREATED)


class CapacityPlanViewSet(ScopedViewSetMixin, viewsets.ViewSet):
    """The academy capacity plan of a fiscal year (HQ): ``GET capacity-plans/{fiscal_year}/``
    with what-ifs ``allow_q1``, ``regional_sites``, ``class_size``; ``?export=csv``."""

    lookup_value_regex = r"\d{4}"

    @extend_schema(
        parameters=[
            OpenApiParameter("allow_q1", bool),
            OpenApiParameter("regional_sites", int),
            OpenApiParameter("class_size", int),
            OpenApiParameter("export", str, enum=["csv"]),
        ],
        responses=dict,
    )
    def retrieve(self, request, pk=None):
        plan = plan_from_params(int(pk), request.query_params)
        if request.query_params.get("export") == "csv":
            return plan_csv(plan)
        return Response(plan.as_dict())


def plan_from_params(fiscal_year: int, params):
    from django.core.exceptions import ValidationError

    def number(name, low, high):
        value = params.get(name)
        if value in (None, ""):
            return None
        try:
            value = int(value)
        except ValueError:
            raise ValidationError({name: ["Give a whole number."]}) from None
        if not low <= value <= high:
            raise ValidationError({name: [f"Give a number from {low} to {high}."]})
        return value

    if not 2000 <= fiscal_year <= 2100:
        raise ValidationError({"fiscal_year": ["Give a fiscal year such as 2018."]})
    return capacity_plan(
        fiscal_year,
        allow_q1=str(params.get("allow_q1", "")).lower() in ("1", "true", "yes", "on"),
        regional_sites=number("regional_sites", 0, 20) or 0,
        class_size=number("class_size", 1, 200),
    )


def plan_csv(plan):
    from portal.tables import Column

    rows = plan.rows()
    width = max(len(r) for r in rows)
    columns = [
        Column(rows[0][i] if i < len(rows[0]) else "", (lambda r, i=i: r[i] if i < len(r) else ""))
        for i in range(width)
    ]
    return csv_response(columns, rows[1:], f"capacity-plan-FY{plan.fiscal_year}")
