"""Tables of the list pages and their exports: one column definition serves the HTML
table, the CSV file and the Excel workbook."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone


@dataclass(frozen=True)
class Column:
    label: str
    accessor: str | Callable[[Any], Any]
    sort: str | None = None  # the field to order by when sorting on this column
    link: bool = False  # link the cell to the row's get_absolute_url()
    numeric: bool = False
    field: str | None = None  # the model field shown, for the field policy (portal.access.FIELD_POLICY)
    export_only: bool = False  # in the CSV and Excel exports, not the HTML table

    def value(self, row) -> Any:
        if callable(self.accessor):
            return self.accessor(row)
        value = row
        for part in self.accessor.split("."):
            if value is None:
                return None
            value = getattr(value, part)
            if callable(value) and not hasattr(value, "all"):
                value = value()
        return value


def display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class _Echo:
    def write(self, value):
        return value


def csv_response(columns: list[Column], rows: Iterable, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # lets Excel open UTF-8 CSV files correctly
        yield writer.writerow([c.label for c in columns])
        for row in rows:
            yield writer.writerow([_safe_cell(display(c.value(row))) for c in columns])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _safe_cell(text: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def xlsx_response(columns: list[Column], rows: Iterable, filename: str, title: str = "Export") -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([c.label for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = []
        for c in columns:
            value = c.value(row)
            if isinstance(value, dt.datetime):
                value = timezone.localtime(value).replace(tzinfo=None)
            elif value is not None and not isinstance(value, (int, float, dt.date, bool)):
                value = _safe_cell(str(value))
            values.append(value)
        sheet.append(values)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
