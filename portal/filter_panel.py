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
- an id filter of agencies or staff whose reader sees more than ``LONG_LIST`` of them (HQ
  sees every agency of the country) is a type-ahead instead (``TypeAheadField``): a text
  box whose suggestions come from the scoped endpoint of its source (``SUGGESTIONS``,
  ``portal.views.FilterSuggestionsView``, ``static/portal/typeahead.js``), the id
  submitted in a hidden input; without JavaScript the text box is sent as
  ``<name>_search`` and the page reads it as the one row whose name it matches
  (``resolve_typed``), else the field says which rows match;
- a date is a USWDS date picker (it submits ``YYYY-MM-DD``, as the API takes).

``active_filters`` lists the filters the address applies, each with the link that removes
it and keeps the others (``portal/_filter_tags.html``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Q, Value, When
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django_filters import fields as filter_fields

from . import access, bounds
from .models import StaffProfile
from .roles import Role

#: Longer lists than this are combo boxes; shorter ones a select or checkboxes.
SHORT_LIST = 8

#: Longer lists of agencies or staff than this are a type-ahead over their endpoint, not
#: options on the page (HQ's 5,000 agencies were 400 KB of every officers' and findings page).
LONG_LIST = 200

#: How many suggestions the type-ahead's endpoint sends (it says whether there are more).
SUGGESTED = 20

#: The text box of a type-ahead is sent as ``<name>_search`` (read without JavaScript).
SEARCH_SUFFIX = "_search"

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


@dataclass(frozen=True)
class Suggestions:
    """A source of a type-ahead: the rows the reader may choose from, the fields a typed
    text is looked for in, how a row reads, and its endpoint (a URL name)."""

    rows: Callable
    search: tuple[str, ...]
    label: Callable
    url_name: str
    noun: str

    def matching(self, request, text: str, limit: int):
        """The reader's rows whose search fields contain ``text``, those starting with it
        first, then in the source's order; at most ``limit``."""
        rows = self.rows(request)
        text = text.strip()
        if text:
            contains = Q()
            for field in self.search:
                contains |= Q(**{f"{field}__icontains": text})
            starts = Q()
            for field in self.search:
                starts |= Q(**{f"{field}__istartswith": text})
            rows = rows.filter(contains).alias(
                starts=Case(When(starts, then=Value(0)), default=Value(1), output_field=IntegerField())
            )
            rows = rows.order_by("starts", *rows.query.order_by)
        return list(rows[:limit])


#: Type-ahead sources, by the name of their endpoint's page (``filter-<name>``).
SUGGESTIONS = {
    "agencies": Suggestions(agencies, ("name",), str, "filter-agencies", "agencies"),
    "staff": Suggestions(staff, ("first_name", "last_name", "username"), _user_label, "filter-staff", "people"),
    "managers": Suggestions(
        managers, ("first_name", "last_name", "username"), _user_label, "filter-managers", "managers"
    ),
}
_SUGGESTIONS_OF = {suggestions.rows: suggestions for suggestions in SUGGESTIONS.values()}


class TypeAhead(forms.Widget):
    """A type-ahead's markup (``static/portal/typeahead.js`` makes it an ARIA combo box):
    the chosen row's id in a hidden input named after the filter, its name in a text box
    (sent as ``<name>_search``, which the page reads when there is no script), the
    suggestions' list box and the live region that says how many there are."""

    def __init__(self, field, attrs=None):
        super().__init__(attrs)
        self.field = field

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        box_id = final.pop("id", f"id_{name}")
        value = "" if value is None else str(value)
        shown = self.field.typed_text if self.field.typed_text is not None else (self.field.label_of(value) or "")
        chosen = value if self.field.label_of(value) is not None else ""
        suggestions = self.field.suggestions
        box = {
            **final,
            "type": "text",
            "id": box_id,
            "name": f"{name}{SEARCH_SUFFIX}",
            "value": shown,
            "class": f"{final.get('class', 'usa-input')} portal-typeahead__input",
            "autocomplete": "off",
            "spellcheck": "false",
        }
        return format_html(
            '<div class="portal-typeahead" data-source="{}" data-noun="{}" data-chosen-label="{}">'
            '<input type="hidden" name="{}" value="{}" class="portal-typeahead__value">'
            "<input{}>"
            '<ul class="usa-combo-box__list portal-typeahead__list" id="{}--list" role="listbox"'
            ' aria-label="Suggestions: {}" hidden></ul>'
            '<div class="usa-combo-box__status usa-sr-only portal-typeahead__status" role="status"'
            ' aria-live="polite"></div>'
            "</div>",
            reverse(suggestions.url_name),
            suggestions.noun,
            self.field.label_of(chosen) or "" if chosen else "",
            name,
            chosen,
            flatatt(box),
            box_id,
            self.field.label,
        )


class TypeAheadField(forms.IntegerField):
    """An id filter of a long list (``LONG_LIST``): the id of one of the reader's rows,
    looked up once for its name (the box and the filter's tag show it); an id outside the
    reader's rows is refused as a choice not offered is."""

    default_error_messages = {
        "invalid_choice": "Select a valid choice. %(value)s is not one of the available choices.",
    }

    def __init__(self, *, request, suggestions: Suggestions, empty: str, **kwargs):
        super().__init__(required=False, **kwargs)
        self.request = request
        self.suggestions = suggestions
        self.panel_empty = empty
        self.typed_text = None  # what the reader typed, when the page could not read it as one row
        self.typed_matches = []  # (label, address) of the rows it matches, for the reader to pick
        self._labels: dict[int, str | None] = {}
        self.widget = TypeAhead(self)

    def label_of(self, value) -> str | None:
        """The name of the reader's row ``value`` (None: not one of theirs)."""
        try:
            pk = int(str(value))
        except (TypeError, ValueError):
            return None
        if not bounds.INT64_MIN <= pk <= bounds.INT64_MAX:
            return None
        if pk not in self._labels:
            row = self.suggestions.rows(self.request).filter(pk=pk).first()
            self._labels[pk] = self.suggestions.label(row) if row is not None else None
        return self._labels[pk]

    def remember(self, row) -> None:
        self._labels[row.pk] = self.suggestions.label(row)

    def validate(self, value):
        super().validate(value)
        if self.typed_text is not None:
            if self.typed_matches:
                raise forms.ValidationError(
                    "More than one of your %(noun)s match “%(text)s”: choose one below, or type more of the name.",
                    code="ambiguous",
                    params={"noun": self.suggestions.noun, "text": self.typed_text},
                )
            raise forms.ValidationError(
                "None of your %(noun)s match “%(text)s”.",
                code="no_match",
                params={"noun": self.suggestions.noun, "text": self.typed_text},
            )
        if value is not None and self.label_of(value) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )


def _type_ahead(request, field: forms.Field, source, rows, empty: str) -> forms.Field | None:
    """A ``TypeAheadField`` for an id filter whose reader has more than ``LONG_LIST`` rows
    (read in the one query that would have listed them), else None."""
    suggestions = _SUGGESTIONS_OF.get(source)
    if suggestions is None:
        return None
    head = list(rows[: LONG_LIST + 1])
    if len(head) <= LONG_LIST:
        field.panel_rows = head  # the short list, read once
        return None
    return TypeAheadField(
        request=request,
        suggestions=suggestions,
        empty=empty,
        label=field.label,
        help_text=field.help_text,
    )


def resolve_typed(form, name: str, field: TypeAheadField, request) -> None:
    """Reads a type-ahead's text box when it was sent (``<name>_search``; a page without
    JavaScript, or text typed and not picked): emptied, the filter is dropped; the name of
    the row already chosen, the choice stays; otherwise the one row it matches (a name
    equal to it, else the only one containing it) is chosen. More than one match leaves
    the field with an error and the matches to pick from (links)."""
    key = f"{name}{SEARCH_SUFFIX}"
    if key not in form.data:
        return
    data = form.data.copy()
    text = data.pop(key)[-1].strip()
    current = data.get(name, "")
    if not text:
        data.pop(name, None)
    elif not (current and field.label_of(current) == text):
        matches = field.suggestions.matching(request, text, 11)
        same = [row for row in matches if field.suggestions.label(row).casefold() == text.casefold()]
        picked = same if len(same) == 1 else matches if len(matches) == 1 else []
        if picked:
            field.remember(picked[0])
            data[name] = str(picked[0].pk)
        else:
            data.pop(name, None)
            field.typed_text = text
            for row in matches[:10]:
                link = data.copy()
                link.pop("page", None)
                link[name] = str(row.pk)
                field.typed_matches.append((field.suggestions.label(row), "?" + link.urlencode()))
    form.data = data


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
    """The field with its choices narrowed to the reader's scope (``SOURCES``); a long
    list of agencies or staff for an id filter is a type-ahead (``LONG_LIST``)."""
    source, empty = SOURCES[name]
    rows = source(request)
    if isinstance(field, (forms.DecimalField, forms.IntegerField)) and rows is not None and not isinstance(rows, set):
        typed = _type_ahead(request, field, source, rows, empty)
        if typed is not None:
            return typed
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
        listed = getattr(field, "panel_rows", None)
        new = _choices_field(field, [(row.pk, label(row)) for row in (rows if listed is None else listed)], empty)
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
    if isinstance(field, TypeAheadField):
        field.widget.attrs = {**attrs, "class": "usa-input"}
        setattr(field, KIND, "typeahead")
    elif isinstance(field, forms.NullBooleanField):
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
        choices = [choice for choice in field.choices]  # noqa: C416 - one query for a list of rows (list() would COUNT them first), shared by the widget
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
        if isinstance(field, TypeAheadField) and form.is_bound:
            resolve_typed(form, name, field, request)
    return form


