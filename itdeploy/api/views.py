from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from itdeploy import selectors, services
from itdeploy.choices import InstallationStatus
from itdeploy.filtersets import InstallationFilterSet, InstallerFilterSet
from itdeploy.models import Installation, InstallationPause, InstallationSettings, Installer
from portal import dates
from portal.api.actions import ServiceActionMixin
from portal.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet

from .serializers import (
    BulkConfirmSerializer,
    ConfirmSerializer,
    InstallationSerializer,
    InstallerSerializer,
    InstallerUnavailabilitySerializer,
    PrioritySerializer,
    StepCompleteSerializer,
    StepPauseRequestSerializer,
    StepResumeSerializer,
    StepStartSerializer,
)

_AGENCY_COLUMNS_NOT_SHOWN = [
    f"agency__{name}"
    for name in (
        "match_key",
        "agency_type",
        "county",
        "field_office_confirmed",
        "address",
        "contact_name",
        "contact_email",
        "contact_phone",
        "area_sq_mi",
        "latitude",
        "longitude",
        "equipment_operational_since",
        "created_at",
    )
]


class _LazyForecast:
    """The stored forecast, read on first use (after the page is known)."""

    def __init__(self, load):
        self._load, self._value = load, None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._value is None:
            self._value = self._load()
        return getattr(self._value, name)


