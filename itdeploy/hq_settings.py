"""The installation pipeline's sections of the settings page: its thresholds and the
default step plan."""

from __future__ import annotations

from django import forms

from portal.settings_sections import SettingsSection

from .models import InstallationSettings, StepTemplate


class InstallationSettingsForm(forms.ModelForm):
    class Meta:
        model = InstallationSettings
        fields = ["goal_days", "at_risk_percent", "forecast_min_history", "forecast_window"]
        labels = {
            "goal_days": "Goal (days from MOA signature to operational)",
            "at_risk_percent": "At risk after (% of a step's planned days)",
            "forecast_min_history": "Completed installations before the forecast uses actual durations",
            "forecast_window": "Completed steps of each kind the forecast reads",
        }


class StepPlanForm(forms.Form):
    """The planned days of each step of the default plan, one field per step."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for template in StepTemplate.objects.order_by("number"):
            self.fields[f"step_{template.number}"] = forms.IntegerField(
                label=f"{template.number}. {template.name}",
                min_value=1,
                max_value=3650,
                initial=template.planned_days,
                help_text=f"Planned days. Owner: {template.get_owner_display()}.",
            )


def _save_settings(acting_user, data):
    from .services import installation_settings_update

    installation_settings_update(acting_user=acting_user, **data)


def _save_plan(acting_user, data):
    from .services import step_plan_update

    step_plan_update(
        acting_user=acting_user, planned_days={int(name.removeprefix("step_")): days for name, days in data.items()}
    )


def _settings_rows():
    form = InstallationSettingsForm(instance=InstallationSettings.current())
    return [(form.fields[name].label, getattr(form.instance, name)) for name in form.fields]


def _plan_rows():
    return [
        (f"{t.number}. {t.name}", f"{t.planned_days} days ({t.get_owner_display()})")
        for t in StepTemplate.objects.order_by("number")
    ]


SECTIONS = [
    SettingsSection(
        key="installation",
        title="Installation pipeline thresholds",
        intro="The goal the 180-day chart and the sweep measure against, when a step counts as at risk, "
        "and how much history the forecast reads.",
        policy="itdeploy.InstallationSettings",
        form=lambda data=None: InstallationSettingsForm(data, instance=InstallationSettings.current()),
        save=_save_settings,
        rows=_settings_rows,
        history_of=InstallationSettings,
    ),
    SettingsSection(
        key="step-plan",
        title="Installation step plan",
        intro="The planned days of each step of the default plan. New installations copy the plan; open "
        "installations keep the plan they were opened with.",
        policy="itdeploy.StepTemplate",
        form=lambda data=None: StepPlanForm(data),
        save=_save_plan,
        rows=_plan_rows,
        history_of=StepTemplate,
    ),
]
