"""Filters of the audit journal, shared by the /audit/ page and /api/v1/audit-events/."""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .models import AuditAction, AuditEvent


def record_type_choices():
    from .bulk import models_with_history

    models = {m._meta.label_lower: str(m._meta.verbose_name).capitalize() for m in models_with_history()}
    return sorted(models.items(), key=lambda item: item[1])


def action_choices():
    basic = dict(AuditAction.BASIC)
    named = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return [(code, basic.get(code, code.replace("_", " ").capitalize())) for code in sorted(set(basic) | set(named))]


class AuditEventFilterSet(django_filters.FilterSet):
    who = django_filters.CharFilter(method="filter_who", label="Who (name or user name)")
    actor = django_filters.NumberFilter(field_name="actor_id", label="Who (person)")
    record_type = django_filters.ChoiceFilter(
        choices=record_type_choices, method="filter_record_type", label="Record type"
    )
    object_id = django_filters.CharFilter(field_name="object_id", label="Record id")
    agency = django_filters.NumberFilter(field_name="agency_id", label="Agency")
    action = django_filters.ChoiceFilter(choices=action_choices)
    request_id = django_filters.CharFilter(field_name="request_id", label="Request id")
    date_from = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__gte", label="From (date)")
    date_to = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte", label="To (date)")
    denied = django_filters.BooleanFilter(method="filter_denied", label="Refused attempts only")

    class Meta:
        model = AuditEvent
        fields = [
            "who",
            "actor",
            "record_type",
            "object_id",
            "agency",
            "action",
            "request_id",
            "date_from",
            "date_to",
            "denied",
        ]

    def filter_who(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        q = Q(actor__username__icontains=value) | Q(actor_label__icontains=value)
        for part in value.split():
            q |= Q(actor__first_name__icontains=part) | Q(actor__last_name__icontains=part)
        return queryset.filter(q)

    def filter_record_type(self, queryset, name, value: str):
        app_label, _, model = value.partition(".")
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        return queryset.filter(content_type=content_type) if content_type else queryset.none()

    def filter_denied(self, queryset, name, value: bool):
        if value is None:
            return queryset
        return queryset.denied() if value else queryset.exclude(action__in=AuditAction.REFUSALS)
