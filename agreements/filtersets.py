"""Filters shared by the API and the list pages of agencies and agreements."""

from __future__ import annotations

import django_filters
from django.db.models import Min, Q

from portal import bounds, dates

from .choices import CHANGE_FIELDS, AgencyType, AgreementStatus, ChangeKind, ProgramModel
from .geo import STATE_CHOICES
from .models import Agency, Agreement, EditionChange, FieldOffice


class AgencyFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    state = django_filters.MultipleChoiceFilter(choices=STATE_CHOICES)
    field_office = django_filters.ModelChoiceFilter(queryset=FieldOffice.objects.all())
    agency_type = django_filters.ChoiceFilter(choices=AgencyType.choices, label="Type")
    program_model = django_filters.ChoiceFilter(
        choices=ProgramModel.choices, method="filter_program_model", label="Holds an agreement under"
    )
    agreement_status = django_filters.ChoiceFilter(
        choices=AgreementStatus.choices, method="filter_agreement_status", label="Has an agreement that is"
    )
    field_office_confirmed = django_filters.BooleanFilter(label="Field office confirmed")

    class Meta:
        model = Agency
        fields = [
            "q",
            "state",
            "field_office",
            "agency_type",
            "program_model",
            "agreement_status",
            "field_office_confirmed",
        ]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(county__icontains=value))

    def filter_program_model(self, queryset, name, value):
        return queryset.filter(pk__in=Agreement.objects.filter(program_model=value).values("agency_id"))

    def filter_agreement_status(self, queryset, name, value):
        return queryset.filter(pk__in=Agreement.objects.filter(status=value).values("agency_id"))


def signed_fiscal_years(user) -> list[tuple[int, str]]:
    """The fiscal years from the first signing the user can see to this one, newest first."""
    first = Agreement.objects.visible_to(user).aggregate(first=Min("signed_on"))["first"]
    this_year = dates.fiscal_year(dates.today())
    start = dates.fiscal_year(first) if first else this_year
    return [(year, f"FY {year}") for year in range(this_year, start - 1, -1)]


class AgreementFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    state = django_filters.MultipleChoiceFilter(field_name="agency__state", choices=STATE_CHOICES, label="State")
    field_office = django_filters.ModelChoiceFilter(
        field_name="agency__field_office", queryset=FieldOffice.objects.all(), label="Field office"
    )
    agency = django_filters.NumberFilter(field_name="agency_id", label="Agency")
    program_model = django_filters.ChoiceFilter(choices=ProgramModel.choices, label="287(g) model")
    status = django_filters.MultipleChoiceFilter(choices=AgreementStatus.choices)
    signed_fiscal_year = django_filters.NumberFilter(
        method="filter_signed_fy",
        label="Signed in fiscal year",
        min_value=bounds.FISCAL_YEAR_MIN,
        max_value=bounds.FISCAL_YEAR_FILTER_MAX,
    )
    not_on_ice_list = django_filters.BooleanFilter(
        field_name="not_listed_since", lookup_expr="isnull", exclude=True, label="Not on ICE's latest list"
    )
    needs_review = django_filters.BooleanFilter(label="Flagged for HQ review")

    page_choices = {"signed_fiscal_year": lambda request: signed_fiscal_years(request.user)}

    class Meta:
        model = Agreement
        fields = [
            "q",
            "state",
            "field_office",
            "agency",
            "program_model",
            "status",
            "signed_fiscal_year",
            "not_on_ice_list",
            "needs_review",
        ]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(agency__name__icontains=value) | Q(agency__county__icontains=value))

    def filter_signed_fy(self, queryset, name, value):
        fy = int(value)
        return queryset.filter(signed_on__gte=dates.fiscal_year_start(fy), signed_on__lte=dates.fiscal_year_end(fy))


class EditionChangeFilterSet(django_filters.FilterSet):
    """Filters of an edition's change list (its page and ``ice-editions/{id}/changes/``)."""

    q = django_filters.CharFilter(field_name="agency_name", lookup_expr="icontains", label="Agency")
    kind = django_filters.ChoiceFilter(choices=ChangeKind.choices, label="Change")
    field = django_filters.ChoiceFilter(choices=list(CHANGE_FIELDS.items()), label="Field changed")
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES)
    program_model = django_filters.ChoiceFilter(choices=ProgramModel.choices, label="287(g) model")

    class Meta:
        model = EditionChange
        fields = ["q", "kind", "field", "state", "program_model"]
