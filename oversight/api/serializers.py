from __future__ import annotations

from rest_framework import serializers

from agreements.choices import ProgramModel
from agreements.models import Agency, Agreement, FieldOffice
from portal.api.fields import DetailUrlField
from portal.api.viewsets import ScopedRelatedField

from ..choices import Readiness
from ..models import ImpactAssessment
from ..readiness import BLOCKERS


class DashboardParamsSerializer(serializers.Serializer):
    """The dashboard's query: leave a filter out for all; an empty ``field_office=`` is
    refused (400) as the schema says (an id), not read as "all"."""

    field_office = ScopedRelatedField(queryset=FieldOffice.objects.all(), required=False)
    program_model = serializers.ChoiceField(choices=ProgramModel.choices, required=False, allow_blank=True)
    fiscal_year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class DashboardSerializer(serializers.Serializer):
    """The dashboard's figures (see docs/oversight.md): agreements, sites, officers,
    managers, findings, each with the link to its list."""

    as_of = serializers.DateField()
    filters = serializers.DictField()
    agreements = serializers.DictField()
    sites = serializers.DictField()
    officers = serializers.DictField()
    managers = serializers.DictField()
    findings = serializers.DictField()


class ReadinessParamsSerializer(serializers.Serializer):
    agency = ScopedRelatedField(queryset=Agency.objects.all(), required=False)
    field_office = ScopedRelatedField(queryset=FieldOffice.objects.all(), required=False)
    program_model = serializers.ChoiceField(choices=ProgramModel.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Readiness.choices, required=False, allow_blank=True)
    blocker = serializers.ChoiceField(choices=list(BLOCKERS.items()), required=False, allow_blank=True)


class ReadinessReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField()


class ReadinessSerializer(serializers.Serializer):
    agency = serializers.IntegerField()
    agency_name = serializers.CharField()
    state = serializers.CharField()
    field_office = serializers.IntegerField()
    field_office_name = serializers.CharField()
    program_models = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=Readiness.choices)
    status_label = serializers.CharField()
    blockers = serializers.ListField(child=serializers.CharField())
    reasons = ReadinessReasonSerializer(many=True)
    officers_able_to_act = serializers.IntegerField()
    officers_certified = serializers.IntegerField()
    cards_lapsed = serializers.IntegerField()
    recertification_missing = serializers.IntegerField()


class OfficeCountSerializer(serializers.Serializer):
    field_office = ScopedRelatedField(queryset=FieldOffice.objects.all())
    new_agreements = serializers.IntegerField(min_value=1, max_value=500)


class ImpactAssessmentSerializer(serializers.ModelSerializer):
    """An expansion impact check. POST one of ``agreements`` (applications), ``agencies``
    (a what-if, with ``program_model``) or ``counts`` ([{field_office, new_agreements}])."""

    url = DetailUrlField(view_name="api:impactassessment-detail")
    agreements = ScopedRelatedField(queryset=Agreement.objects.all(), many=True, required=False)
    agencies = ScopedRelatedField(queryset=Agency.objects.all(), many=True, required=False, write_only=True)
    counts = OfficeCountSerializer(many=True, required=False, write_only=True)
    program_model = serializers.ChoiceField(
        choices=ProgramModel.choices, required=False, write_only=True, default=ProgramModel.JAIL_ENFORCEMENT
    )
    signing_on = serializers.DateField(required=False, write_only=True)
    field_offices = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ImpactAssessment
        fields = [
            "id",
            "url",
            "basis",
            "rating",
            "as_of",
            "reasons",
            "result",
            "request",
            "agreements",
            "agencies",
            "counts",
            "program_model",
            "signing_on",
            "field_offices",
            "created_by",
            "created_at",
        ]
        read_only_fields = [
            "basis",
            "rating",
            "as_of",
            "reasons",
            "result",
            "request",
            "field_offices",
            "created_by",
            "created_at",
        ]

    def validate(self, attrs):
        given = [k for k in ("agreements", "agencies", "counts") if attrs.get(k)]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"non_field_errors": ["Give one of: agreements, agencies, counts (per field office)."]}
            )
        if attrs.get("counts"):
            offices = [c["field_office"].pk for c in attrs["counts"]]
            if len(offices) != len(set(offices)):
                raise serializers.ValidationError({"counts": ["Name each field office once."]})
        return attrs
