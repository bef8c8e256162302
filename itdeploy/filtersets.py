"""Filters shared by the installations API and the pipeline board."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef

from agreements.geo import STATE_CHOICES
from agreements.models import FieldOffice

from .choices import InstallationStatus
from .models import Installation, InstallationStep, Installer, StepTemplate


class InstallationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    field_office = django_filters.ModelChoiceFilter(
        field_name="agency__field_office", queryset=FieldOffice.objects.all(), label="Field office"
    )
    state = django_filters.ChoiceFilter(field_name="agency__state", choices=STATE_CHOICES, label="State")
    status = django_filters.ChoiceFilter(choices=InstallationStatus.choices)
    ranked = django_filters.BooleanFilter(method="filter_ranked", label="Has an HQ priority rank")
    current_step = django_filters.NumberFilter(method="filter_current_step", label="Step in progress (number)")
    agency = django_filters.NumberFilter(field_name="agency_id", label="Agency")

    # The page names the steps of the plan rather than asking for a number.
    page_choices = {
        "current_step": lambda request: [(t.number, f"{t.number}. {t.name}") for t in StepTemplate.objects.all()]
    }

    class Meta:
        model = Installation
        fields = ["q", "field_office", "state", "status", "ranked", "current_step", "agency"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(agency__name__icontains=value) if value else queryset

    def filter_ranked(self, queryset, name, value):
        return queryset.filter(priority_rank__isnull=not value)

    def filter_current_step(self, queryset, name, value):
        running = InstallationStep.objects.filter(
            installation=OuterRef("pk"), number=value, started_on__isnull=False, completed_on__isnull=True
        )
        return queryset.filter(Exists(running))


class InstallerFilterSet(django_filters.FilterSet):
    class Meta:
        model = Installer
        fields = ["active"]
