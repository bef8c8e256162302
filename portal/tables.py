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
from django.utils import formats, timezone
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
    shown: Callable[[Any], Any] | None = None  # the page's value, where it differs from the export's

    key: str = (
        ""  # the column's name in a reader's saved choice (portal.TablePreference); the label, slugified, by default
    )
    default: bool = True  # shown until the reader chooses their columns (the column chooser offers the others)

    def __post_init__(self):
        if not self.key:
            object.__setattr__(self, "key", slugify(self.label) or "column")

    def page_value(self, row) -> Any:
        """The cell's value on the page (``shown``, else the export's value)."""
        return self.shown(row) if self.shown is not None else self.value(row)

    def value(self, row) -> Any:
        if callable(self.accessor):
            return self.accessor(row)
        value = row
        for part in self.accessor.split("."):
            if value is None:
                return None
            value = value.get(part) if isinstance(value, dict) else getattr(value, part)
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
    """A cell's text on a page: dates and times in the portal's one format
    (``settings.DATE_FORMAT`` / ``DATETIME_FORMAT``, America/New_York)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def export_text(value) -> str:
    """A cell's text in a CSV export: dates and times in ISO 8601 (date-times in
    America/New_York, with their UTC offset), whatever the pages show."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


#: Excel number formats of date and date-time cells: ISO 8601 (the cell stays a date
#: Excel sorts and computes with; a date-time is America/New_York, as Excel holds no zone).
XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_DATETIME_FORMAT = 'yyyy-mm-dd"T"hh:mm:ss'


class _Echo:
    def write(self, value):
        return value


def csv_response(columns: list[Column], rows: Iterable, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # lets Excel open UTF-8 CSV files correctly
        yield writer.writerow([c.label for c in columns])
        for row in rows:
            yield writer.writerow([safe_cell(export_text(c.value(row))) for c in columns])

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


def xlsx_cell(sheet, value):
    """A value as an Excel cell of ``sheet``: numbers and booleans as such, dates and
    date-times as date cells shown in ISO 8601, text neutralised (``safe_cell``)."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    if value is not None and not isinstance(value, (int, float, bool)):
        return safe_cell(str(value))
    return value


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
        sheet.append([xlsx_cell(sheet, c.value(row)) for c in columns])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# --- table pages ------------------------------------------------------------------------

#: The export formats of every table page (``?export=csv`` / ``?export=xlsx``), with the
#: one label each has on every page.
EXPORT_LABELS = {"csv": "Export CSV", "xlsx": "Export Excel"}


def visible_columns(columns: list[Column], user, model=None, *, export: bool = False) -> list[Column]:
    """The columns ``user`` may see (the field policy, ``portal.access.fields_seen``,
    drops those of ``model``'s fields they do not see), with the export-only columns in
    exports."""
    from . import access

    seen = access.fields_seen(user, model) if model is not None else None
    return [
        c for c in columns if (c.field is None or seen is None or c.field in seen) and (export or not c.export_only)
    ]


def export_links(request, formats=tuple(EXPORT_LABELS)) -> list[dict[str, str]]:
    """The page's export links: its own query (filters, sort) and the format."""
    params = request.GET.copy()
    params.pop("page", None)
    links = []
    for fmt in formats:
        label = EXPORT_LABELS[fmt]
        params["export"] = fmt
        links.append({"format": fmt, "label": label, "href": "?" + params.urlencode()})
    return links


class Table:
    """The table of a page that is not a ``ScopedListView`` (computed rows, several
    sections): its columns, declared once, and its rows, in the page's order, after the
    page's filters. The page shows one page of the rows (``page``), its exports all of
    them with the same columns (``export``), for those the access policy grants the
    ``export`` action of ``target``.

    In a view::

        table = Table(COLUMNS, rows, target="staffing.figures", name="manager-load", title="Manager load")
        if (response := table.export(request)) is not None:
            return response
        context.update(table.page(request))  # page_obj, table_rows, export_links, querystring
    """

    per_page = 50

    def __init__(self, columns, rows, *, target, name: str, title: str, model=None, per_page: int | None = None):
        self.columns = list(columns)
        self.rows = rows
        self.target = target
        self.name = name
        self.title = title
        self.model = model
        if per_page is not None:
            self.per_page = per_page

    def export(self, request) -> HttpResponse | None:
        """The export the request asks for (``?export=csv`` or ``xlsx``), or None."""
        from . import access

        fmt = request.GET.get("export")
        if fmt not in EXPORT_LABELS:
            return None
        access.require(request.user, "export", self.target)
        columns = visible_columns(self.columns, request.user, self.model, export=True)
        if fmt == "csv":
            return csv_response(columns, self.rows, self.name)
        return xlsx_response(columns, self.rows, self.name, self.title)

    def page(self, request) -> dict[str, Any]:
        """The template's context: the page of rows shown (``table_rows``, ``page_obj``,
        ``paginator``), the query without the page (``querystring``, for the
        pagination) and the export links."""
        from django.core.paginator import Paginator

        paginator = Paginator(self.rows, self.per_page)
        page_obj = paginator.get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        params.pop("export", None)
        return {
            "table_rows": page_obj.object_list,
            "page_obj": page_obj,
            "paginator": paginator,
            "querystring": params.urlencode(),
            "export_links": export_links(request),
        }
