"""Browser forms of the itdeploy app: updating an installation step and HQ's priority.
The services decide; these forms collect the input, and show the services' refusals
next to the field they concern (``portal.forms.submit``)."""

from __future__ import annotations

from django import forms

from portal.views import uswds_form

from .choices import PauseReason
from .models import Installer

#: A step service's date field, shown on the form's one date.
STEP_DATE_FIELDS = {"started_on": "on", "completed_on": "on", "paused_on": "on", "resumed_on": "on"}


class StepChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, step):
        return f"{step.number}. {step.name}"


class StepUpdateForm(forms.Form):
    """Start, complete, pause or resume one step of an installation."""

    step = StepChoiceField(queryset=None, empty_label=None)
    action = forms.ChoiceField(
        choices=[("start", "Start"), ("complete", "Complete"), ("pause", "Pause"), ("resume", "Resume")]
    )
    on = forms.DateField(label="Date", widget=forms.DateInput(format="%Y-%m-%d"))
    reason = forms.ChoiceField(
        label="Pause reason (for a pause)",
        required=False,
        choices=[c for c in PauseReason.choices if c[0] != PauseReason.AGREEMENT_ENDED],
    )
    installer = forms.ModelChoiceField(
        label="Installer (when starting the equipment installation)",
        required=False,
        queryset=Installer.objects.filter(active=True),
        empty_label="—",
    )
    note = forms.CharField(label="Note", max_length=250, required=False)

    def __init__(self, *args, installation, today, **kwargs):
        kwargs.setdefault("auto_id", "step-%s")
        kwargs.setdefault("initial", {"on": today})
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = installation.steps.all()
        self.fields["on"].widget.attrs["max"] = today.isoformat()

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
