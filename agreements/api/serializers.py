from __future__ import annotations

from rest_framework import serializers

from agreements.models import (
    Agency,
    Agreement,
    AgreementDocument,
    AgreementEvent,
    EditionChange,
    FieldOffice,
    IceImport,
)
from portal.api.fields import DetailUrlField
from portal.api.viewsets import FieldPolicyMixin, ScopedRelatedField


class FieldOfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FieldOffice
        fields = ["id", "code", "name", "city", "state", "states"]


class FieldOfficeNameField(serializers.CharField):
    """The name of the agency's field office: the list's annotation (``field_office_name``,
    one column of a join) where the queryset gives it, else the related row."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, agency):
        name = getattr(agency, "field_office_name", None)
        return name if name is not None else agency.field_office.name


class AgencySerializer(FieldPolicyMixin, serializers.ModelSerializer):
    """An agency; a restricted role (OCIO) gets only the fields of ``portal.access.FIELD_POLICY``."""

    field_office_name = FieldOfficeNameField()
    url = DetailUrlField(view_name="api:agency-detail")
    active = serializers.SerializerMethodField(
        help_text="Whether one of the agency's agreements is in force today (Agency.objects.active_on)."
    )

    def get_active(self, agency) -> bool:
        value = getattr(agency, "active_today", None)
        return agency.is_active() if value is None else bool(value)

    class Meta:
        model = Agency
        fields = [
            "id",
            "url",
            "name",
            "agency_type",
            "state",
            "county",
            "field_office",
            "field_office_name",
            "field_office_confirmed",
            "address",
            "contact_name",
            "contact_email",
            "contact_phone",
            "area_sq_mi",
            "latitude",
            "longitude",
            "active",
            "created_at",
        ]
        read_only_fields = ["field_office_confirmed", "created_at"]
        extra_kwargs = {"field_office": {"required": False}}


class AgreementEventSerializer(serializers.ModelSerializer):
    acting_user = serializers.CharField(source="acting_user.username", read_only=True, default=None)
    # Plain strings: the statuses are the agreement's (one enum in the schema, named by the agreement).
    transition = serializers.CharField(read_only=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = AgreementEvent
        fields = [
            "transition",
            "from_status",
            "to_status",
            "effective_on",
            "reason",
            "previous_signed_on",
            "acting_user",
            "recorded_at",
        ]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    events = AgreementEventSerializer(many=True, read_only=True)
    agency = ScopedRelatedField(queryset=Agency.objects.all())
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    state = serializers.CharField(source="agency.state", read_only=True)
    url = DetailUrlField(view_name="api:agreement-detail")
    in_force = serializers.SerializerMethodField(
        help_text="Whether the agreement is in force today: signed, and not suspended, terminated or withdrawn "
        "(Agreement.objects.in_force)."
    )

    def get_in_force(self, agreement) -> bool:
        value = getattr(agreement, "in_force_today", None)
        return agreement.is_in_force() if value is None else bool(value)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "url",
            "agency",
            "agency_name",
            "state",
            "program_model",
            "status",
            "in_force",
            "applied_on",
            "signed_on",
            "ended_on",
            "moa_url",
            "addendum_url",
            "signed_on_raw",
            "needs_review",
            "review_reason",
            "pending_listed_on",
            "ice_listed_on",
            "not_listed_since",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "signed_on",
            "ended_on",
            "signed_on_raw",
            "needs_review",
            "review_reason",
            "pending_listed_on",
            "ice_listed_on",
            "not_listed_since",
            "created_at",
            "updated_at",
        ]
        validators = []  # the service checks one agreement per agency and model, with a clear message


class AgreementSignSerializer(serializers.Serializer):
    signed_on = serializers.DateField()
    moa_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=250)


class TransitionSerializer(serializers.Serializer):
    """A transition that takes effect on a date (today when not given) with an optional reason."""

    effective_on = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ApproveSerializer(TransitionSerializer):
    """An approval, with the expansion impact assessment it is made on (by default the
    latest one covering the agreement) and, over a red assessment, a written justification."""

    impact_assessment = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    justification = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DatedTransitionSerializer(serializers.Serializer):
    """A transition that needs its date."""

    effective_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class EndingTransitionSerializer(serializers.Serializer):
    """Suspension, termination, withdrawal: the date and the reason are required."""

    effective_on = serializers.DateField()
    reason = serializers.CharField(max_length=500)


class AgreementRenewSerializer(serializers.Serializer):
    signed_on = serializers.DateField()
    moa_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class AgreementDocumentSerializer(serializers.ModelSerializer):
    agreement = ScopedRelatedField(queryset=Agreement.objects.all())
    href = serializers.CharField(read_only=True)

    class Meta:
        model = AgreementDocument
        fields = ["id", "agreement", "kind", "dated_on", "title", "url", "file", "href", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"file": {"required": False}}


class IceEditionSerializer(serializers.ModelSerializer):
    """An edition of ICE's published lists, with its as-of date and the evidence used."""

    list = serializers.CharField(source="edition", read_only=True)
    # Empty for an uploaded edition, so a string rather than a "uri".
    source_url = serializers.CharField(read_only=True, help_text="Where the file was fetched from, if it was.")
    counts = serializers.SerializerMethodField()
    changes_url = serializers.SerializerMethodField()

    class Meta:
        model = IceImport
        fields = [
            "id",
            "file_name",
            "list",
            "status",
            "as_of",
            "as_of_basis",
            "as_of_evidence",
            "latest_signed_on",
            "sha256",
            "source_url",
            "previous",
            "counts",
            "changes_url",
            "uploaded_at",
            "applied_at",
        ]
        read_only_fields = fields

    def get_counts(self, obj) -> dict:
        report = obj.report or {}
        return {
            "rows_read": report.get("rows_read", 0),
            "agreements": report.get("agreements", {}),
            "rejected": len(report.get("rejected", [])),
            "flagged_dates": len(report.get("flagged_dates", [])),
        }

    def get_changes_url(self, obj) -> str:
        from django.urls import reverse

        request = self.context.get("request")
        path = reverse("api:ice-edition-changes", args=[obj.pk])
        return request.build_absolute_uri(path) if request else path


class EditionChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = EditionChange
        fields = ["id", "kind", "state", "agency_name", "program_model", "field", "before", "after", "agreement"]
        read_only_fields = fields
