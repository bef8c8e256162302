"""Filters shared by the API and the pages of the staffing app."""

import django_filters

from agreements.models import FieldOffice
from portal.models import StaffProfile
from portal.roles import Role

from .choices import AbsenceKind, AssignmentKind, ReportingLineKind
from .models import Absence, Assignment, OtherDuty, ReportingLine, WorkloadReport


class StaffFilterSet(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    field_office = django_filters.ModelChoiceFilter(queryset=FieldOffice.objects.all())

    class Meta:
        model = StaffProfile
        fields = ["role", "field_office"]


class AssignmentFilterSet(django_filters.FilterSet):
    agency = django_filters.NumberFilter(field_name="agency_id")
    program_manager = django_filters.NumberFilter(field_name="program_manager_id")
    kind = django_filters.ChoiceFilter(choices=AssignmentKind.choices)
    active_on = django_filters.DateFilter(method="filter_active_on", label="Active on")

    class Meta:
        model = Assignment
        fields = ["agency", "program_manager", "kind", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class _ManagerFilterSet(django_filters.FilterSet):
    manager = django_filters.NumberFilter(field_name="manager_id")
    field_office = django_filters.NumberFilter(
        field_name="manager__staff_profile__field_office_id", label="Field office"
    )
    active_on = django_filters.DateFilter(method="filter_active_on", label="Active on")

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class ReportingLineFilterSet(_ManagerFilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportingLineKind.choices)
    supervisor = django_filters.NumberFilter(field_name="supervisor_id")

    class Meta:
        model = ReportingLine
        fields = ["manager", "kind", "supervisor", "field_office", "active_on"]


class OtherDutyFilterSet(_ManagerFilterSet):
    class Meta:
        model = OtherDuty
        fields = ["manager", "field_office", "active_on"]


class AbsenceFilterSet(_ManagerFilterSet):
    kind = django_filters.ChoiceFilter(choices=AbsenceKind.choices)

    class Meta:
        model = Absence
        fields = ["manager", "kind", "field_office", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on_day(value)


class WorkloadReportFilterSet(django_filters.FilterSet):
    agency = django_filters.NumberFilter(field_name="agency_id")
    field_office = django_filters.NumberFilter(field_name="agency__field_office_id", label="Field office")
    month = django_filters.DateFilter()
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte", label="From month")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte", label="To month")

    class Meta:
        model = WorkloadReport
        fields = ["agency", "field_office", "month", "month_from", "month_to"]
