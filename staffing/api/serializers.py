from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from agreements.models import Agency
from portal import access, uploads
from portal.api.viewsets import ScopedRelatedField
from portal.models import StaffProfile
from portal.roles import Role
from staffing.choices import ReportingLineKind
from staffing.models import Absence, Assignment, OtherDuty, ReportingLine, WorkloadReport


class SupervisorSerializer(serializers.Serializer):
    kind = serializers.CharField()
    supervisor = serializers.IntegerField(source="supervisor_id")
    supervisor_name = serializers.SerializerMethodField()
    starts_on = serializers.DateField()

    def get_supervisor_name(self, line) -> str:
        return line.supervisor.get_full_name() or line.supervisor.username


class StaffSerializer(serializers.ModelSerializer):
    """A member of the program's staff: the user with their role, office, current
    supervisors on both reporting lines and share of time on other duties."""

    user_id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    field_office_name = serializers.CharField(source="field_office.name", read_only=True, default=None, allow_null=True)
    supervisors = serializers.SerializerMethodField()
    other_duty_percent = serializers.SerializerMethodField()

    class Meta:
        model = StaffProfile
        fields = [
            "id",
            "user_id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "role_display",
            "field_office",
            "field_office_name",
            "title",
            "phone",
            "supervisors",
            "other_duty_percent",
        ]

    def get_supervisors(self, profile) -> list[dict]:
        lines = getattr(profile.user, "current_lines", [])
        return SupervisorSerializer(sorted(lines, key=lambda line: line.kind), many=True).data

    def get_other_duty_percent(self, profile) -> int:
        return min(100, sum(d.share_percent for d in getattr(profile.user, "current_other_duties", [])))


@extend_schema_field(OpenApiTypes.INT)
class ProgramManagerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return get_user_model().objects.filter(staff_profile__role="field_pm", is_active=True)


@extend_schema_field(OpenApiTypes.INT)
class RecordableManagerField(serializers.PrimaryKeyRelatedField):
    """A field program manager the caller may record absences and other duties for:
    any for HQ, those of their office for a Field Office Director."""

    def get_queryset(self):
        request = self.context.get("request")
        users = get_user_model().objects.filter(staff_profile__role=Role.FIELD_PM, is_active=True)
        if request is None:
            return users.none()
        return access.restrict(users, request.user, "view", target="staffing.ProgramManager")


@extend_schema_field(OpenApiTypes.INT)
class SupervisorField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return get_user_model().objects.filter(
            is_active=True, staff_profile__role__in=[Role.UNIT_CHIEF, Role.NATIONAL_PM, Role.FIELD_OFFICE_DIRECTOR]
        )


class AssignmentSerializer(serializers.ModelSerializer):
    agency = ScopedRelatedField(queryset=Agency.objects.all())
    program_manager = ProgramManagerField()
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    program_manager_name = serializers.CharField(source="program_manager.get_full_name", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "agency",
            "agency_name",
            "program_manager",
            "program_manager_name",
            "kind",
            "starts_on",
            "ends_on",
            "note",
        ]


class HandoverSerializer(serializers.Serializer):
    manager = ProgramManagerField()
    on = serializers.DateField(help_text="First day the new managers hold the agencies.")
    to = ProgramManagerField(
        required=False, allow_null=True, help_text="The manager who takes every agency; empty: each agency's backup."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ReportingLineSerializer(serializers.ModelSerializer):
    manager = ProgramManagerField()
    supervisor = SupervisorField()
    manager_name = serializers.CharField(source="manager.get_full_name", read_only=True)
    supervisor_name = serializers.CharField(source="supervisor.get_full_name", read_only=True)
    kind = serializers.ChoiceField(choices=ReportingLineKind.choices)

    class Meta:
        model = ReportingLine
        fields = [
            "id",
            "manager",
            "manager_name",
            "kind",
            "supervisor",
            "supervisor_name",
            "starts_on",
            "ends_on",
            "note",
        ]
        read_only_fields = ["ends_on"]


class OtherDutySerializer(serializers.ModelSerializer):
    manager = RecordableManagerField()
    manager_name = serializers.CharField(source="manager.get_full_name", read_only=True)

    class Meta:
        model = OtherDuty
        fields = ["id", "manager", "manager_name", "share_percent", "description", "starts_on", "ends_on"]


class AbsenceSerializer(serializers.ModelSerializer):
    manager = RecordableManagerField()
    manager_name = serializers.CharField(source="manager.get_full_name", read_only=True)

    class Meta:
        model = Absence
        fields = ["id", "manager", "manager_name", "kind", "starts_on", "ends_on", "note"]


class WorkloadReportSerializer(serializers.ModelSerializer):
    agency = ScopedRelatedField(queryset=Agency.objects.all())
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = WorkloadReport
        fields = [
            "id",
            "agency",
            "agency_name",
            "month",
            "encounters_processed",
            "charging_documents_prepared",
            "detainers_issued",
        ]
        validators = []  # the service checks agency + month uniqueness with a field message


class WorkloadImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        validators=[uploads.CSV_UPLOAD],
        help_text="CSV: agency_id (or agency and state), month, encounters_processed, "
        "charging_documents_prepared, detainers_issued.",
    )
    apply_valid = serializers.BooleanField(required=False, default=False)


class StaffingFigureSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["manager", "office", "nation"])
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    field_office = serializers.IntegerField(allow_null=True)
    field_office_name = serializers.CharField()
    agencies = serializers.IntegerField()
    officers = serializers.IntegerField()
    annual_cases = serializers.IntegerField(
        help_text="Cases a fiscal year the model uses: the current fiscal year "
        "annualised, else the last full fiscal year."
    )
    cases_current_fy_annualised = serializers.IntegerField(
        help_text="The current fiscal year's cases, annualised from its full months reported so far."
    )
    cases_last_fy = serializers.IntegerField(help_text="The last full fiscal year's cases.")
    area_sq_mi = serializers.IntegerField()
    states = serializers.ListField(child=serializers.CharField())
    travel_miles = serializers.IntegerField(allow_null=True)
    required_pms = serializers.FloatField()
    assigned_pms = serializers.FloatField()
    load_percent = serializers.IntegerField(allow_null=True)
    gap = serializers.FloatField()
    bound_by = serializers.CharField()
    other_duty_percent = serializers.IntegerField()
    geography_flags = serializers.ListField(child=serializers.CharField())


@extend_schema_serializer(many=False)  # one object holding the list, not a list of them
class StaffingFigureListSerializer(serializers.Serializer):
    """The figures of one day, shaped like every list (one page holding all rows)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    on = serializers.DateField()
    results = StaffingFigureSerializer(many=True)