class InstallationViewSet(ServiceActionMixin, ScopedReadOnlyViewSet):
    """Installations of agency sites with their steps, clocks and forecast. Steps change
    through ``POST installations/{id}/steps/{step_id}/{start|complete|pause|resume}/``."""

    queryset = Installation.objects.select_related("agency")
    serializer_class = InstallationSerializer
    filterset_class = InstallationFilterSet
    search_fields = ["agency__name"]
    ordering_fields = ["moa_signed_on", "priority_rank", "agency__name", "operational_on"]
    ordering = ["moa_signed_on", "pk"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve"):
            # The serializer reads the steps of the page as rows, at once, and the clock
            # pauses of the installations that have some (few have: a suspended agreement).
            queryset = queryset.annotate(
                has_clock_pauses=Exists(InstallationPause.objects.filter(installation=OuterRef("pk")))
            )
            if self.action == "list":
                # A row shows the agency's name, state and field office: the list reads no other
                # column of it (its coordinates and timestamps took a converter each per row).
                queryset = queryset.defer(*_AGENCY_COLUMNS_NOT_SHOWN)
            return queryset
        # The services the actions call read the installations' steps and pauses.
        return queryset.prefetch_related(selectors.steps_prefetch(), "clock_pauses")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            # Only open installations have a forecast: a page of closed ones reads none.
            self._page_ids = [i.pk for i in page if i.status == InstallationStatus.IN_PROGRESS]
        return page

    def _forecast_ids(self):
        """The installations whose forecast the answer shows: the page's open ones, or the one asked for."""
        if hasattr(self, "_page_ids"):
            return self._page_ids
        pk = self.kwargs.get("pk")
        return [pk] if pk is not None and str(pk).isdecimal() else None

    def _forecast(self, settings):
        ids = self._forecast_ids()
        if ids == []:
            return selectors.PipelineForecast({}, {}, None, 0, settings.goal_days)
        if ids is None:
            return selectors.stored_forecast(settings=settings)
        # A page's (or one installation's) forecast: its freshness check and rows in one statement.
        return selectors.page_forecast(ids, today=dates.today(), settings=settings)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        settings = InstallationSettings.current()
        if not hasattr(self, "_pipeline"):
            self._pipeline = _LazyForecast(lambda: self._forecast(settings))
        context.update(today=dates.today(), settings=settings, pipeline=self._pipeline)
        return context

    def _step(self, pk, step_id):
        installation = self.get_object()
        return get_object_or_404(installation.steps.all(), pk=step_id)

    def action_answer(self, record):
        # The forecast changes with the step or priority just written: compute it afresh.
        if hasattr(self, "_pipeline"):
            del self._pipeline
        if isinstance(record, list):
            return self.get_serializer(self.get_queryset().filter(pk__in=[r.pk for r in record]), many=True).data
        return self.get_serializer(self.get_queryset().get(pk=record.pk)).data

    def _step_action(self, request, pk, step_id, service, params):
        step = self._step(pk, step_id)
        values = self.action_params(params, request)
        self.call_service(service, step=step, **values)
        return Response(self.action_answer(step.installation))

    @extend_schema(request=StepStartSerializer, responses=InstallationSerializer)
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<step_id>[0-9]+)/start", url_name="step-start")
    def step_start(self, request, pk=None, step_id=None):
        return self._step_action(request, pk, step_id, services.step_start, StepStartSerializer)

    @extend_schema(request=StepCompleteSerializer, responses=InstallationSerializer)
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<step_id>[0-9]+)/complete", url_name="step-complete")
    def step_complete(self, request, pk=None, step_id=None):
        return self._step_action(request, pk, step_id, services.step_complete, StepCompleteSerializer)

    @extend_schema(request=StepPauseRequestSerializer, responses=InstallationSerializer)
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<step_id>[0-9]+)/pause", url_name="step-pause")
    def step_pause(self, request, pk=None, step_id=None):
        return self._step_action(request, pk, step_id, services.step_pause, StepPauseRequestSerializer)

    @extend_schema(request=StepResumeSerializer, responses=InstallationSerializer)
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<step_id>[0-9]+)/resume", url_name="step-resume")
    def step_resume(self, request, pk=None, step_id=None):
        return self._step_action(request, pk, step_id, services.step_resume, StepResumeSerializer)

    @extend_schema(request=PrioritySerializer, responses=InstallationSerializer)
    @action(detail=True, methods=["post"])
    def priority(self, request, pk=None):
        """HQ's rank of the site in the installer queue (1 first; null: MOA order)."""
        return self.run_service(
            request, services.installation_set_priority, params=PrioritySerializer, installation=self.get_object()
        )

    @extend_schema(request=ConfirmSerializer, responses=InstallationSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """HQ confirms a "status unknown" installation: ``operational_since`` a date, or
        ``at_step`` N since ``step_started_on``."""
        return self.run_service(
            request, services.installation_confirm, params=ConfirmSerializer, installation=self.get_object()
        )

    @extend_schema(
        request=BulkConfirmSerializer,
        responses=InstallationSerializer(many=True),
        operation_id="installations_confirm_bulk",
    )
    @action(detail=False, methods=["post"], url_path="confirm", url_name="confirm-bulk")
    def confirm_bulk(self, request):
        """Confirm several "status unknown" installations the same way, all or none."""
        data = self.action_params(BulkConfirmSerializer, request)
        ids = set(data.pop("installations"))
        found = list(self.get_queryset().filter(pk__in=ids))
        if len(found) != len(ids):
            raise ValidationError(
                {"installations": ["Some of these installations do not exist or are outside your scope."]}
            )
        return Response(
            self.action_answer(self.call_service(services.installations_confirm, installations=found, **data))
        )


class InstallerViewSet(ServiceActionMixin, ScopedModelViewSet):
    """OCIO installers and their availability (days a week, periods unavailable).
    OCIO IT specialists and HQ change them; every member of staff reads them."""

    queryset = Installer.objects.prefetch_related("unavailable_periods")
    serializer_class = InstallerSerializer
    filterset_class = InstallerFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.installer_save(acting_user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.installer_save(
            installer=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=InstallerUnavailabilitySerializer, responses=InstallerSerializer)
    @action(detail=True, methods=["post"])
    def unavailable(self, request, pk=None):
        """Record a period when the installer cannot install."""
        installer = self.get_object()
        self.call_service(
            services.installer_add_unavailability,
            installer=installer,
            **self.action_params(InstallerUnavailabilitySerializer, request),
        )
        return Response(self.action_answer(installer))
