"""Pages of the agreements app: agencies and agreements."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from portal import dates, history, panels
from portal.compliance.models import Finding
from portal.tables import Column
from portal.views import ScopedListView
from staffing.models import Assignment

from .filtersets import AgencyFilterSet, AgreementFilterSet
from .models import Agency, Agreement


class AgencyListView(ScopedListView):
    model = Agency
    filterset_class = AgencyFilterSet
    title = "Law enforcement agencies"
    intro = "Agencies that hold or have applied for a 287(g) agreement."
    export_name = "agencies"
    default_sort = "name"
    columns = [
        Column("Agency", "name", sort="name", link=True),
        Column("Type", "get_agency_type_display", sort="agency_type"),
        Column("State", "state", sort="state"),
        Column("County", "county", sort="county"),
        Column("Field office", "field_office.name", sort="field_office__name"),
        Column("Office confirmed", "field_office_confirmed"),
    ]

    def base_queryset(self):
        return Agency.objects.select_related("field_office")


class AgencyDetailView(LoginRequiredMixin, TemplateView):
    template_name = "agreements/agency_detail.html"

    def get_context_data(self, pk, **kwargs):
        user = self.request.user
        agency = get_object_or_404(Agency.objects.visible_to(user).select_related("field_office"), pk=pk)
        today = dates.today()
        assignments = list(
            Assignment.objects.filter(agency=agency).select_related("program_manager").order_by("-starts_on")
        )
        agreements = list(Agreement.objects.visible_to(user).filter(agency=agency).order_by("program_model"))
        entries = history.merged(
            history.entries(agency.history.all(), what="Agency"),
            history.entries(Agreement.history.filter(agency_id=agency.pk), what="Agreement"),
            history.entries(Assignment.history.filter(agency_id=agency.pk), what="Assignment"),
        )
        return {
            **super().get_context_data(**kwargs),
            "agency": agency,
            "agreements": agreements,
            "current_assignments": [a for a in assignments if a.is_active_on(today)],
            "past_assignments": [a for a in assignments if not a.is_active_on(today)],
            "findings": Finding.objects.visible_to(user).open().filter(agency=agency),
            "history": entries[:200],
            "panels": panels.agency_panels(self.request, agency),
        }


class AgreementListView(ScopedListView):
    model = Agreement
    filterset_class = AgreementFilterSet
    title = "287(g) agreements"
    intro = "Memoranda of agreement by agency and 287(g) model."
    export_name = "agreements"
    default_sort = "agency__name"
    columns = [
        Column("Agency", "agency.name", sort="agency__name", link=True),
        Column("State", "agency.state", sort="agency__state"),
        Column("Field office", "agency.field_office.name", sort="agency__field_office__name"),
        Column("287(g) model", "get_program_model_display", sort="program_model"),
        Column("Status", "get_status_display", sort="status"),
        Column("Applied", "applied_on", sort="applied_on"),
        Column("Signed", "signed_on", sort="signed_on"),
        Column("MOA", "moa_url"),
    ]

    def base_queryset(self):
        return Agreement.objects.select_related("agency", "agency__field_office")


class AgreementDetailView(LoginRequiredMixin, TemplateView):
    template_name = "agreements/agreement_detail.html"

    def get_context_data(self, pk, **kwargs):
        user = self.request.user
        agreement = get_object_or_404(
            Agreement.objects.visible_to(user).select_related("agency", "agency__field_office"), pk=pk
        )
        today = dates.today()
        return {
            **super().get_context_data(**kwargs),
            "agreement": agreement,
            "agency": agreement.agency,
            "current_assignments": Assignment.objects.active_on(today).filter(agency=agreement.agency).select_related("program_manager"),
            "history": history.entries(agreement.history.all(), what="Agreement"),
        }
