"""Filters shared by the API and the officer and class list pages."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q

from agreements.models import FieldOffice
from portal import bounds, dates

from . import conf
from .choices import CardState, ClassStatus, CourseKind, OfficerStatus
from .models import AcademyClass, AcademySite, Completion, Course, Officer


class OfficerFilterSet(django_filters.FilterSet):
    """Officers; the standing filters need ``Officer.objects.with_standing()``."""

    q = django_filters.CharFilter(method="filter_q", label="Search")
    agency = django_filters.NumberFilter(field_name="agency_id", label="Agency")
    agency_name = django_filters.CharFilter(field_name="agency__name", lookup_expr="icontains", label="Agency name")
    field_office = django_filters.ModelChoiceFilter(
        field_name="agency__field_office", queryset=FieldOffice.objects.all(), label="Field office"
    )
    status = django_filters.MultipleChoiceFilter(choices=OfficerStatus.choices)
    can_act = django_filters.BooleanFilter(method="filter_can_act", label="Can act today")
    card_state = django_filters.ChoiceFilter(choices=CardState.choices, method="filter_card_state", label="Card state")
    recertified = django_filters.BooleanFilter(method="filter_recertified", label="Recertified this fiscal year")
    refresher_due = django_filters.BooleanFilter(method="filter_refresher_due", label="Refresher due")

    # The page chooses the agency from a list (the API keeps the name search).
    page_hidden = ("agency_name",)

    class Meta:
        model = Officer
        fields = [
            "q",
            "agency",
            "agency_name",
            "field_office",
            "status",
            "can_act",
            "card_state",
            "recertified",
            "refresher_due",
        ]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(last_name__icontains=value)
            | Q(first_name__icontains=value)
            | Q(officer_number__icontains=value)
            | Q(agency__name__icontains=value)
        )

    def filter_can_act(self, queryset, name, value):
        if value is None:
            return queryset
        able = Officer.objects.able_to_act_q(dates.today())
        return queryset.filter(able) if value else queryset.exclude(able)

    def filter_card_state(self, queryset, name, value):
        today = dates.today()
        lapsed = Officer.objects.card_lapsed_q(today)
        certified = queryset.filter(status=OfficerStatus.CERTIFIED)
        if value == CardState.LAPSED:
            return certified.filter(lapsed)
        warn = today - dt.timedelta(days=conf.get("TRAINING_CARD_WARNING_DAYS"))
        if value == CardState.WARNING:
            return certified.exclude(lapsed).filter(card_anchor_on__lte=warn)
        return certified.exclude(lapsed).filter(card_anchor_on__gt=warn)

    def filter_recertified(self, queryset, name, value):
        if value is None:
            return queryset
        done = Officer.objects.recertified_q(dates.today())
        return queryset.filter(done) if value else queryset.filter(status=OfficerStatus.CERTIFIED).exclude(done)

    def filter_refresher_due(self, queryset, name, value):
        if value is None:
            return queryset
        due = Officer.objects.refresher_due_q(dates.today())
        return queryset.filter(due) if value else queryset.exclude(due)


class CourseFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CourseKind.choices)
    retired = django_filters.BooleanFilter(field_name="retired_on", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Course
        fields = ["kind", "retired"]


class AcademyClassFilterSet(django_filters.FilterSet):
    course = django_filters.ModelChoiceFilter(queryset=Course.objects.exclude(kind=CourseKind.PALMS))
    site = django_filters.ModelChoiceFilter(queryset=AcademySite.objects.all())
    status = django_filters.ChoiceFilter(choices=ClassStatus.choices)
    fiscal_year = django_filters.NumberFilter(
        method="filter_fy",
        label="Fiscal year",
        min_value=bounds.FISCAL_YEAR_MIN,
        max_value=bounds.FISCAL_YEAR_FILTER_MAX,
    )

    class Meta:
        model = AcademyClass
        fields = ["course", "site", "status", "fiscal_year"]

    def filter_fy(self, queryset, name, value):
        fy = int(value)
        return queryset.filter(starts_on__range=(dates.fiscal_year_start(fy), dates.fiscal_year_end(fy)))


class CompletionFilterSet(django_filters.FilterSet):
    officer = django_filters.NumberFilter(field_name="officer_id")
    officer_number = django_filters.CharFilter(field_name="officer__officer_number")
    course_code = django_filters.CharFilter(field_name="course__code", lookup_expr="iexact")
    completed_after = django_filters.DateFilter(field_name="completed_on", lookup_expr="gte")

    class Meta:
        model = Completion
        fields = ["officer", "officer_number", "course_code", "completed_after"]
