"""Pagination of every list: ``{"count", "next", "previous", "results"}``, ``?page=`` and
``?page_size=`` (up to 1000). A page or page size that is not a whole number in range
answers 400 with a field message rather than a silent default."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


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


class ResultsPagination(PageNumberPagination):
    """Lists as ``{"count", "next", "previous", "results"}``; ``page_size`` up to 1000."""

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
