"""Pagination of every list: ``{"count", "next", "previous", "results"}``, ``?page=`` and
``?page_size=`` (up to 1000). A page or page size that is not a whole number in range
answers 400 with a field message rather than a silent default."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import IntegerField, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

#: The attribute of a page's first row that carries the list's total (``CountingPaginator``).
TOTAL = "list_total_rows"


def _whole_number(raw: str, *, name: str, maximum: int | None = None) -> int:
    text = raw.strip()
    upper = f" to {maximum}" if maximum else ""
    message = f"A whole number from 1{upper}."
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise ValidationError({name: [message]})
    number = int(text)
    if number < 1 or (maximum is not None and number > maximum):
        raise ValidationError({name: [message]})
    return number


def _counts_inline(queryset) -> bool:
    """Whether the rows of ``queryset`` can be counted by a subquery of its own statement
    that counts exactly what ``queryset.count()`` counts: a plain list of model rows, not
    distinct, grouped, combined, sliced or of ``values()``."""
    if not isinstance(queryset, QuerySet):
        return False
    query = queryset.query
    return not (
        query.distinct
        or query.combinator
        or query.group_by is not None
        or query.is_sliced
        or query.values_select
        or query.extra
        or any(getattr(annotation, "contains_aggregate", False) for annotation in query.annotations.values())
    )


def _rows_to_count(queryset):
    """``queryset`` unordered and without its annotations, for its rows' count: the
    count selects none of them, and a filter on an annotation holds the annotation's
    own expression in the WHERE clause (not a reference to its name), so the same rows
    are counted by the same SQL. Resolving the count's subquery copies and re-resolves
    every annotation it carries: for the officers' standing (a dozen subqueries) that
    was about half the Python time of building the list's statement. Window functions
    are left as they are (a filter on one refers to it by name)."""
    queryset = queryset.order_by()
    query = queryset.query
    if not any(getattr(a, "contains_over_clause", False) for a in query.annotations.values()):
        query.annotations = {}
        query.annotation_select_mask = None
        query._annotation_select_cache = None
    return queryset


#: No list holds this many rows; a page starting beyond it is past the end of any list.
MAX_OFFSET = 2**31


class CountingPaginator(Paginator):
    """Django's paginator that reads a page and the list's total in one statement: the
    rows of the page carry ``(SELECT COUNT(*) ... the same conditions)``, which the
    database computes once for the statement. The count is exact and of the same
    snapshot as the rows; only when the page is empty is it counted on its own (to tell
    an empty list from a page past the end, which answers 404 as before)."""

    def page(self, number):
        if "count" in self.__dict__ or not _counts_inline(self.object_list):
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # Django's message for a page that is not a number
        bottom = (number - 1) * self.per_page
        if number < 1 or bottom > MAX_OFFSET:
            # Django's paginator counts first and answers a page past the end without an
            # OFFSET the database cannot hold (SQLite's and PostgreSQL's are 64-bit).
            return super().page(number)
        total = Subquery(_rows_to_count(self.object_list).values(n=RawSQL("COUNT(*)", (), output_field=IntegerField())))
        rows = list(self.object_list.annotate(**{TOTAL: total})[bottom : bottom + self.per_page])
        if rows:
            self.count = getattr(rows[0], TOTAL)
        elif number == 1:
            self.count = 0  # the same statement found no row at all
        else:
            return super().page(number)  # counts, and answers a page past the end
        return self._get_page(rows, number, self)


class ResultsPagination(PageNumberPagination):
    """Lists as ``{"count", "next", "previous", "results"}``; ``page_size`` up to 1000."""

    django_paginator_class = CountingPaginator
    page_size_query_param = "page_size"
    max_page_size = 1000
    last_page_strings = ()  # ``page=last`` is not in the schema: page numbers only

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        return _whole_number(raw, name=self.page_query_param)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return _whole_number(raw, name=self.page_size_query_param, maximum=self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["description"] = f"Number of results to return per page (1 to {self.max_page_size})."
        return parameters
