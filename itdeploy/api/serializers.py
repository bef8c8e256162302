from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from itdeploy import selectors
from itdeploy.choices import PauseReason
from itdeploy.models import Installation, InstallationStep, Installer, InstallerUnavailability, StepPause
from portal.api.fields import DetailUrlField
from portal.roles import Role


class StepPauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = StepPause
        fields = ["id", "reason", "note", "started_on", "ended_on"]


class InstallationStepSerializer(serializers.ModelSerializer):
    depends_on = serializers.SerializerMethodField(help_text="Numbers of the steps this one starts after.")
    pauses = StepPauseSerializer(many=True, read_only=True)
    paused = serializers.SerializerMethodField()
    clock = serializers.SerializerMethodField()
    forecast = serializers.SerializerMethodField()

    class Meta:
        model = InstallationStep
        fields = [
            "id",
            "number",
            "name",
            "owner",
            "kind",
            "planned_days",
            "depends_on",
            "started_on",
            "completed_on",
            "paused",
            "pauses",
            "installer",
            "responsible",
            "note",
            "clock",
            "forecast",
        ]

    def get_depends_on(self, step) -> list[int]:
        return sorted(d.number for d in step.depends_on.all())

    def get_paused(self, step) -> bool:
        return selectors.step_is_paused(step)

    def get_clock(self, step) -> dict:
        clock = selectors.step_clock(step, self.context["today"], self.context["settings"])
        return {
            "state": clock.state,
            "due_on": clock.due_on,
            "used_days": clock.used_days,
            "paused_days": clock.paused_days,
            "used_percent": clock.used_percent,
        }

    def get_forecast(self, step) -> dict | None:
        pipeline = self.context.get("pipeline")
        site = pipeline.expected.get(step.installation_id) if pipeline else None
        projected = site.steps.get(step.number) if site else None
        if projected is None:
            return None
        return {"start_on": projected.start_on, "end_on": projected.end_on, "projected": projected.projected}


class InstallationSerializer(serializers.ModelSerializer):
    url = DetailUrlField(view_name="api:installation-detail")
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    state = serializers.CharField(source="agency.state", read_only=True)
    field_office = serializers.IntegerField(source="agency.field_office_id", read_only=True)
    days_since_moa = serializers.SerializerMethodField()
    clock = serializers.SerializerMethodField()
    current_step = serializers.SerializerMethodField()
    forecast = serializers.SerializerMethodField()
    steps = InstallationStepSerializer(many=True, read_only=True)

    class Meta:
        model = Installation
        fields = [
            "id",
            "url",
            "agency",
            "agency_name",
            "state",
            "field_office",
            "status",
            "moa_signed_on",
            "opened_on",
            "operational_on",
            "priority_rank",
            "dates_estimated",
            "days_since_moa",
            "clock",
            "current_step",
            "forecast",
            "steps",
        ]

    def get_days_since_moa(self, installation) -> int:
        return installation.days_since_moa(self.context["today"])

    def get_clock(self, installation) -> dict:
        clock = selectors.installation_clock(installation, self.context["today"], self.context["settings"])
        return {"state": clock.state, "goal_on": clock.due_on, "days": clock.used_days, "goal_days": clock.allowed_days}

    def get_current_step(self, installation) -> int | None:
        step = selectors.current_step(installation)
        return step.number if step else None

    def get_forecast(self, installation) -> dict | None:
        pipeline = self.context.get("pipeline")
        if pipeline is None or installation.pk not in pipeline.expected:
            return None
        expected, pessimistic = pipeline.expected[installation.pk], pipeline.pessimistic[installation.pk]
        goal_on = selectors.goal_date(installation, pipeline.goal_days, self.context["today"])
        return {
            "operational_on": expected.operational_on,
            "pessimistic_on": pessimistic.operational_on,
            "install_ready_on": expected.install_ready_on,
            "queue_wait_days": expected.queue_wait_days,
            "goal_on": goal_on,
            "misses_goal": expected.operational_on is None or expected.operational_on > goal_on,
        }


class StepStartSerializer(serializers.Serializer):
    started_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=250, default="")
    installer = serializers.PrimaryKeyRelatedField(
        queryset=Installer.objects.filter(active=True), required=False, allow_null=True, default=None
    )


class StepCompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=250, default="")


class StepPauseRequestSerializer(serializers.Serializer):
    paused_on = serializers.DateField()
    reason = serializers.ChoiceField(choices=[c for c in PauseReason.choices if c[0] != PauseReason.AGREEMENT_ENDED])
    note = serializers.CharField(required=False, allow_blank=True, max_length=250, default="")


class StepResumeSerializer(serializers.Serializer):
    resumed_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=250, default="")


class PrioritySerializer(serializers.Serializer):
    priority_rank = serializers.IntegerField(min_value=1, allow_null=True)


class ConfirmSerializer(serializers.Serializer):
    operational_since = serializers.DateField(required=False, allow_null=True, default=None)
    at_step = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)
    step_started_on = serializers.DateField(required=False, allow_null=True, default=None)


class BulkConfirmSerializer(ConfirmSerializer):
    installations = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=1000)


class InstallerUnavailabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = InstallerUnavailability
        fields = ["id", "starts_on", "ends_on", "reason"]


class InstallerSerializer(serializers.ModelSerializer):
    url = DetailUrlField(view_name="api:installer-detail")
    user = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(staff_profile__role=Role.OCIO),
        required=False,
        allow_null=True,
        help_text="The installer's portal account: an OCIO IT specialist.",
    )
    unavailable_periods = InstallerUnavailabilitySerializer(many=True, read_only=True)

    class Meta:
        model = Installer
        fields = ["id", "url", "name", "user", "active", "days_per_week", "home_base", "note", "unavailable_periods"]
