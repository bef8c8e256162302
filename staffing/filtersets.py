"""Filters shared by the API and the pages of the staffing app."""

import django_filters

from agreements.models import FieldOffice
from portal.models import StaffProfile
from portal.roles import Role

from .choices import AssignmentKind
from .models import Assignment


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
