from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import models
from rest_framework import serializers

from itdeploy import clocks, selectors
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


def _day(value):
    """A date as ``DateField`` shows it (ISO 8601), or None."""
    return value.isoformat() if value else None


class InstallationListSerializer(serializers.ListSerializer):
    """A page of installations: the steps, pauses and dependencies of every installation
    of the page read at once as rows (``selectors.installation_rows``), not per row."""

    def to_representation(self, data):
        installations = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        self.child.load_rows(installations)
        return [self.child.to_representation(installation) for installation in installations]


class InstallationSerializer(serializers.ModelSerializer):
    # An installation with its steps, clocks and forecast (a comment, not a docstring: the
    # schema would show it). The declared fields are the schema; ``to_representation``
    # writes the same values from rows read once per page (a list of 500 installations has
    # some 3,000 steps: DRF's field machinery and model instances for each took most of the
    # list's time).

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
        list_serializer_class = InstallationListSerializer
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

    _rows: selectors.InstallationRows | None = None

    def load_rows(self, installations) -> None:
        """Read the steps and clock pauses of these installations (a page) in one go; the
        list's queryset says which have clock pauses (``has_clock_pauses``)."""
        ids = [installation.pk for installation in installations]
        paused = [i.pk for i in installations if getattr(i, "has_clock_pauses", True)]
        self._rows = selectors.installation_rows(ids, paused_ids=paused)
        self._rows_of = set(ids)

    def to_representation(self, installation):
        if self._rows is None or installation.pk not in self._rows_of:
            self.load_rows([installation])
        today, settings = self.context["today"], self.context["settings"]
        pipeline = self.context.get("pipeline")
        agency = installation.agency
        steps = self._rows.steps.get(installation.pk, [])
        clock_pauses = self._rows.clock_pauses.get(installation.pk, [])
        clock = selectors.installation_clock(installation, today, settings, pauses=clock_pauses)
        site = pessimistic = None
        if pipeline is not None and installation.pk in pipeline.expected:
            site, pessimistic = pipeline.expected[installation.pk], pipeline.pessimistic[installation.pk]
        return {
            "id": installation.pk,
            "url": self.fields["url"].to_representation(installation),
            "agency": installation.agency_id,
            "agency_name": agency.name,
            "state": agency.state,
            "field_office": agency.field_office_id,
            "status": installation.status,
            "moa_signed_on": _day(installation.moa_signed_on),
            "opened_on": _day(installation.opened_on),
            "operational_on": _day(installation.operational_on),
            "priority_rank": installation.priority_rank,
            "dates_estimated": installation.dates_estimated,
            "days_since_moa": installation.days_since_moa(today),
            "clock": {
                "state": clock.state,
                "goal_on": clock.due_on,
                "days": clock.used_days,
                "goal_days": clock.allowed_days,
            },
            "current_step": _current_step_number(steps),
            "forecast": _installation_forecast(installation, site, pessimistic, pipeline, clock_pauses, today),
            "steps": [_step(step, site, today, settings) for step in steps],
        }

    # The declarative definition of the method fields: the schema reads their types, and
    # a test checks that ``to_representation`` writes what the fields would (on
    # prefetched steps and clock pauses).

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


def _current_step_number(steps: list[dict]) -> int | None:
    """``selectors.current_step`` over rows: the earliest step in progress, or else the
    first step not complete."""
    for step in steps:
        if step["started_on"] and not step["completed_on"]:
            return step["number"]
    return next((step["number"] for step in steps if not step["completed_on"]), None)


def _installation_forecast(installation, site, pessimistic, pipeline, clock_pauses, today) -> dict | None:
    if site is None:
        return None
    # selectors.goal_date: the goal's days and the clock's paused days up to the day it stopped.
    paused = clocks.paused_days(
        clock_pauses, installation.operational_on or installation.cancelled_on or today, installation.moa_signed_on
    )
    goal_on = installation.moa_signed_on + dt.timedelta(days=pipeline.goal_days + paused)
    return {
        "operational_on": site.operational_on,
        "pessimistic_on": pessimistic.operational_on,
        "install_ready_on": site.install_ready_on,
        "queue_wait_days": site.queue_wait_days,
        "goal_on": goal_on,
        "misses_goal": site.operational_on is None or site.operational_on > goal_on,
    }


def _step(step: dict, site, today, settings) -> dict:
    """One step as ``InstallationStepSerializer`` shows it."""
    pauses = step["pauses"]
    clock = clocks.step_clock(
        started_on=step["started_on"],
        completed_on=step["completed_on"],
        planned_days=step["planned_days"],
        pauses=pauses,
        today=today,
        at_risk_percent=settings.at_risk_percent,
    )
    projected = site.steps.get(step["number"]) if site is not None else None
    return {
        "id": step["id"],
        "number": step["number"],
        "name": step["name"],
        "owner": step["owner"],
        "kind": step["kind"],
        "planned_days": step["planned_days"],
        "depends_on": step["depends_on"],
        "started_on": _day(step["started_on"]),
        "completed_on": _day(step["completed_on"]),
        "paused": any(pause.ended_on is None for pause in pauses),
        "pauses": [
            {
                "id": pause.id,
                "reason": pause.reason,
                "note": pause.note,
                "started_on": _day(pause.started_on),
                "ended_on": _day(pause.ended_on),
            }
            for pause in pauses
        ],
        "installer": step["installer_id"],
        "responsible": step["responsible_id"],
        "note": step["note"],
        "clock": {
            "state": clock.state,
            "due_on": clock.due_on,
            "used_days": clock.used_days,
            "paused_days": clock.paused_days,
            "used_percent": clock.used_percent,
        },
        "forecast": None
        if projected is None
        else {"start_on": projected.start_on, "end_on": projected.end_on, "projected": projected.projected},
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
