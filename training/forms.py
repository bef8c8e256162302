"""Browser forms of the training app: scheduling an academy class (HQ) and enrolling an
officer in one (the officer's Field Program Manager, or HQ). The services decide; these
forms only collect and check the input, and show the services' refusals next to the field
they concern."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from portal.forms import add_service_errors
from portal.views import uswds_form

from . import services
from .choices import ACTIVE_ENROLLMENT, CourseKind, OfficerStatus
from .models import AcademyClass, AcademySite, Course, Enrollment, Officer


class DescribedForm(forms.Form):
    """A form whose inputs name their hint and error messages in ``aria-describedby``, so
    a screen reader reads the error with the field (templates/training/_field.html gives
    the messages these ids)."""

    def styled(self):
        return uswds_form(self, describe=True)

    def add_service_error(self, exc: ValidationError) -> None:
        """Put a service's refusal on the fields it names (others on the whole form)."""
        add_service_errors(self, exc)


class ClassScheduleForm(DescribedForm):
    """HQ schedules an academy class; the end date follows from the course's length."""

    course = forms.ModelChoiceField(
        queryset=Course.objects.filter(kind__in=[CourseKind.BASIC, CourseKind.REFRESHER], retired_on__isnull=True),
        empty_label="- Select a course -",
    )
    site = forms.ModelChoiceField(queryset=AcademySite.objects.all(), empty_label=None)
    starts_on = forms.DateField(label="Start date", widget=forms.DateInput(format="%Y-%m-%d"))
    capacity = forms.IntegerField(label="Seats", min_value=1, max_value=200, initial=24)
    q1_override = forms.BooleanField(
        label="Override the rule against basic classes in Q1 (October to December)", required=False
    )
    q1_override_reason = forms.CharField(
        label="Reason for the Q1 override",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with the class; required with the override.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lengths = ", ".join(f"{c.code} {c.duration_days} days" for c in self.fields["course"].queryset)
        self.fields["course"].help_text = f"The class ends after the course's length ({lengths})."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("q1_override") and not (cleaned.get("q1_override_reason") or "").strip():
            self.add_error("q1_override_reason", "Give the reason for holding this basic class in Q1.")
        return cleaned

    @property
    def override_reason(self) -> str:
        """The reason passed to the service: only when the override is ticked."""
        return self.cleaned_data["q1_override_reason"].strip() if self.cleaned_data.get("q1_override") else ""


#: Above this many officers to choose from, the enrol form asks for the officer number
#: instead of listing them (HQ sees every officer of the program).
ENROL_SELECT_LIMIT = 300


class EnrolForm(DescribedForm):
    """Enrol one of the caller's officers in a class: only officers the caller sees, of the
    status the course takes, and not already enrolled in or waiting for the class. An
    officer outside the caller's agencies gets the same answer as a number that does not
    exist, so the form reveals nothing about other agencies."""

    NOT_FOUND = "No officer you can enrol in this class has this number."

    def __init__(self, *args, user, academy_class: AcademyClass, **kwargs):
        super().__init__(*args, **kwargs)
        status = OfficerStatus.ADJUDICATED if academy_class.course.kind == CourseKind.BASIC else OfficerStatus.CERTIFIED
        self.candidates = (
            Officer.objects.visible_to(user)
            .filter(status=status)
            .exclude(
                Exists(
                    Enrollment.objects.filter(
                        officer=OuterRef("pk"), academy_class=academy_class, status__in=ACTIVE_ENROLLMENT
                    )
                )
            )
            .select_related("agency")
            .order_by("last_name", "first_name", "officer_number")
        )
        who = (
            "officers whose background has been adjudicated"
            if status == OfficerStatus.ADJUDICATED
            else "certified officers"
        )
        self.uses_select = self.candidates.count() <= ENROL_SELECT_LIMIT
        if self.uses_select:
            field = forms.ModelChoiceField(
                queryset=self.candidates,
                label="Officer",
                empty_label="- Select an officer -",
                help_text=f"This class takes {who} of your agencies who are not already enrolled.",
                error_messages={"invalid_choice": self.NOT_FOUND, "required": "Choose an officer."},
            )
            field.label_from_instance = lambda o: f"{o.last_name}, {o.first_name} ({o.officer_number}), {o.agency.name}"
        else:
            field = forms.CharField(
                label="Officer number",
                max_length=30,
                help_text=f"This class takes {who} who are not already enrolled.",
                error_messages={"required": "Give the officer number."},
            )
        self.fields["officer"] = field

    def clean_officer(self):
        value = self.cleaned_data["officer"]
        if self.uses_select:
            return value
        officer = self.candidates.filter(officer_number__iexact=value.strip()).first()
        if officer is None:
            raise ValidationError(self.NOT_FOUND)
        return officer


#: The changes of status (and of the security card) a Field Program Manager or HQ records
#: on an officer's page; revocation is HQ's. The page offers those open from the officer's
#: state (``services.officer_change_refusal``).
OFFICER_CHANGES = [
    ("adjudicate", "Background adjudicated"),
    ("certify", "Certify"),
    ("suspend", "Suspend"),
    ("reinstate", "Reinstate"),
    ("leave", "Left the program"),
]
CARD_CHANGES = [("request-card-reactivation", "Request card reactivation"), ("reactivate-card", "Card reactivated")]


class OfficerChangeForm(DescribedForm):
    """A change of an officer's status, or of the security card, with its reason: the
    list offers only the changes open from the officer's state, with no default. A change
    sent from a page the state has since moved past is still read, so that the service's
    refusal comes back on this field."""

    action = forms.ChoiceField(
        label="Change",
        error_messages={"required": "Choose a change.", "invalid_choice": "Choose one of the changes listed."},
    )
    reason = forms.CharField(label="Reason", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, officer: Officer, may_revoke: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        status = OFFICER_CHANGES + ([("revoke", "Revoke")] if may_revoke else [])
        self.fields["action"].choices = status + CARD_CHANGES

        def open_(changes):
            return [(verb, label) for verb, label in changes if services.officer_change_refusal(officer, verb) is None]

        status, card = open_(status), open_(CARD_CHANGES)
        self.offered = status + card
        groups = [(name, changes) for name, changes in (("Status", status), ("Security card", card)) if changes]
        self.fields["action"].widget.choices = [("", "- Select a change -"), *groups]


class CardLoginForm(DescribedForm):
    """A security-card login of the officer, read off DHS's login record."""

    logged_in_at = forms.DateTimeField(
        label="Logged in at (Eastern time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "usa-input"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Give the date and time of the login.", "invalid": "Give a date and a time."},
    )

    def __init__(self, *args, now, **kwargs):
        kwargs.setdefault("auto_id", "id_card_%s")
        super().__init__(*args, **kwargs)
        self.fields["logged_in_at"].widget.attrs["max"] = timezone.localtime(now).strftime("%Y-%m-%dT%H:%M")


class WaiverForm(DescribedForm):
    """A Field Responsible Official's recertification waiver."""

    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    expires_on = forms.DateField(label="Expires on", widget=forms.DateInput(format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_waiver_%s")
        super().__init__(*args, **kwargs)
