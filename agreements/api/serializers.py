from __future__ import annotations

from rest_framework import serializers

from agreements.models import Agency, Agreement, FieldOffice
from portal.api.viewsets import ScopedRelatedField


class FieldOfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FieldOffice
        fields = ["id", "code", "name", "city", "state", "states"]


class AgencySerializer(serializers.ModelSerializer):
    field_office_name = serializers.CharField(source="field_office.name", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:agency-detail")

    class Meta:
        model = Agency
        fields = [
            "id", "url", "name", "agency_type", "state", "county", "field_office", "field_office_name",
            "field_office_confirmed", "address", "contact_name", "contact_email", "contact_phone",
            "area_sq_mi", "latitude", "longitude", "created_at",
        ]
        read_only_fields = ["field_office_confirmed", "created_at"]
        extra_kwargs = {"field_office": {"required": False}}


class AgreementSerializer(serializers.ModelSerializer):
    agency = ScopedRelatedField(queryset=Agency.objects.all())
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    state = serializers.CharField(source="agency.state", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:agreement-detail")

    class Meta:
        model = Agreement
        fields = [
            "id", "url", "agency", "agency_name", "state", "program_model", "status",
            "applied_on", "signed_on", "ended_on", "moa_url", "addendum_url", "created_at", "updated_at",
        ]
        read_only_fields = ["signed_on", "ended_on", "created_at", "updated_at"]
        validators = []  # the service checks one agreement per agency and model, with a clear message


class AgreementSignSerializer(serializers.Serializer):
    signed_on = serializers.DateField()
    moa_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=250)
