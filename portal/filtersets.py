"""Filters of the portal's own records: findings and sweep runs."""

import django_filters
from django.apps import apps

from .compliance.models import Finding, FindingStatus, Severity, SweepRun, SweepStatus
from .compliance.registry import registry


def category_choices() -> list[tuple[str, str]]:
    """The categories of the registered rules (each an app's label), named after their app."""
    codes = sorted({rule.category for rule in registry.all()})
    return [(code, apps.get_app_config(code).verbose_name if code in apps.app_configs else code) for code in codes]


class FindingFilterSet(django_filters.FilterSet):
    rule = django_filters.ChoiceFilter(choices=lambda: registry.choices())
    status = django_filters.MultipleChoiceFilter(choices=FindingStatus.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    category = django_filters.CharFilter()
    agency = django_filters.NumberFilter(field_name="agency_id", label="Agency")
    # The field offices are the agreements app's; reached through the finding's relation.
    field_office = django_filters.ModelChoiceFilter(
        queryset=lambda request: Finding._meta.get_field("field_office").related_model.objects.all()
    )
    responsible = django_filters.NumberFilter(field_name="responsible_id", label="Responsible")
    mine = django_filters.BooleanFilter(method="filter_mine", label="Only mine")
    is_open = django_filters.BooleanFilter(method="filter_open", label="Open or acknowledged")

    # The page offers the rules' categories (the apps that own them) as a list.
    page_choices = {"category": lambda request: category_choices()}

    class Meta:
        model = Finding
        fields = ["rule", "status", "severity", "category", "agency", "field_office", "responsible", "mine", "is_open"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(responsible=user) if value and user else queryset

    def filter_open(self, queryset, name, value):
        return queryset.open() if value else queryset.exclude(status__in=["open", "acknowledged"])


class SweepRunFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SweepStatus.choices)

    class Meta:
        model = SweepRun
        fields = ["status"]
