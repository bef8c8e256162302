"""Forms of the oversight pages."""

from __future__ import annotations

from django import forms

from agreements.choices import ProgramModel
from agreements.models import FieldOffice

from .choices import DigestFrequency, Readiness
from .readiness import BLOCKERS


class DashboardFilterForm(forms.Form):
    field_office = forms.ModelChoiceField(
        queryset=FieldOffice.objects.none(), required=False, label="Field office", empty_label="All field offices"
    )
    program_model = forms.ChoiceField(
        choices=[("", "All models")] + ProgramModel.choices, required=False, label="287(g) model"
    )
    fiscal_year = forms.IntegerField(required=False, min_value=2000, max_value=2100, label="Fiscal year")

    def __init__(self, *args, offices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_office"].queryset = offices if offices is not None else FieldOffice.objects.all()


class ReadinessFilterForm(DashboardFilterForm):
    status = forms.ChoiceField(choices=[("", "Any status")] + Readiness.choices, required=False, label="Status")
    blocker = forms.ChoiceField(
        choices=[("", "Any cause")] + list(BLOCKERS.items()), required=False, label="Blocked by"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["fiscal_year"]


class ImpactForm(forms.Form):
    """What to check: applications, or a what-if list of agencies, or counts per field office."""

    agreements = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Applications",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
    )
    agencies = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Or a what-if list of agencies",
        help_text="Hold Ctrl (or Cmd) to choose several.",
    )
    program_model = forms.ChoiceField(
        choices=ProgramModel.choices,
        initial=ProgramModel.JAIL_ENFORCEMENT,
        label="287(g) model of the what-if agreements",
    )
    signing_on = forms.DateField(
        required=False, label="Assumed MOA signature date", help_text="Empty: today. The 180-day goal counts from it."
    )

    def __init__(self, *args, agreements, agencies, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreements"].queryset = agreements
        self.fields["agreements"].label_from_instance = lambda a: (
            f"{a.agency.name} ({a.agency.state}), {a.get_program_model_display()}, {a.get_status_display().lower()}"
        )
        self.fields["agencies"].queryset = agencies
        self.offices = list(offices)
        for office in self.offices:
            self.fields[f"office_{office.pk}"] = forms.IntegerField(
                required=False, min_value=0, max_value=500, label=f"{office.name}: new agreements"
            )

    def counts(self):
        return {
            office: self.cleaned_data.get(f"office_{office.pk}") or 0
            for office in self.offices
            if self.cleaned_data.get(f"office_{office.pk}")
        }

    def office_fields(self):
        return [self[f"office_{office.pk}"] for office in self.offices]


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class WaiverRequestForm(forms.Form):
    reason = forms.CharField(label="Why HQ should waive it", max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    until = forms.DateField(label="Waived until (optional)", required=False)


class WaiverDecisionForm(forms.Form):
    note = forms.CharField(
        label="Decision note (required to refuse)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=DigestFrequency.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        label="How often to e-mail you",
    )


class QuarterForm(forms.Form):
    quarter = forms.RegexField(
        regex=r"^FY\d{4}Q[1-4]$",
        required=False,
        label="Fiscal quarter",
        help_text="For example FY2026Q1 (October to December 2025).",
        error_messages={"invalid": "Write the quarter as FY2026Q1."},
    )
