"""The filter panel of the list pages: a FilterSet's form as USWDS components, with the
choices narrowed to what the reader can see, and the active filters as removable tags.

The FilterSets are the API's too (``filterset_class`` of the viewsets): nothing here
changes a filter or what the API accepts. ``prepare`` changes the page's own form
instance, per request:

- a yes/no filter is a radio group "Any / Yes / No" (values ``""``, ``true``, ``false``);
- a filter of agencies, field offices, states or staff (by its name, see ``SOURCES``) offers
  only the rows the reader's role can see (``portal.access.restrict``; field offices and
  states are those of the agencies the reader sees), and a numeric id filter of one of
  them (``?agency=12``) becomes a choice of names;
- a FilterSet may give more lists in ``page_choices`` (``{name: callable(request) ->
  [(value, label)]}``) and hide free-text filters that a list replaces in
  ``page_hidden`` (they stay in the API and on the page while the address uses them);
- a list of more than ``SHORT_LIST`` choices is a USWDS combo box, a shorter one a
  ``usa-select`` (one choice) or checkboxes (several); no "---------": the empty choice
  says "Any" or "All states";
- a date is a USWDS date picker (it submits ``YYYY-MM-DD``, as the API takes).

``active_filters`` lists the filters the address applies, each with the link that removes
it and keeps the others (``portal/_filter_tags.html``).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django_filters import fields as filter_fields

from . import access
from .models import StaffProfile
from .roles import Role

#: Longer lists than this are combo boxes; shorter ones a select or checkboxes.
SHORT_LIST = 8

#: What a date filter takes on the page: the USWDS date picker sends what its box shows
#: (mm/dd/yyyy); links and the API write ISO 8601.
DATE_INPUTS = ["%Y-%m-%d", "%m/%d/%Y"]

KIND = "panel_kind"  # the attribute of a form field naming how the panel renders it


def _agency_model():
    return access.POLICY["agreements.Agency"].model


def _sees_every_agency(user) -> bool:
    return access.scope_q(user, "view", "agreements.Agency") == Q()


def agencies(request):
    return access.restrict(_agency_model().objects.only("pk", "name", "state").order_by("name", "pk"), request.user)


def field_offices(request):
    offices = access.POLICY["agreements.FieldOffice"].model.objects.all()
    if _sees_every_agency(request.user):
        return offices
    return offices.filter(pk__in=agencies(request).values("field_office_id"))


def states(request) -> set[str] | None:
    """The states of the agencies the reader sees (None: every state)."""
    if _sees_every_agency(request.user):
        return None
    return set(agencies(request).order_by().values_list("state", flat=True).distinct())


def staff(request):
    profiles = access.restrict(StaffProfile.objects.all(), request.user)
    return get_user_model().objects.filter(staff_profile__in=profiles).order_by("last_name", "first_name", "username")


def managers(request):
    users = get_user_model().objects.filter(staff_profile__role=Role.FIELD_PM)
    return access.restrict(users, request.user, "view", target="staffing.ProgramManager").order_by(
        "last_name", "first_name", "username"
    )


def _user_label(user) -> str:
    return user.get_full_name() or user.username


#: Filter name -> (the rows a reader may choose from, the empty choice's words).
SOURCES = {
    "agency": (agencies, "All agencies"),
    "field_office": (field_offices, "All field offices"),
    "state": (states, "All states"),
    "responsible": (staff, "Anyone"),
    "actor": (staff, "Anyone"),
    "supervisor": (staff, "Anyone"),
    "manager": (managers, "All managers"),
    "program_manager": (managers, "All managers"),
}
ANY = "Any"


class AnyYesNo(forms.RadioSelect):
    """A yes/no filter as three radios; reads the API's spellings (``True``, ``1``...)."""

    VALUES = {"true": "true", "True": "true", "1": "true", "false": "false", "False": "false", "0": "false"}

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", ANY), ("true", "Yes"), ("false", "No")])

    def value_from_datadict(self, data, files, name):
        return self.VALUES.get(data.get(name), "")


