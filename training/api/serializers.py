from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.models import Agency
from portal import uploads
from portal.api.viewsets import ScopedRelatedField
from training.choices import SuspensionCause
from training.models import AcademyClass, AcademySite, CardLogin, Completion, Course, Enrollment, Officer, Waiver


def _day(value):
    """A date as ``DateField`` shows it (ISO 8601), or None."""
    return value.isoformat() if value else None


class OfficerSerializer(serializers.ModelSerializer):
    agency = ScopedRelatedField(queryset=Agency.objects.all())
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    can_act = serializers.SerializerMethodField()
    cannot_act_because = serializers.SerializerMethodField()
    card_state = serializers.SerializerMethodField()
    recertification_status = serializers.SerializerMethodField()
    refresher_due_on = serializers.SerializerMethodField()
    # Blank while the officer is not suspended: declared so the schema allows "".
    suspension_cause = serializers.ChoiceField(choices=SuspensionCause.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Officer
        fields = [
            "id",
            "officer_number",
            "agency",
            "agency_name",
            "last_name",
            "first_name",
            "email",
            "status",
            "status_since",
            "certified_on",
            "suspended_on",
            "suspension_cause",
            "revoked_on",
            "left_on",
            "card_last_login_at",
            "card_deactivated_on",
            "card_reactivation_requested_on",
            "card_reactivated_on",
            "can_act",
            "cannot_act_because",
            "card_state",
            "recertification_status",
            "refresher_due_on",
        ]
        read_only_fields = [
            f for f in fields if f not in ("officer_number", "agency", "last_name", "first_name", "email")
        ]

    def to_representation(self, officer):
        """The declared fields' values, written directly (a list of 500 officers ran DRF's
        field machinery 11,500 times), with the reasons the officer cannot act worked
        out once for ``can_act`` and ``cannot_act_because``; a test checks the two agree."""
        fields = self.fields
        reasons = officer.reasons_cannot_act()
        due = officer.refresher_due_on()
        return {
            "id": officer.pk,
            "officer_number": officer.officer_number,
            "agency": officer.agency_id,
            "agency_name": officer.agency.name,
            "last_name": officer.last_name,
            "first_name": officer.first_name,
            "email": officer.email,
            "status": officer.status,
            "status_since": _day(officer.status_since),
            "certified_on": _day(officer.certified_on),
            "suspended_on": _day(officer.suspended_on),
            "suspension_cause": officer.suspension_cause,
            "revoked_on": _day(officer.revoked_on),
            "left_on": _day(officer.left_on),
            "card_last_login_at": fields["card_last_login_at"].to_representation(officer.card_last_login_at),
            "card_deactivated_on": _day(officer.card_deactivated_on),
            "card_reactivation_requested_on": _day(officer.card_reactivation_requested_on),
            "card_reactivated_on": _day(officer.card_reactivated_on),
            "can_act": not reasons,
            "cannot_act_because": reasons,
            "card_state": officer.card_state(),
            "recertification_status": officer.recertification_status(),
            "refresher_due_on": due.isoformat() if due else None,
        }

    # The declarative definition of the method fields (the schema reads their types).

    def get_can_act(self, obj) -> bool:
        return obj.can_act()

    def get_cannot_act_because(self, obj) -> list[str]:
        return obj.reasons_cannot_act()

    def get_card_state(self, obj) -> str | None:
        return obj.card_state()

    def get_recertification_status(self, obj) -> str | None:
        return obj.recertification_status()

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_refresher_due_on(self, obj):
        due = obj.refresher_due_on()
        return due.isoformat() if due else None


class OfficerTransitionSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="Date of the change; today by default.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    # A plain string so the OpenAPI schema keeps one enum name (SuspensionCauseEnum) for these values.
    cause = serializers.CharField(
        required=False,
        default=SuspensionCause.OTHER,
        help_text="Suspension only: " + ", ".join(SuspensionCause.values) + ".",
    )

    def validate_cause(self, value):
        if value not in SuspensionCause.values:
            raise serializers.ValidationError(f"Use one of: {', '.join(SuspensionCause.values)}.")
        return value


class BulkImportSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="The rows, each with the export's columns."
    )
    file = serializers.FileField(
        required=False, validators=[uploads.CSV_UPLOAD], help_text="Or a CSV file with a header row."
    )
    apply_valid = serializers.BooleanField(default=False, help_text="Write the valid rows even if some are wrong.")
    dry_run = serializers.BooleanField(default=False, help_text="Check and report only.")