def describe(form) -> None:
    """Names each field's hint and error in ``aria-describedby`` (ids ``<id>-hint``,
    ``<id>-error``, given by ``portal/_filters.html``); call after validation."""
    for bound in form:
        kind = getattr(bound.field, KIND, "")
        ids = [f"{bound.auto_id}-hint"] if kind in ("date", "typeahead") else []
        if kind == "date":  # the date picker's first value, which it reads as ISO 8601
            value = form.cleaned_data.get(bound.name) if hasattr(form, "cleaned_data") else None
            bound.field.panel_default = value.isoformat() if value else ""
        if bound.errors:
            ids.append(f"{bound.auto_id}-error")
            bound.field.widget.attrs["aria-invalid"] = "true"
            if kind in ("input", "typeahead"):
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
    if isinstance(field, TypeAheadField):
        return field.label_of(value) or value
    if isinstance(field, forms.ModelChoiceField):
        row = field.queryset.filter(pk=value).first() if value.isdigit() else None
        return field.label_from_instance(row) if row is not None else value
    if isinstance(field, forms.ChoiceField):
        return str({str(k): v for k, v in field.choices}.get(value, value))
    return value


def active_filters(form, request) -> dict:
    """The filters of the address that the form knows, one tag per value, each with the
    address without it (and without the page number); and the address without any."""
    params = (form.data if hasattr(form.data, "getlist") else request.GET).copy()  # a typed name read as its id
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
            rest.pop(f"{name}{SEARCH_SUFFIX}", None)
            if single and not any(v.strip() for key in form.fields for v in rest.getlist(key)):
                rest[single] = ""  # no filter left: say "any" (an empty address is the page's default view)
            tags.append({"label": field.label or name, "value": _shown(field, value), "remove": "?" + rest.urlencode()})
    kept = params.copy()
    for name in form.fields:
        kept.pop(name, None)
        kept.pop(f"{name}{SEARCH_SUFFIX}", None)
    return {"tags": tags, "clear": request.path + ("?" + kept.urlencode() if kept else "")}
