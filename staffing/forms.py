"""Forms of the staffing pages."""

from django import forms
from django.contrib.auth import get_user_model

from portal import uploads
from portal.roles import Role

from .choices import AbsenceKind, ReportingLineKind
from .models import StaffingModel


class StaffingModelForm(forms.ModelForm):
    class Meta:
        model = StaffingModel
        fields = [
            "officers_per_pm",
            "cases_per_pm_per_fy",
            "cost_per_position",
            "max_agencies_per_pm",
            "max_states_per_pm",
            "max_area_sq_mi_per_pm",
            "max_travel_miles_per_pm",
        ]
        labels = {
            "officers_per_pm": "Certified officers per program manager",
            "cases_per_pm_per_fy": "Cases per program manager per fiscal year",
            "cost_per_position": "Cost per position (dollars a year)",
            "max_agencies_per_pm": "Most agencies per program manager (optional)",
            "max_states_per_pm": "Most states per program manager (optional)",
            "max_area_sq_mi_per_pm": "Most square miles per program manager (optional)",
            "max_travel_miles_per_pm": "Most miles of travel per circuit (optional)",
        }


class PlanWhatIfForm(forms.Form):
    """The plan's what-ifs: more agreements, other ratios, another cost, more years."""

    extra_agreements = forms.IntegerField(
        label="More agreements than pending", min_value=0, max_value=5000, required=False
    )
    officers_per_pm = forms.IntegerField(
        label="Certified officers per program manager", min_value=1, max_value=200, required=False
    )
    cases_per_pm_per_fy = forms.IntegerField(
        label="Cases per program manager per fiscal year", min_value=1, max_value=100000, required=False
    )
    cost_per_position = forms.DecimalField(
        label="Cost per position (dollars)", min_value=0, max_digits=10, decimal_places=0, required=False
    )
    years = forms.TypedChoiceField(
        label="Fiscal years ahead", choices=[(1, "1"), (2, "2"), (3, "3")], coerce=int, required=False
    )


class WorkloadImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        validators=[uploads.CSV_UPLOAD],
        help_text="Columns: agency_id (or agency and state), month (YYYY-MM), "
        "encounters_processed, charging_documents_prepared, detainers_issued.",
    )
    apply_valid = forms.BooleanField(label="Import the valid rows even if some rows are wrong", required=False)


class HandoverForm(forms.Form):
    manager = forms.ModelChoiceField(
        label="Program manager leaving or moving", queryset=get_user_model().objects.none()
    )
    on = forms.DateField(label="First day with the new managers")
    to = forms.ModelChoiceField(
        label="Hand every agency to (empty: each agency's backup)",
        required=False,
        queryset=get_user_model().objects.none(),
    )
    note = forms.CharField(label="Reason", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pms = get_user_model().objects.filter(staff_profile__role=Role.FIELD_PM, is_active=True).order_by("last_name")
        self.fields["manager"].queryset = pms
        self.fields["to"].queryset = pms
        self.fields["manager"].label_from_instance = self.fields["to"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )


def _person(user) -> str:
    return user.get_full_name() or user.username


class AbsenceForm(forms.Form):
    """A program manager away on leave, training or travel (both days included)."""

    kind = forms.ChoiceField(label="Kind of absence", choices=AbsenceKind.choices)
    starts_on = forms.DateField(label="First day away")
    ends_on = forms.DateField(label="Last day away")
    note = forms.CharField(label="Note (optional)", max_length=250, required=False)


class OtherDutyForm(forms.Form):
    """A share of the manager's time the field office gives to other work."""

    share_percent = forms.IntegerField(label="Share of the manager's time (percent)", min_value=1, max_value=100)
    description = forms.CharField(label="Other duty", max_length=200)
    starts_on = forms.DateField(label="From")
    ends_on = forms.DateField(label="To (optional: empty while it lasts)", required=False)


class ReportingLineForm(forms.Form):
    """A new supervisor on one of the manager's two lines. The choices follow the line:
    the program line goes to a National Program Manager or the Unit Chief, the
    administrative line to a Field Office Director."""

    ROLES = {
        ReportingLineKind.PROGRAM: (Role.NATIONAL_PM, Role.UNIT_CHIEF),
        ReportingLineKind.ADMINISTRATIVE: (Role.FIELD_OFFICE_DIRECTOR,),
    }

    supervisor = forms.ModelChoiceField(label="Supervisor", queryset=get_user_model().objects.none())
    starts_on = forms.DateField(label="From", help_text="The current line of this kind ends the day before.")
    note = forms.CharField(label="Note (optional)", max_length=250, required=False)

    def __init__(self, *args, kind: str, manager, **kwargs):
        kwargs.setdefault("prefix", kind)
        super().__init__(*args, **kwargs)
        self.kind = kind
        field = self.fields["supervisor"]
        field.label = "Program supervisor" if kind == ReportingLineKind.PROGRAM else "Administrative supervisor"
        field.queryset = (
            get_user_model()
            .objects.filter(is_active=True, staff_profile__role__in=self.ROLES[kind])
            .exclude(pk=manager.pk)
            .select_related("staff_profile__field_office")
            .order_by("staff_profile__field_office__name", "last_name", "username")
        )

        def label(user):
            profile = user.staff_profile
            where = profile.field_office.name if profile.field_office_id else profile.get_role_display()
            return f"{_person(user)} ({where})"

        field.label_from_instance = label