#: What a bulk import takes: ``{"rows": [...]}`` (with ``apply_valid``, ``dry_run``) or the
#: rows as a bare list (each with the export's columns) in JSON; a CSV ``file`` in a form.
BULK_IMPORT_BODY = {
    "application/json": {
        "oneOf": [
            {"$ref": "#/components/schemas/BulkImportRequest"},
            {"type": "array", "items": {"type": "object", "additionalProperties": True}},
        ]
    },
    "multipart/form-data": BulkImportSerializer,
}


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "code", "title", "kind", "duration_days", "retired_on", "alternative", "retirement_waiver"]
        read_only_fields = ["retired_on", "alternative", "retirement_waiver"]


class CourseRetireSerializer(serializers.Serializer):
    retired_on = serializers.DateField(required=False)
    alternative = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all(), required=False, allow_null=True)
    waiver = serializers.CharField(required=False, allow_blank=True, default="")


class AcademySiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcademySite
        fields = ["id", "name", "city", "state", "max_concurrent_classes", "default_capacity"]


class AcademyClassSerializer(serializers.ModelSerializer):
    course = serializers.PrimaryKeyRelatedField(queryset=Course.objects.all())
    site = serializers.PrimaryKeyRelatedField(queryset=AcademySite.objects.all(), required=False)
    seated = serializers.IntegerField(read_only=True)
    waiting = serializers.IntegerField(read_only=True)

    class Meta:
        model = AcademyClass
        fields = [
            "id",
            "course",
            "site",
            "starts_on",
            "ends_on",
            "capacity",
            "status",
            "q1_override_reason",
            "completed_on",
            "seated",
            "waiting",
        ]
        read_only_fields = ["ends_on", "status", "completed_on"]
        extra_kwargs = {"capacity": {"required": False}}


class ClassCapacitySerializer(serializers.Serializer):
    """A change to a scheduled class: only its capacity."""

    capacity = serializers.IntegerField(min_value=1, max_value=1000)


class ClassCompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField(required=False)
    not_completed = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Ids of seated officers who did not complete the class.",
    )


class EnrollmentSerializer(serializers.ModelSerializer):
    academy_class = serializers.PrimaryKeyRelatedField(queryset=AcademyClass.objects.all())
    officer = ScopedRelatedField(queryset=Officer.objects.all())

    class Meta:
        model = Enrollment
        fields = ["id", "academy_class", "officer", "status", "requested_at", "seat_given_at"]
        read_only_fields = ["status", "requested_at", "seat_given_at"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CompletionSerializer(serializers.ModelSerializer):
    officer = ScopedRelatedField(queryset=Officer.objects.all())
    course = serializers.SlugRelatedField(slug_field="code", queryset=Course.objects.all())

    class Meta:
        model = Completion
        fields = ["id", "officer", "course", "completed_on", "source", "academy_class"]
        read_only_fields = ["source", "academy_class"]
        validators = []  # a second completion is a state conflict (409), decided by the service


class CardLoginSerializer(serializers.ModelSerializer):
    officer_number = serializers.CharField(source="officer.officer_number", read_only=True)

    class Meta:
        model = CardLogin
        fields = ["id", "officer", "officer_number", "logged_in_at"]
        read_only_fields = fields


class WaiverSerializer(serializers.ModelSerializer):
    officer = ScopedRelatedField(queryset=Officer.objects.all())

    class Meta:
        model = Waiver
        fields = ["id", "officer", "fiscal_year", "reason", "expires_on", "granted_by", "granted_on"]
        read_only_fields = ["granted_by", "granted_on"]
        extra_kwargs = {"fiscal_year": {"required": False}}
