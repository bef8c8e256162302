"""The API's filter backends, shared by every viewset (``DEFAULT_FILTER_BACKENDS``).

- ``BoundedFilterBackend``: the viewset's FilterSet, with every numeric filter and every
  filter by a record's id bounded to what the database can hold (a signed 64-bit integer)
  and, where the filter stands for an integer column, refused unless it is a whole number.
  A value out of range answers 400 with a field message, never a database error.
- ``PortalSearchFilter``: ``?search=`` on the lists that name ``search_fields``, and on
  the lists whose FilterSet has a ``q`` filter (agencies, agreements, officers), where
  ``search`` is an alias of ``q``. Lists with neither do not declare ``search``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django_filters import filters as django_filters
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import get_model_field
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

from portal import bounds

SEARCH_ALIAS = "q"


def _whole_numbers_only(filter_, model) -> bool:
    """Whether the filter takes whole numbers only: every numeric filter does (ids,
    counts, years, step numbers) but one on a decimal or floating-point column."""
    if filter_.method is not None or model is None:
        return True
    field = get_model_field(model, filter_.field_name)
    return not isinstance(field, (models.DecimalField, models.FloatField))


def _bound_number(field: forms.Field, *, integral: bool) -> None:
    """Adds the 64-bit bound (unless the filter names narrower bounds) and the
    whole-number rule to a numeric form field of a FilterSet."""
    own_bounds = (
        field.min_value is not None
        and field.max_value is not None
        and bounds.INT64_MIN <= field.min_value
        and field.max_value <= bounds.INT64_MAX
    )

    def check(value):
        if value is None:
            return
        if integral and isinstance(value, Decimal) and value != value.to_integral_value():
            raise ValidationError("Enter a whole number.", code="integral")
        if not own_bounds and not bounds.INT64_MIN <= value <= bounds.INT64_MAX:
            raise ValidationError(bounds.INT64_MESSAGE, code="max_value")

    field.validators.append(check)


def _bound_model_choice(field: forms.ModelChoiceField) -> None:
    """Refuses, before the database is asked, an id that no row can have."""
    original_clean = field.clean

    def clean(value):
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if item in (None, "") or isinstance(item, models.Model):
                continue
            try:
                number = Decimal(str(item).strip())
            except InvalidOperation:
                number = None
            if (
                number is None
                or not number.is_finite()
                or number != number.to_integral_value()
                or not bounds.INT64_MIN <= number <= bounds.INT64_MAX
            ):
                raise ValidationError(
                    field.error_messages["invalid_choice"]
                    if "invalid_choice" in field.error_messages
                    else "Select a valid choice.",
                    code="invalid_choice",
                    params={"value": item},
                )
        return original_clean(value)

    field.clean = clean


BOOLEAN_VALUES = {"true": True, "false": False, "True": True, "False": False, "1": True, "0": False}


def raw_value_errors(filterset, query_params) -> dict[str, list[str]]:
    """Messages for query values the FilterSet's form would silently take as "no filter":
    an empty value of a typed filter (``?agency=``, ``?kind=``) and a boolean that is
    neither true nor false (``?active=maybe``). The list pages' forms send empty values
    for filters left blank; an API client leaves the parameter out."""
    errors = {}
    for name, field in filterset.form.fields.items():
        if name not in query_params or type(field) is forms.CharField:
            continue
        values = query_params.getlist(name)
        if isinstance(field, forms.NullBooleanField):
            if any(value not in BOOLEAN_VALUES for value in values):
                errors[name] = ["Give true or false."]
        elif any(value.strip() == "" for value in values):
            errors[name] = ["Give a value, or leave the parameter out."]
    return errors


def bound_filterset(filterset) -> None:
    """Bounds the numeric and id filters of a FilterSet instance (its form fields)."""
    model = filterset._meta.model
    form = filterset.form
    for name, filter_ in filterset.filters.items():
        field = form.fields.get(name)
        if field is None:
            continue
        if isinstance(field, forms.ModelChoiceField):
            pk = field.queryset.model._meta.pk
            if field.to_field_name is None and isinstance(pk, (models.IntegerField, models.AutoField)):
                _bound_model_choice(field)
        elif isinstance(field, (forms.DecimalField, forms.IntegerField, forms.FloatField)):
            try:
                integral = isinstance(field, forms.IntegerField) or _whole_numbers_only(filter_, model)
            except FieldDoesNotExist:
                integral = False
            _bound_number(field, integral=integral)


def asks_to_filter(view, query_params) -> bool:
    """Whether a query parameter names one of the view's filters (``name``, or a part of
    one such as ``name_min``, ``name_after``, ``name__lookup``) or the search alias.

    Without one, the FilterSet changes nothing: each filter leaves the rows as they are
    when its value is absent, and an empty or malformed value is a parameter, so it is
    still refused. Building the FilterSet and its form for nothing cost about 3.5 ms of
    every unfiltered list (in process, national scale, under load)."""
    if not query_params:
        return False
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None:
        names = list(filterset_class.base_filters)
    else:
        fields = getattr(view, "filterset_fields", None) or ()
        names = list(fields)
    if not names:
        return False
    if PortalSearchFilter.search_param in query_params and SEARCH_ALIAS in names:
        return True
    return any(key == name or key.startswith(f"{name}_") for key in query_params for name in names)


class BoundedFilterBackend(DjangoFilterBackend):
    """The FilterSet of the viewset, bounded (see the module's docstring)."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        search = request.query_params.get(PortalSearchFilter.search_param)
        if (
            search is not None
            and not getattr(view, "search_fields", None)
            and filterset_class is not None
            and SEARCH_ALIAS in filterset_class.base_filters
            and not request.query_params.get(SEARCH_ALIAS)
        ):
            data = request.query_params.copy()
            data[SEARCH_ALIAS] = search
            kwargs["data"] = data
        return kwargs

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            bound_filterset(filterset)
        return filterset

    def filter_queryset(self, request, queryset, view):
        if not asks_to_filter(view, request.query_params):
            return queryset  # every filter of the FilterSet would leave the rows as they are
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors = raw_value_errors(filterset, request.query_params)
        if not filterset.is_valid():
            errors = {**{name: list(messages) for name, messages in filterset.errors.items()}, **errors}
        if errors:
            raise DRFValidationError(errors)
        return filterset.qs


def has_search_alias(view) -> bool:
    filterset_class = getattr(view, "filterset_class", None)
    return filterset_class is not None and isinstance(
        filterset_class.base_filters.get(SEARCH_ALIAS), django_filters.CharFilter
    )


class PortalSearchFilter(SearchFilter):
    """``?search=``: declared only where it works (see the module's docstring)."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except DRFValidationError as exc:  # e.g. a null character: a message on the parameter
            raise DRFValidationError({self.search_param: exc.detail}) from None

    def get_schema_operation_parameters(self, view):
        if getattr(view, "search_fields", None):
            return super().get_schema_operation_parameters(view)
        if has_search_alias(view):
            parameters = super().get_schema_operation_parameters(view)
            for parameter in parameters:
                parameter["description"] = f"A search term (the same as `{SEARCH_ALIAS}`)."
            return parameters
        return []


class StableOrderingFilter(OrderingFilter):
    """DRF's ``?ordering=`` with the primary key as the last key of every order: rows that
    tie on the asked-for columns (findings opened by one sweep share ``first_seen_at`` to
    the microsecond) come in the same order on every request, so that paging through a
    list neither repeats nor skips a row."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        keys = [key for key in ordering if isinstance(key, str)]
        if any(key.lstrip("-") in ("pk", "id", "?") for key in keys):
            return ordering
        return [*ordering, "pk"]
