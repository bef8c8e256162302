"""Tables of the list pages and their exports: one column definition serves the HTML
table, the CSV file and the Excel workbook."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify


@dataclass(frozen=True)
class Column:
    label: str
    accessor: str | Callable[[Any], Any]
    sort: str | None = None  # the field to order by when sorting on this column
    link: bool = False  # link the cell to the row's get_absolute_url()
    numeric: bool = False
    field: str | None = None  # the model field shown, for the field policy (portal.access.FIELD_POLICY)
    export_only: bool = False  # in the CSV and Excel exports, not the HTML table
    key: str = (
        ""  # the column's name in a reader's saved choice (portal.TablePreference); the label, slugified, by default
    )
    default: bool = True  # shown until the reader chooses their columns (the column chooser offers the others)

    def __post_init__(self):
        if not self.key:
            object.__setattr__(self, "key", slugify(self.label) or "column")

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


def chosen_columns(offered: list[Column], keys: list[str] | None) -> list[Column]:
    """The columns a reader sees, in their order: ``keys`` is their saved choice (None:
    none saved, the default columns). Only ``offered`` columns count (the field policy has
    removed the others, whatever was saved); a linking column is always kept, first when
    the choice left it out, since it opens the row's record."""
    if keys is None:
        return [c for c in offered if c.default]
    by_key = {c.key: c for c in offered}
    chosen = [by_key[k] for k in dict.fromkeys(keys) if k in by_key]
    return [c for c in offered if c.link and c not in chosen] + chosen


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
            yield writer.writerow([safe_cell(display(c.value(row))) for c in columns])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


#: What a spreadsheet reads as the start of a formula: = + - @, the tab and carriage return
#: that some programs skip before one, and their full-width forms (＝ ＋ － ＠), which
#: Excel in East Asian locales takes as the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value):
    """A text cell of an export (CSV or Excel) that no spreadsheet runs as a formula
    (CSV injection): text starting like a formula gets a leading apostrophe, which
    spreadsheets show as text. Numbers, dates and other values pass unchanged; so does
    text that is a plain number (``-5``). Every export writer uses it."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    if not text.isascii() or text.strip() != text:
        return False
    try:
        float(text)
    except ValueError:
        return False
    return text.lower().lstrip("+-") not in ("inf", "infinity", "nan")


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
                value = safe_cell(str(value))
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