class ComboBox(forms.Select):
    """The select inside a ``usa-combo-box``; for a multiple-choice filter it reads every
    value of the address (the combo box shows the first, the rest travel as hidden
    inputs), so a link with ``?state=TX&state=LA`` keeps both."""

    multiple = False

    def value_from_datadict(self, data, files, name):
        if self.multiple and hasattr(data, "getlist"):
            return data.getlist(name)
        return super().value_from_datadict(data, files, name)

    def render(self, name, value, attrs=None, renderer=None):
        """The select and its options written in one pass: HQ's agency list holds every
        agency of the country (about 5,000), and Django's template per option took most
        of a list page's time (docs/performance.md). The first option equal to the value
        is selected, as Django's select does."""
        final = self.build_attrs(self.attrs, attrs)
        wanted = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{flatatt(final)}>']
        for option, label in self.choices:
            option = "" if option is None else str(option)
            chosen = option in wanted
            if chosen:
                wanted.discard(option)
            parts.append(f'<option value="{escape(option)}"{" selected" if chosen else ""}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above


def _choices_field(field: forms.Field, choices, empty: str) -> forms.Field:
    """A choice field in place of a numeric id filter (``?agency=12``), keeping its label."""
    return forms.TypedChoiceField(
        choices=[("", empty), *choices],
        coerce=int,
        required=False,
        label=field.label,
        help_text=field.help_text,
    )


def _narrow(request, name: str, field: forms.Field) -> forms.Field:
    """The field with its choices narrowed to the reader's scope (``SOURCES``)."""
    source, empty = SOURCES[name]
    rows = source(request)
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = field.queryset.filter(pk__in=rows.values("pk")) if rows is not None else field.queryset
        field.empty_label = None if isinstance(field, forms.ModelMultipleChoiceField) else empty
        field.panel_empty = empty
        return field
    if isinstance(field, forms.ChoiceField):
        if rows is not None:
            allowed = rows if isinstance(rows, set) else {str(pk) for pk in rows.values_list("pk", flat=True)}
            field.choices = [(value, label) for value, label in field.choices if value in allowed]
        field.panel_empty = empty
        return field
    if isinstance(field, (forms.DecimalField, forms.IntegerField)) and rows is not None and not isinstance(rows, set):
        label = _user_label if rows.model is get_user_model() else str
        new = _choices_field(field, [(row.pk, label(row)) for row in rows], empty)
        new.panel_empty = empty
        return new
    return field


def _empty_choice(field: forms.Field, empty: str) -> None:
    """The empty choice of a one-choice field says ``empty`` (never "---------")."""
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = empty
        return
    rest = [(value, label) for value, label in field.choices if value != ""]
    if isinstance(field, filter_fields.ChoiceField):  # django-filter adds its empty_label itself
        field.empty_label = empty
        field.choices = rest
    else:
        field.choices = [("", empty), *rest]


def _set_kind(field: forms.Field) -> None:
    """Picks the USWDS component of a form field (``field.panel_kind``) and its widget."""
    attrs = dict(field.widget.attrs)
    if isinstance(field, forms.NullBooleanField):
        field.widget = AnyYesNo(attrs={**attrs, "class": "usa-radio__input"})
        setattr(field, KIND, "radios")
    elif isinstance(field, forms.DateField):
        field.widget = forms.TextInput(attrs={**attrs, "class": "usa-input"})
        field.input_formats = DATE_INPUTS
        setattr(field, KIND, "date")
    elif isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        multiple = isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField))
        empty = getattr(field, "panel_empty", ANY)
        if not multiple:
            _empty_choice(field, empty)
        choices = list(field.choices)  # one query for a list of rows, shared by the widget
        long = len([value for value, _ in choices if value != ""]) > SHORT_LIST
        if multiple and not long:
            field.widget = forms.CheckboxSelectMultiple(attrs={**attrs, "class": "usa-checkbox__input"})
            setattr(field, KIND, "checkboxes")
        else:
            field.widget = (ComboBox if long else forms.Select)(attrs={**attrs, "class": "usa-select"})
            setattr(field, KIND, "combo" if long else "select")
        if multiple and long:  # the combo box takes one value; its empty choice clears it
            field.widget.multiple = True
            field.widget.choices = [("", empty), *choices]
        else:
            field.widget.choices = choices
    elif isinstance(field, (forms.DecimalField, forms.IntegerField)):
        field.widget = forms.NumberInput(attrs={**attrs, "class": "usa-input"})
        setattr(field, KIND, "input")
    else:
        field.widget = forms.TextInput(attrs={**attrs, "class": "usa-input"})
        setattr(field, KIND, "input")


