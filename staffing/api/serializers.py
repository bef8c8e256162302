from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from agreements.models import Agency
from portal.api.viewsets import ScopedRelatedField
from portal.models import StaffProfile
from staffing.models import Assignment


class StaffSerializer(serializers.ModelSerializer):
    """A member of the program's staff: the user with their role and office."""

    user_id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    field_office_name = serializers.CharField(source="field_office.name", read_only=True, default=None)

    class Meta:
        model = StaffProfile
        fields = ["id", "user_id", "username", "first_name", "last_name", "email", "role", "role_display",
                  "field_office", "field_office_name", "title", "phone"]


class ProgramManagerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return get_user_model().objects.filter(staff_profile__role="field_pm", is_active=True)


class AssignmentSerializer(serializers.ModelSerializer):
    agency = ScopedRelatedField(queryset=Agency.objects.all())
    program_manager = ProgramManagerField()
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    program_manager_name = serializers.CharField(source="program_manager.get_full_name", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "agency", "agency_name", "program_manager", "program_manager_name", "kind",
                  "starts_on", "ends_on", "note"]
