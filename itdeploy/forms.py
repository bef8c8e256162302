"""Browser forms of the itdeploy app: the actions on an installation step and HQ's priority.
The services decide; these forms collect the input, and show the services' refusals
next to the field they concern (``portal.forms.submit``)."""

from __future__ import annotations

from django import forms

from portal.views import uswds_form

from . import services
from .choices import PauseReason, StepKind
from .models import Installer

#: A step service's fields, by the field of a step row's form that carries them.
STEP_FIELDS = {"started_on": "on", "completed_on": "on", "paused_on": "on", "resumed_on": "on"}

#: Per action on a step: the button's verb and the label of the date it asks for.
STEP_ACTION_LABELS = {
    "start": ("Start", "Start date"),
    "complete": ("Complete", "Completion date"),
    "pause": ("Pause", "Paused since"),
    "resume": ("Resume", "Resumed on"),
}


class StepActionForm(forms.Form):
    """One action on one step of an installation, as its row offers it: the date it
    happened, and what else that action needs (a pause its reason and an optional note,
    the start of the equipment installation its installer). The step and the action
    travel as hidden inputs the page writes itself; the services decide."""

    on = forms.DateField(widget=forms.DateInput(format="%Y-%m-%d"), error_messages={"required": "Give a date."})

    def __init__(self, *args, step, action: str, today, **kwargs):
        kwargs.setdefault("auto_id", f"step-{step.pk}-{action}-%s")
        kwargs.setdefault("initial", {"on": today})
        super().__init__(*args, **kwargs)
        self.step, self.action = step, action
        self.verb, self.fields["on"].label = STEP_ACTION_LABELS[action]
        self.fields["on"].widget.attrs["max"] = today.isoformat()
        if action == "pause":
            self.fields["reason"] = forms.ChoiceField(
                label="Reason",
                choices=[("", "- Select a reason -")]
                + [c for c in PauseReason.choices if c[0] != PauseReason.AGREEMENT_ENDED],
                error_messages={"required": "Choose why the step is paused."},
            )
            self.fields["note"] = forms.CharField(label="Note (optional)", max_length=250, required=False)
        if action == "start" and step.kind == StepKind.INSTALL:
            self.fields["installer"] = forms.ModelChoiceField(
                label="Installer",
                required=False,
                queryset=Installer.objects.filter(active=True),
                empty_label="Not named yet",
            )

        for field in self.fields.values():  # the row's step in each input's name, as in its button's
            field.widget.attrs["aria-label"] = f"{field.label}: {step.name}"

    def perform(self, data, user):
        """Call the step's service for this action."""
        step, on = self.step, data["on"]
        if self.action == "start":
            return services.step_start(step=step, started_on=on, acting_user=user, installer=data.get("installer"))
        if self.action == "complete":
            return services.step_complete(step=step, completed_on=on, acting_user=user)
        if self.action == "pause":
            return services.step_pause(
                step=step, paused_on=on, reason=data["reason"], acting_user=user, note=data["note"].strip()
            )
        return services.step_resume(step=step, resumed_on=on, acting_user=user)

    def styled(self):
        return uswds_form(self, describe=True)


class PriorityForm(forms.Form):
    """HQ's rank of a site in the installer queue."""

    priority_rank = forms.IntegerField(label="HQ rank (1 first; empty: MOA order)", min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "priority-%s")
        super().__init__(*args, **kwargs)

    def styled(self):
        return uswds_form(self, describe=True)


#: The confirmation service's fields, shown on the form's own.
CONFIRM_FIELDS = {"operational_since": "on", "step_started_on": "on", "installations": "installation"}


class ConfirmForm(forms.Form):
    """HQ's confirmation, in bulk, of where "status unknown" installations stand (the page
    lays out its inputs itself: a table of check boxes, two choices, a step and a date)."""

    installation = forms.ModelMultipleChoiceField(
        queryset=None,
        error_messages={
            "required": "Choose at least one installation.",
            "invalid_choice": "Choose installations whose status is unknown.",
            "invalid_pk_value": "Choose installations whose status is unknown.",
        },
    )
    how = forms.ChoiceField(
        choices=[("operational", "Operational"), ("in_progress", "In progress")],
        error_messages={
            "required": "Choose whether the sites are operational or in progress.",
            "invalid_choice": "Choose whether the sites are operational or in progress.",
        },
    )
    at_step = forms.IntegerField(required=False, min_value=1)
    on = forms.DateField(required=False)

    def __init__(self, *args, installations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["installation"].queryset = installations