def prepare(filterset, request):
    """Makes ``filterset.form`` the page's filter panel (see the module's docstring).
    Call it before the form is validated; returns the form."""
    form = filterset.form
    extra = getattr(filterset, "page_choices", {})
    for name in getattr(filterset, "page_hidden", ()):
        if name not in request.GET:
            form.fields.pop(name, None)
    for name, field in list(form.fields.items()):
        if name in extra:
            choices = list(extra[name](request))
            field = _choices_field(field, choices, ANY)
            field.coerce = int if choices and all(isinstance(value, int) for value, _ in choices) else str
        elif name in SOURCES:
            field = _narrow(request, name, field)
        _set_kind(field)
        form.fields[name] = field
    return form


def describe(form) -> None:
    """Names each field's hint and error in ``aria-describedby`` (ids ``<id>-hint``,
    ``<id>-error``, given by ``portal/_filters.html``); call after validation."""
    for bound in form:
        ids = [f"{bound.auto_id}-hint"] if getattr(bound.field, KIND, "") == "date" else []
        if ids:  # the date picker's first value, which it reads as ISO 8601
            value = form.cleaned_data.get(bound.name) if hasattr(form, "cleaned_data") else None
            bound.field.panel_default = value.isoformat() if value else ""
        if bound.errors:
            ids.append(f"{bound.auto_id}-error")
            bound.field.widget.attrs["aria-invalid"] = "true"
            if getattr(bound.field, KIND, "") == "input":
                bound.field.widget.attrs["class"] += " usa-input--error"
        if ids:
            bound.field.widget.attrs["aria-describedby"] = " ".join(ids)


def _shown(field: forms.Field, value: str) -> str:
    """How a raw value of the address reads in its tag."""
    if isinstance(field, forms.NullBooleanField):
        return {"true": "Yes", "false": "No"}.get(AnyYesNo.VALUES.get(value, ""), value)
    if isinstance(field, forms.DateField):
        try:
            return formats.date_format(field.to_python(value))
        except forms.ValidationError:
            return value
    if isinstance(field, forms.ModelChoiceField):
        row = field.queryset.filter(pk=value).first() if value.isdigit() else None
        return field.label_from_instance(row) if row is not None else value
    if isinstance(field, forms.ChoiceField):
        return str({str(k): v for k, v in field.choices}.get(value, value))
    return value


def active_filters(form, request) -> dict:
    """The filters of the address that the form knows, one tag per value, each with the
    address without it (and without the page number); and the address without any."""
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    multiple = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)
    single = next((name for name, field in form.fields.items() if not isinstance(field, multiple)), None)
    tags = []
    for name, field in form.fields.items():
        values = [v for v in params.getlist(name) if v.strip()]
        if isinstance(field, forms.NullBooleanField):
            values = [v for v in values if v in AnyYesNo.VALUES]
        for value in values:
            rest = params.copy()
            rest.setlist(name, [v for v in params.getlist(name) if v != value])
            if single and not any(v.strip() for key in form.fields for v in rest.getlist(key)):
                rest[single] = ""  # no filter left: say "any" (an empty address is the page's default view)
            tags.append({"label": field.label or name, "value": _shown(field, value), "remove": "?" + rest.urlencode()})
    kept = params.copy()
    for name in form.fields:
        kept.pop(name, None)
    return {"tags": tags, "clear": request.path + ("?" + kept.urlencode() if kept else "")}
