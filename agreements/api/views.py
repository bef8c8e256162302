from __future__ import annotations

import datetime as dt
import functools

from django.db import connection
from django.db.models import BooleanField, F, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from agreements import services
from agreements.filtersets import AgencyFilterSet, AgreementFilterSet, EditionChangeFilterSet
from agreements.models import Agency, Agreement, AgreementDocument, EditionChange, FieldOffice, IceImport
from portal import dates
from portal.api.actions import ServiceActionMixin
from portal.api.parsers import UPLOAD_PARSERS
from portal.api.viewsets import ScopedCreateReadViewSet, ScopedModelViewSet, ScopedReadOnlyViewSet

from .serializers import (
    AgencySerializer,
    AgreementDocumentSerializer,
    AgreementRenewSerializer,
    AgreementSerializer,
    AgreementSignSerializer,
    ApproveSerializer,
    DatedTransitionSerializer,
    EditionChangeSerializer,
    EndingTransitionSerializer,
    FieldOfficeSerializer,
    IceEditionSerializer,
    TransitionSerializer,
)


class FieldOfficeViewSet(ScopedReadOnlyViewSet):
    """The 25 ERO field offices and the states of their areas of responsibility (read only)."""

    queryset = FieldOffice.objects.all()
    serializer_class = FieldOfficeSerializer
    search_fields = ["name", "code", "city"]
    ordering_fields = ["name", "code"]


class AgencyViewSet(ScopedModelViewSet):
    """Law enforcement agencies, narrowed to the caller's scope."""

    # The field office's name as one column of the join, not the whole related row per
    # agency (a second model instance and its JSON list of states decoded for each row).
    queryset = Agency.objects.annotate(field_office_name=F("field_office__name"))
    serializer_class = AgencySerializer
    filterset_class = AgencyFilterSet
    ordering_fields = ["name", "state", "county", "created_at"]
    ordering = ["state", "name"]

    def get_queryset(self):
        return super().get_queryset().annotate(active_today=active_today())

    def perform_create(self, serializer):
        serializer.instance = services.agency_create(acting_user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.agency_update(
            agency=serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        from portal.errors import TransitionNotAllowed

        raise TransitionNotAllowed("Agencies are never deleted; their agreements record their history.")


class AgreementViewSet(ServiceActionMixin, ScopedModelViewSet):
    """287(g) agreements (MOAs). Transitions are actions: ``POST agreements/{id}/{verb}/``."""

    queryset = Agreement.objects.select_related("agency").prefetch_related("events__acting_user")
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilterSet
    ordering_fields = ["signed_on", "applied_on", "status", "agency__name"]
    ordering = ["agency__state", "agency__name", "program_model"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        from django.db.models import Exists, OuterRef

        in_force = Agreement.objects.in_force().filter(pk=OuterRef("pk"))
        return super().get_queryset().annotate(in_force_today=Exists(in_force))

    def perform_create(self, serializer):
        serializer.instance = services.agreement_create(acting_user=self.request.user, **serializer.validated_data)

    @extend_schema(request=AgreementSignSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._transition(request, AgreementSignSerializer, services.agreement_sign)

    def _transition(self, request, params_class, service):
        return self.run_service(request, service, params=params_class, agreement=self.get_object())

    @extend_schema(request=TransitionSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Start reviewing a received application."""
        return self._transition(request, TransitionSerializer, services.agreement_review)

    @extend_schema(request=ApproveSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve an application under review (over a red impact assessment, with a justification)."""
        return self._transition(request, ApproveSerializer, services.agreement_approve)

    @extend_schema(request=EndingTransitionSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        """Suspend a signed agreement (date and reason required)."""
        return self._transition(request, EndingTransitionSerializer, services.agreement_suspend)

    @extend_schema(request=DatedTransitionSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        """Reinstate a suspended agreement."""
        return self._transition(request, DatedTransitionSerializer, services.agreement_reinstate)

    @extend_schema(request=AgreementRenewSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Renew a signed agreement with a new signing date; the old one stays in the timeline."""
        return self._transition(request, AgreementRenewSerializer, services.agreement_renew)

    @extend_schema(request=EndingTransitionSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        """Terminate a signed or suspended agreement (date and reason required)."""
        return self._transition(request, EndingTransitionSerializer, services.agreement_terminate)

    @extend_schema(request=EndingTransitionSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a pending application (date and reason required)."""
        return self._transition(request, EndingTransitionSerializer, services.agreement_withdraw)


class AgreementDocumentViewSet(ScopedCreateReadViewSet):
    """Dated documents of agreements: the MOA, amendments and addenda (links or files)."""

    queryset = AgreementDocument.objects.select_related("agreement")
    serializer_class = AgreementDocumentSerializer
    parser_classes = UPLOAD_PARSERS
    filterset_fields = ["agreement", "kind"]
    ordering_fields = ["dated_on", "created_at"]
    ordering = ["agreement_id", "dated_on"]

    def perform_create(self, serializer):
        serializer.instance = services.document_add(acting_user=self.request.user, **serializer.validated_data)


class IceEditionViewSet(ScopedReadOnlyViewSet):
    """Editions of ICE's published lists (HQ only), with ``GET ice-editions/{id}/changes/``:
    the change list against the edition of the same list before it."""

    queryset = IceImport.objects.defer("content", "rows")
    serializer_class = IceEditionSerializer
    filterset_fields = ["edition", "status"]
    ordering_fields = ["as_of", "uploaded_at"]
    ordering = ["-as_of", "-pk"]

    def get_serializer_class(self):
        return EditionChangeSerializer if self.action == "changes" else IceEditionSerializer

    @extend_schema(responses=EditionChangeSerializer(many=True), filters=True)
    @action(detail=True, methods=["get"], url_path="changes", url_name="changes")
    def changes(self, request, pk=None):
        """Every change of the edition: new agreements, those no longer listed, each changed field (before/after).
        Filters: ``kind``, ``field``, ``state``, ``program_model``, ``q`` (agency)."""
        edition = self.get_object()
        filterset = EditionChangeFilterSet(
            request.query_params, queryset=EditionChange.objects.filter(edition=edition), request=request
        )
        if not filterset.is_valid():
            from rest_framework.exceptions import ValidationError

            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs.order_by("kind", "state", "agency_name", "program_model", "field"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@functools.lru_cache(maxsize=8)
def _active_sql(on: dt.date, vendor: str) -> tuple[str, tuple]:
    """The SQL of ``active_today`` on ``on``, compiled by the ORM from
    ``Agreement.objects.in_force(on)`` (the one definition) for ``vendor``'s database."""
    from django.db.models.lookups import IsNull

    first_in_force = Agreement.objects.in_force(on).filter(agency=OuterRef("pk")).order_by().values("pk")[:1]
    query = Agency.objects.annotate(active_today=IsNull(Subquery(first_in_force), False)).query
    sql, params = query.get_compiler(connection=connection).compile(query.annotations["active_today"])
    return sql, tuple(params)


def active_today() -> RawSQL:
    """Whether one of the agency's agreements is in force today, for each agency of a list.

    "Its first agreement in force is not null" rather than ``EXISTS``: PostgreSQL may
    hash an EXISTS over every agreement in force, planned for every agency in scope
    rather than the page's rows (11.3 ms of the list's 11.5 ms of SQL, 5,006 agencies,
    at national scale); a scalar subquery runs for the rows returned, an index probe
    each (0.24 ms for 50). Building and compiling ``in_force``'s nested conditions
    cost more than the rest of the list's statement (10 ms against 1 ms a request under
    load), so its SQL is compiled once a day, the date being its only parameter, and
    the same agreements decide it: only the text of the statement is kept, never a
    result."""
    sql, params = _active_sql(dates.today(), connection.vendor)
    return RawSQL(sql, params, output_field=BooleanField())
