"""Import of ICE's published 287(g) agency lists ("Participating Agencies" and "Pending
Agencies"), as ICE publishes them: Excel workbooks (or CSV exports of them) that are not
clean. Each file is read in two steps:

1. ``read_ice_file`` reads and cleans the rows, decides which list the file is from its
   header (never its name), and sorts the rows into usable, flagged and rejected ones;
2. ``plan_ice_import`` compares the rows with the portal's agencies and agreements and
   counts what applying them would do; ``apply_ice_import`` writes that, set-based and
   audited, in one transaction.

A value that cannot be trusted is never guessed: an unreadable or impossible signing date
leaves the agreement's date empty, keeps the raw value and flags it for HQ; a row that
cannot be placed (no agency name, an unknown state or territory, an unknown 287(g) model)
is rejected with its spreadsheet row number.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from portal import dates, uploads
from portal.audit import Channel
from portal.audit import context as audit_context
from portal.tables import display

from .choices import ENDED_STATUSES, PENDING_STATUSES, AgencyType, AgreementStatus, IceEdition, ProgramModel
from .geo import state_code
from .models import Agency, Agreement, agency_match_key

#: Header names as ICE has written them, normalised (upper case, single spaces).
HEADER_ALIASES = {
    "state": {"STATE", "STATE/TERRITORY", "STATE OR TERRITORY"},
    "agency": {"LAW ENFORCEMENT AGENCY", "AGENCY", "AGENCY NAME", "LEA", "LAW ENFORCEMENT AGENCY NAME"},
    "type": {"TYPE", "AGENCY TYPE"},
    "county": {"COUNTY", "COUNTY/PARISH", "PARISH"},
    "model": {"SUPPORT TYPE", "287(G) MODEL", "MODEL", "PROGRAM MODEL", "SUPPORT"},
    "signed": {"SIGNED", "DATE SIGNED", "SIGNED DATE", "SIGNED ON", "MOA SIGNED", "SIGNATURE DATE"},
    "moa": {"MOA", "MOA LINK"},
    "addendum": {"ADDENDUM", "ADDENDUM LINK", "ADDENDA"},
}
REQUIRED_COLUMNS = ("state", "agency", "model")

#: Excel error text and placeholders that mean "no value".
EMPTY_MARKERS = {"#N/A", "#NA", "N/A", "NA", "#N/A N/A", "#REF!", "#VALUE!", "#NAME?", "#NULL!", "#DIV/0!", "-", "--"}

MODELS = {
    "jail enforcement model": ProgramModel.JAIL_ENFORCEMENT,
    "jail enforcement": ProgramModel.JAIL_ENFORCEMENT,
    "jem": ProgramModel.JAIL_ENFORCEMENT,
    "task force model": ProgramModel.TASK_FORCE,
    "task force": ProgramModel.TASK_FORCE,
    "tfm": ProgramModel.TASK_FORCE,
    "warrant service officer": ProgramModel.WARRANT_SERVICE,
    "warrant service officer model": ProgramModel.WARRANT_SERVICE,
    "warrant service officers": ProgramModel.WARRANT_SERVICE,
    "wso": ProgramModel.WARRANT_SERVICE,
}
AGENCY_TYPES = {
    "county": AgencyType.COUNTY,
    "municipality": AgencyType.MUNICIPALITY,
    "municipal": AgencyType.MUNICIPALITY,
    "city": AgencyType.MUNICIPALITY,
    "state agency": AgencyType.STATE_AGENCY,
    "state": AgencyType.STATE_AGENCY,
}

#: The earliest plausible signing date (the program began in 1996; 1990 leaves margin).
EARLIEST_SIGNING = dt.date(1990, 1, 1)
DATE_TEXT_FORMATS = (
    "%m/%d/%Y",
    "%Y-%m-%d",
    "%m-%d-%Y",
    "%m/%d/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%B %d, %Y",
    "%b %d, %Y",
)

#: What each kind of cleaning means, for the report.
CLEANING_LABELS = {
    "spaces": "Spaces trimmed or collapsed, line breaks removed",
    "apostrophes": "Curly apostrophes made straight",
    "excel_errors": "Excel error text (#N/A, #NA, N/A) treated as empty",
    "redirects_unwrapped": "Document links unwrapped from mail-filter redirects",
    "archive_unwrapped": "Document links unwrapped from web-archive addresses",
    "extension_prefixes": "Browser-extension prefixes removed from document links",
    "single_slash": "Document links with a single slash after https: repaired",
    "unusable_links": "Document links that were not web addresses, left empty",
    "dates_from_text": "Signing dates typed as readable text",
    "duplicate_rows": "Rows repeating an earlier row exactly, skipped",
    "blank_rows": "Blank padding rows skipped",
    "unknown_columns": "Columns not used by the import, ignored",
}


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused while an edition is read, planned and
    stored. Those steps build tens of thousands of small objects (rows, cleaned values,
    the portal's records as tuples) that live until the edition is saved, and no reference
    cycle that must be freed early; with the collector on, they set off one or two full
    collections of the worker's whole heap per import (measured: 3 of 7 previews, 120 to
    430 ms each on the shared benchmark machine). Objects freed before it resumes are
    never traversed; the previous state is restored (nested or concurrent uses leave it
    enabled as they found it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class IceFileError(ValidationError):
    """The file cannot be read as one of ICE's lists at all."""


@dataclass
class ReadResult:
    """A file of ICE's list, read and cleaned."""

    file_name: str
    edition: str
    rows: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    flagged: list[dict] = field(default_factory=list)
    cleanings: Counter = field(default_factory=Counter)
    rows_read: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    #: The columns of ICE's list the file has (state, agency, type, county, model, signed, moa, addendum).
    columns: list[str] = field(default_factory=list)


# --- cleaning ---------------------------------------------------------------------------------


def clean_text(value, cleanings: Counter) -> str:
    """A cell as text: trimmed, spaces collapsed, line breaks and Excel error text removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = str(value)
    text = " ".join(raw.replace("\u00a0", " ").split())
    if text != raw:
        cleanings["spaces"] += 1
    if text.upper() in EMPTY_MARKERS:
        cleanings["excel_errors"] += 1
        return ""
    return text


_APOSTROPHES = re.compile("[\u2018\u2019\u02bc`\u00b4]")


def clean_name(value, cleanings: Counter) -> str:
    text = clean_text(value, cleanings)
    straight = _APOSTROPHES.sub("'", text)
    if straight != text:
        cleanings["apostrophes"] += 1
    return straight


_URL = URLValidator(schemes=["http", "https"])
_EXTENSION = re.compile(r"^(chrome|moz|ms-browser|edge)-extension://", re.I)
_SCHEME_INSIDE = re.compile(r"https?:/", re.I)
_ARCHIVED = re.compile(r"^https?://(?:web\.)?archive\.org/web/\d+[a-z_]*/(https?:/.+)$", re.I)
_HTTP = re.compile(r"^https?:/", re.I)
_SINGLE_SLASH = re.compile(r"^(https?):/+(?=[^/])", re.I)
_TWO_SLASHES = re.compile(r"^https?://[^/]", re.I)
#: A plain address of a document on ice.gov (no query, fragment or brackets), as most of
#: ICE's links are: nothing wraps it (``_unwrap_once`` gives None), it needs no repair and
#: ``_URL`` accepts it (scheme http(s), host www.ice.gov or ice.gov, a path without
#: spaces, at most 2,048 characters); ``clean_url`` skips those steps for it.
_PLAIN_ICE_URL = re.compile(r"https?://(?:www\.)?ice\.gov/[^\s?#\[\]]*")


def _plain_ice_url(text: str) -> bool:
    return len(text) <= 2048 and _PLAIN_ICE_URL.fullmatch(text) is not None


def _unwrap_once(url: str, cleanings: Counter) -> str | None:
    """The address inside a redirect wrapper or behind a prefix, or None when ``url`` is
    not wrapped."""
    # Browser-extension viewers put the real address after their own: chrome-extension://id/https://...
    if _EXTENSION.match(url):
        inner = _SCHEME_INSIDE.search(url[url.index("://") + 3 :])
        if inner:
            cleanings["extension_prefixes"] += 1
            rest = url[url.index("://") + 3 + inner.start() :]
            return unquote(rest) if "%3A" in rest[:12].upper() else rest
    # A public web archive's copy: https://web.archive.org/web/20210113002027/https://www.ice.gov/...
    archived = _ARCHIVED.match(url)
    if archived:
        cleanings["archive_unwrapped"] += 1
        return archived.group(1)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    query = parse_qs(parts.query)
    # Proofpoint URL Defense v3: https://urldefense.com/v3/__https://real.address__;!!...
    if "urldefense" in host and "/v3/__" in url:
        inner = url.split("/v3/__", 1)[1].split("__;", 1)[0]
        cleanings["redirects_unwrapped"] += 1
        return inner
    # Proofpoint URL Defense v2: ?u=https-3A__www.ice.gov_doclib... (- escapes, _ for /)
    if "urldefense" in host and "u" in query:
        encoded = query["u"][0].replace("_", "/")
        cleanings["redirects_unwrapped"] += 1
        return re.sub(r"-([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), encoded)
    # Outlook Safe Links and other mail filters: ?url=<escaped address> (or u=, target=).
    for key in ("url", "u", "target", "q"):
        if key in query and _HTTP.match(query[key][0]) and host not in ("www.ice.gov", "ice.gov"):
            cleanings["redirects_unwrapped"] += 1
            return query[key][0]
    return None


def clean_url(value, cleanings: Counter) -> str:
    """A document link as ICE meant it: unwrapped from redirects and extension prefixes,
    a single slash after ``https:`` repaired; empty when it is not a web address."""
    text = (value or "").strip()
    if not text or text.lower() in ("link", "link pending", "pending"):
        return ""
    for _ in range(4):  # wrappers can be nested
        if _plain_ice_url(text):
            return text[:500]
        inner = _unwrap_once(text, cleanings)
        if inner is None:
            break
        text = inner.strip()
    if _plain_ice_url(text):
        return text[:500]
    repaired = _SINGLE_SLASH.sub(r"\1://", text)
    if repaired != text:
        if not _TWO_SLASHES.match(text):
            cleanings["single_slash"] += 1
        text = repaired
    try:
        _URL(text)
    except ValidationError:
        cleanings["unusable_links"] += 1
        return ""
    return text[:500]


def _plausible(day: dt.date, today: dt.date) -> str:
    if day.year < EARLIEST_SIGNING.year:
        return f"a year ({day.year}) before the program existed"
    if day.year > today.year + 1:
        return f"an impossible year ({day.year})"
    if day > today:
        return "a date in the future"
    return ""


def clean_signed(value, today: dt.date, cleanings: Counter) -> tuple[dt.date | None, str, str]:
    """(date, raw value, problem). A date ICE typed as readable text is accepted; text
    that does not read as one date, or an impossible date, is a problem: no date, the raw
    value kept."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "", ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        problem = _plausible(value, today)
        return (None, value.isoformat(), problem) if problem else (value, "", "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            day = from_excel(value)
            day = day.date() if isinstance(day, dt.datetime) else day
        except (ValueError, OverflowError, TypeError):
            return None, str(value), "a number that is not an Excel date"
        problem = _plausible(day, today)
        return (None, str(value), problem) if problem else (day, "", "")
    text = " ".join(str(value).split())
    if text.upper() in EMPTY_MARKERS:
        cleanings["excel_errors"] += 1
        return None, "", ""
    for fmt in DATE_TEXT_FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        problem = _plausible(day, today)
        if problem:
            return None, text, problem
        cleanings["dates_from_text"] += 1
        return day, "", ""
    return None, text, "text that does not read as one date"


# --- reading ------------------------------------------------------------------------------------


def _header_key(value) -> str:
    return " ".join(str(value or "").replace("\u00a0", " ").split()).upper()


def _map_header(cells: list) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, value in enumerate(cells):
        key = _header_key(value)
        for name, aliases in HEADER_ALIASES.items():
            if key in aliases and name not in mapping:
                mapping[name] = index
    return mapping


class _FullLoadNeeded(Exception):
    """The worksheet has parts that change its cells in openpyxl's full load and that the
    read-only reading does not reproduce (merged cells, comments, hyperlinks over ranges)."""


def _unreadable(exc: Exception) -> IceFileError:
    return IceFileError({"file": [f"This file cannot be read as an Excel workbook ({type(exc).__name__})."]})


def _cells_of_xlsx(content: bytes):
    """Rows of the first worksheet as (values, links): the cells' values in column order
    and {column index: hyperlink target} (None for a row without links), exactly as
    openpyxl's full load gives them (every row from the first to the last cell, a link
    bound to its cell, an empty linked cell showing its link).

    A full load builds a styled cell object for every cell and finds each link's relation
    by a linear search (several times openpyxl's read-only read); the read-only load still
    reads every sheet's relations with openpyxl's descriptors and discards them. This
    reads the parts the rows need with openpyxl's own readers (content types, shared
    strings, workbook, styles for the date formats, the worksheet parser) and the first
    sheet's links from its ``<hyperlinks>`` and relations with the standard library's
    parser. A sheet with parts that change its cells in a full load (merged cells,
    comments, links over ranges) is loaded in full."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    try:  # before openpyxl decompresses anything: a small file may hold gigabytes
        uploads.check_zip_content(content)
    except ValidationError as exc:
        raise IceFileError({"file": exc.messages}) from None
    try:
        # load_workbook(read_only=True, data_only=True) up to its worksheets
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [
            rel.target
            for _sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise _unreadable(exc) from exc
    try:
        path = sheets[0]  # IndexError, unexplained, as a workbook without a worksheet always gave
        try:
            rows = _read_only_rows(reader, path)
        except _FullLoadNeeded:
            rows = None
        except Exception as exc:  # what the full load would have raised reading the sheet
            raise _unreadable(exc) from exc
    finally:
        reader.archive.close()
    return iter(rows if rows is not None else _fully_loaded_rows(content))


def _sheet_relations(archive, sheet_path: str) -> dict[str, str]:
    """Relation id -> target of a worksheet's relations, as openpyxl's ``get_dependents``
    resolves them (external targets as written, internal ones made absolute), read with
    the standard library's parser instead of openpyxl's descriptors."""
    import posixpath

    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.xml.constants import COMMENTS_NS, PKG_REL_NS
    from openpyxl.xml.functions import fromstring

    rels_path = get_rels_path(sheet_path)
    if rels_path not in archive.namelist():
        return {}
    parent = posixpath.split(posixpath.dirname(rels_path))[0]
    targets: dict[str, str] = {}
    for element in fromstring(archive.read(rels_path)):
        attrs = element.attrib
        target, kind = attrs.get("Target"), attrs.get("Type")
        if element.tag != f"{{{PKG_REL_NS}}}Relationship" or target is None or kind is None:
            raise _FullLoadNeeded  # openpyxl drops all the relations: its full load decides
        if kind == COMMENTS_NS:
            raise _FullLoadNeeded  # a comment creates its cell
        if attrs.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(parent, target))
        targets.setdefault(attrs.get("Id"), target)  # openpyxl takes the first relation of an id
    return targets


_COORDINATE = re.compile(r"([A-Z]{1,3})([0-9]+)")
_COLUMNS: dict[str, int] = {}


def _cell_values(parser, row) -> list[tuple[int, int, object]]:
    """(row, column, value) of each cell of a ``<row>``, as openpyxl's
    ``WorkSheetParser.parse_row`` and ``parse_cell`` read them with ``data_only`` (its
    code, without the row dimensions, the cell dicts and the data types the import does
    not use; a plain coordinate such as ``AB12`` is split without openpyxl's per-character
    loop)."""
    from warnings import warn

    from openpyxl.cell.text import Text
    from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
    from openpyxl.utils.datetime import from_excel, from_ISO8601
    from openpyxl.worksheet._reader import INLINE_STRING, VALUE_TAG, _cast_number

    number = row.get("r")
    if number is not None:
        try:
            parser.row_counter = int(number)
        except ValueError:
            val = float(number)
            if val.is_integer():
                parser.row_counter = int(val)
            else:
                raise ValueError(f"{number} is not a valid row number") from None
    else:
        parser.row_counter += 1
    parser.col_counter = 0
    cells = []
    date_formats, timedelta_formats = parser.date_formats, parser.timedelta_formats
    for element in row:
        data_type = element.get("t", "n")
        coordinate = element.get("r")
        style_id = element.get("s", 0)
        if style_id:
            style_id = int(style_id)
        value = None if data_type == "inlineStr" else element.findtext(VALUE_TAG, None) or None
        if coordinate:
            plain = _COORDINATE.fullmatch(coordinate)
            if plain is not None:
                letters = plain.group(1)
                column = _COLUMNS.get(letters) or _COLUMNS.setdefault(letters, column_index_from_string(letters))
                cell_row = int(plain.group(2))
            else:
                cell_row, column = coordinate_to_tuple(coordinate)
            parser.col_counter = column
        else:
            parser.col_counter += 1
            cell_row, column = parser.row_counter, parser.col_counter
        if value is not None:
            if data_type == "n":
                value = _cast_number(value)
                if style_id in date_formats:
                    try:
                        value = from_excel(value, parser.epoch, timedelta=style_id in timedelta_formats)
                    except (OverflowError, ValueError):
                        warn(
                            f"Cell {coordinate} is marked as a date but the serial value {value} is outside the "
                            "limits for dates. The cell will be treated as an error.",
                            stacklevel=2,
                        )
                        value = "#VALUE!"
            elif data_type == "s":
                value = parser.shared_strings[int(value)]
            elif data_type == "b":
                value = bool(int(value))
            elif data_type == "d":
                value = from_ISO8601(value)
        elif data_type == "inlineStr":
            child = element.find(INLINE_STRING)
            if child is not None:
                value = Text.from_tree(child).content
        cells.append((cell_row, column, value))
    return cells


def _read_only_rows(reader, path: str) -> list[tuple[list, dict | None]]:
    from openpyxl.cell import Cell
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import HYPERLINK_TAG, MERGE_TAG, ROW_TAG, WorkSheetParser
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.xml.constants import REL_NS
    from openpyxl.xml.functions import iterparse

    class SheetParser(WorkSheetParser):
        """openpyxl's worksheet parser reading only the rows (``_cell_values``: the
        values its ``parse_cell`` gives), the hyperlinks (as attribute dicts) and whether
        there are merged cells."""

        links: list[dict] = []
        merged = False

        def parse(self):
            for _event, element in iterparse(self.source):
                tag = element.tag
                if tag == ROW_TAG:
                    row = _cell_values(self, element)
                    element.clear()
                    yield row
                elif tag == HYPERLINK_TAG:
                    self.links = [dict(link.attrib) for link in element]
                    element.clear()
                elif tag == MERGE_TAG:
                    self.merged = True
                    element.clear()

    archive, workbook = reader.archive, reader.wb
    relations = _sheet_relations(archive, path)
    # row number -> the values of its cells by column (the full load's cells; the later
    # of two cells of one coordinate wins). Rows without a cell are no rows.
    by_row: dict[int, list] = {}
    with archive.open(path) as source:
        parser = SheetParser(
            source,
            reader.shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for cells in parser.parse():
            for row, column, value in cells:
                values = by_row.get(row)
                if values is None:
                    values = by_row[row] = []
                if column > len(values):
                    values.extend([None] * (column - len(values)))
                values[column - 1] = value
    if parser.merged:
        raise _FullLoadNeeded  # merged cells empty their range and may add cells
    links: dict[int, dict[int, str | None]] = {}
    relation_id = f"{{{REL_NS}}}id"
    for attrs in parser.links:
        ref = attrs.get("ref")
        if ref is None or ":" in ref:
            raise _FullLoadNeeded  # a link over a range of cells
        column, row, _max_col, _max_row = range_boundaries(ref)
        if not (column and row and 0 < row < 1048577):
            raise _FullLoadNeeded
        link_id = attrs.get(relation_id, attrs.get("id"))
        target = relations[link_id] if link_id else attrs.get("target")  # KeyError, as openpyxl's
        values = by_row.setdefault(row, [])  # openpyxl creates the linked cell
        if column > len(values):
            values.extend([None] * (column - len(values)))
        if values[column - 1] is None:  # an empty cell shows its link's target (or location)
            cell = Cell(None, row=row, column=column)
            cell.hyperlink = Hyperlink(ref=ref, location=attrs.get("location"), target=target)
            values[column - 1] = cell.value
        links.setdefault(row, {})[column - 1] = target
    if not by_row:
        return []
    return [(by_row.get(number, []), links.get(number)) for number in range(1, max(by_row) + 1)]


def _fully_loaded_rows(content: bytes):
    """The rows of openpyxl's full load, for the sheets ``_read_only_rows`` does not read."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise _unreadable(exc) from exc
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows():
        links = {i: cell.hyperlink.target for i, cell in enumerate(row) if getattr(cell, "hyperlink", None)}
        yield [cell.value for cell in row], links or None


def _cells_of_csv(content: bytes):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise IceFileError({"file": ["This CSV file's text encoding cannot be read."]})
    for row in csv.reader(io.StringIO(text)):
        yield row, None


class _Memo:
    """A cleaning function of one cell value, computed once per distinct value: what it
    counts in ``cleanings`` is counted again on every cell that repeats the value."""

    def __init__(self, function, cleanings: Counter):
        self.function, self.cleanings = function, cleanings
        self.results: dict = {}
        self.counts: dict = {}  # only the values whose cleaning counts something

    def __call__(self, value):
        # 1, 1.0 and True are equal keys but not equal cells: only text is its own key
        key = value if value.__class__ is str else (value.__class__, value)
        try:
            result = self.results[key]
        except KeyError:
            counts: Counter = Counter()
            result = self.results[key] = self.function(value, counts)
            if counts:
                self.counts[key] = tuple(counts.items())
        counted = self.counts.get(key)
        if counted:
            for name, n in counted:
                self.cleanings[name] += n
        return result


def read_ice_file(content: bytes, file_name: str, *, today: dt.date | None = None) -> ReadResult:
    """Read one file of ICE's lists (.xlsx or .csv) and clean its rows."""
    today = today or dates.today()
    is_csv = file_name.lower().endswith(".csv") or not content[:2] == b"PK"
    rows = _cells_of_csv(content) if is_csv else _cells_of_xlsx(content)
    mapping: dict[str, int] = {}
    header_cells: list = []
    header_row = 0
    for number, (values, _links) in enumerate(rows, start=1):
        candidate = _map_header(values)
        if all(name in candidate for name in REQUIRED_COLUMNS):
            mapping, header_cells, header_row = candidate, values, number
            break
        if number >= 20:
            break
    if not mapping:
        raise IceFileError(
            {
                "file": [
                    "No header row of ICE's list was found (it needs the columns STATE, LAW ENFORCEMENT AGENCY and SUPPORT TYPE)."
                ]
            }
        )
    edition = IceEdition.PARTICIPATING if "signed" in mapping else IceEdition.PENDING
    result = ReadResult(file_name=file_name, edition=edition, columns=sorted(mapping))
    used = set(mapping.values())
    result.ignored_columns = [
        _header_key(value) for index, value in enumerate(header_cells) if index not in used and _header_key(value)
    ]
    if result.ignored_columns:
        result.cleanings["unknown_columns"] += len(result.ignored_columns)

    seen: dict[tuple, dict] = {}
    cleanings = result.cleanings
    # ICE's columns repeat the same few values (states, models, types, counties, agencies
    # with several agreements): each distinct value is cleaned once.
    text, name_of = _Memo(clean_text, cleanings), _Memo(clean_name, cleanings)
    signed_of = _Memo(lambda value, counts: clean_signed(value, today, counts), cleanings)
    states: dict[str, str | None] = {}
    models: dict[str, str | None] = {}
    match_keys: dict[str, str] = {}
    index_of = {name: mapping.get(name) for name in HEADER_ALIASES}
    state_at, agency_at, model_at = index_of["state"], index_of["agency"], index_of["model"]
    county_at, type_at, signed_at = index_of["county"], index_of["type"], index_of["signed"]
    moa_at, addendum_at = index_of["moa"], index_of["addendum"]
    participating = edition == IceEdition.PARTICIPATING
    for number, (values, links) in enumerate(rows, start=header_row + 1):
        width = len(values)

        def value(index, values=values, width=width):
            return None if index is None or index >= width else values[index]

        if all(v is None or not str(v).strip() for v in values):
            cleanings["blank_rows"] += 1
            continue
        result.rows_read += 1
        raw_state = text(value(state_at))
        name = name_of(value(agency_at))
        raw_model = text(value(model_at))
        county = name_of(value(county_at))
        raw_type = text(value(type_at))
        state = states[raw_state] if raw_state in states else states.setdefault(raw_state, state_code(raw_state))
        if raw_model in models:
            model = models[raw_model]
        else:
            model = models.setdefault(raw_model, MODELS.get(raw_model.lower().rstrip(".")))
        problems = []
        if not name:
            problems.append("no agency name")
        if not state:
            problems.append(f"unknown state or territory {raw_state!r}" if raw_state else "no state")
        if not model:
            problems.append(f"unknown 287(g) model {raw_model!r}" if raw_model else "no 287(g) model")
        if problems:
            result.rejected.append({"row": number, "agency": name, "state": raw_state, "reason": "; ".join(problems)})
            continue

        moa_value, moa_link = value(moa_at), links.get(moa_at) if links and moa_at is not None else None
        add_value, add_link = value(addendum_at), links.get(addendum_at) if links and addendum_at is not None else None
        match_key = match_keys.get(name)
        if match_key is None:
            match_key = match_keys[name] = agency_match_key(name)
        row = {
            "row": number,
            "state": state,
            "name": name,
            "match_key": match_key,
            "agency_type": AGENCY_TYPES.get(raw_type.lower(), AgencyType.OTHER) if raw_type else AgencyType.OTHER,
            "county": county,
            "program_model": str(model),
            "moa_url": clean_url(moa_link or _text_url(moa_value), cleanings),
            "addendum_url": clean_url(add_link or _text_url(add_value), cleanings),
            "signed_on": None,
            "signed_on_raw": "",
        }
        if participating:
            signed, raw, problem = signed_of(value(signed_at))
            row["signed_on"] = signed.isoformat() if signed else None
            row["signed_on_raw"] = raw[:60]
            if problem:
                result.flagged.append(
                    {
                        "row": number,
                        "agency": name,
                        "state": state,
                        "program_model": str(model),
                        "value": raw,
                        "problem": problem,
                    }
                )
        key = (state, match_key, row["program_model"])
        earlier = seen.get(key)
        if earlier is not None:
            same = all(earlier[f] == row[f] for f in ("signed_on", "signed_on_raw", "moa_url", "addendum_url"))
            if same:
                cleanings["duplicate_rows"] += 1
            else:
                result.rejected.append(
                    {
                        "row": number,
                        "agency": name,
                        "state": raw_state,
                        "reason": f"repeats the agreement of row {earlier['row']} with other values",
                    }
                )
            continue
        seen[key] = row
        result.rows.append(row)
    return result


_TEXT_URL = re.compile(r"^(https?:|[a-z-]+-extension:)", re.I)


def _text_url(value) -> str:
    text = str(value or "").strip()
    return text if _TEXT_URL.match(text) else ""


# --- planning and applying ----------------------------------------------------------------------


#: The agreements no longer listed that a report names (all are counted).
REPORTED_UNLISTED = 500

AGENCY_FIELDS = ["agency_type", "county"]
AGREEMENT_FIELDS = [
    "status",
    "signed_on",
    "signed_on_raw",
    "moa_url",
    "addendum_url",
    "needs_review",
    "review_reason",
    "pending_listed_on",
    "ice_listed_on",
    "not_listed_since",
]


@dataclass
class Plan:
    """What applying the rows would do, and the records to write."""

    new_agencies: list[Agency] = field(default_factory=list)
    updated_agencies: list[Agency] = field(default_factory=list)
    unchanged_agencies: int = 0
    new_agreements: list[tuple[dict, Agreement]] = field(default_factory=list)
    updated_agreements: list[Agreement] = field(default_factory=list)
    signed_agreements: list[Agreement] = field(default_factory=list)
    unchanged_agreements: int = 0
    #: How many agreements the edition no longer shows, and (id, agency name, state,
    #: 287(g) model) of the first 500 in the portal's order: what the report shows.
    #: ``no_longer_listed`` has the agreements.
    no_longer_listed_count: int = 0
    no_longer_listed_rows: list[tuple] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    listed_ids: list[int] = field(default_factory=list)
    #: (agreement, signing date the portal has, signing date ICE's list gives) for agreements in force.
    date_changes: list[tuple] = field(default_factory=list)
    #: Whether a changed signing date is written at once (HQ's setting) or left for HQ to review.
    date_changes_at_once: bool = False
    #: Agency id -> (name, state) of the agencies the rows name, for the report.
    agency_labels: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: The query of the agreements no longer listed and the date they are not listed since.
    unlisted_query: object = field(default=None, repr=False)
    unlisted_since: dt.date | None = None
    _no_longer_listed: list[Agreement] | None = field(default=None, repr=False)

    @property
    def no_longer_listed(self) -> list[Agreement]:
        """The agreements in force (or pending) the edition no longer shows, marked as not
        listed since its date. Read when first asked for: a preview's report needs only
        ``no_longer_listed_rows``; applying asks at once, before it writes anything."""
        if self._no_longer_listed is None:
            agreements = list(self.unlisted_query) if self.unlisted_query is not None else []
            for agreement in agreements:
                agreement.not_listed_since = self.unlisted_since
            self._no_longer_listed = agreements
        return self._no_longer_listed


class _Listed:
    """An agreement the list names, as its columns: the plan refreshes these, and builds
    the model instance only for an agreement the import changes."""

    __slots__ = ("values", "pk", "agency_id", "program_model", "applied_on", *AGREEMENT_FIELDS)

    def __init__(self, values: tuple, index: dict[str, int]):
        self.values = values
        for name in self.__slots__[1:]:
            setattr(self, name, values[index["id" if name == "pk" else name]])

    def get_status_display(self) -> str:
        return Agreement(status=self.status).get_status_display()

    def instance(self, db: str) -> Agreement:
        agreement = Agreement.from_db(db, _columns(Agreement), self.values)
        for name in AGREEMENT_FIELDS:
            setattr(agreement, name, getattr(self, name))
        return agreement


def _columns(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def plan_ice_import(
    rows: list[dict],
    edition: str,
    import_date: dt.date,
    *,
    skip_unlisting: set | None = None,
    date_changes_at_once: bool | None = None,
    instances: bool = True,
) -> Plan:
    """Compare cleaned rows with the portal's agencies and agreements.

    ``skip_unlisting`` holds (state, match_key) of agencies named in rejected rows: their
    agreements are not marked as missing from ICE's list, since the row may be theirs.
    A signing date the list changes for an agreement in force is written at once only when
    ``date_changes_at_once`` (by default HQ's setting); otherwise it waits for HQ's review.

    The plan reads the agencies and agreements the rows name as columns, in a fixed number
    of statements, and builds model instances only for the records applying it writes.
    Without ``instances`` (a preview, which only counts and reports) it builds none: its
    lists hold what it compared (the new agencies' fields, the agencies' columns, the
    agreements' ``_Listed`` columns with ``pk``, ``agency_id`` and ``program_model``).
    """
    from .models import AgreementSettings
    from .services import coverage_table, field_office_for

    coverage = coverage_table()

    plan = Plan()
    plan.date_changes_at_once = (
        AgreementSettings.current().apply_signing_date_changes if date_changes_at_once is None else date_changes_at_once
    )
    states = {row["state"] for row in rows}
    skip = skip_unlisting or set()
    # The agencies the rows (or the rejected rows, for ``skip``) name, as columns keyed as
    # the rows match them; in the list's order, so that the last of a duplicate wins.
    agency_columns = _columns(Agency)
    at = {name: i for i, name in enumerate(agency_columns)}
    names = {row["match_key"] for row in rows} | {key for state, key in skip if state in states}
    agency_query = Agency.objects.filter(state__in=states, match_key__in=names)
    db = agency_query.db
    agencies = {(v[at["state"]], v[at["match_key"]]): v for v in agency_query.values_list(*agency_columns)}
    plan.agency_labels = {v[at["id"]]: (v[at["name"]], v[at["state"]]) for v in agencies.values()}
    # An agency and model name one live agreement; one terminated or withdrawn before a new
    # one was signed under the same model gives way to it (the live ones come last, then
    # by id: of two ended ones the later).
    agreement_columns = _columns(Agreement)
    column = {name: i for i, name in enumerate(agreement_columns)}
    status_at, id_at = column["status"], column["id"]
    agreement_values = (
        Agreement.objects.filter(agency_id__in=[v[at["id"]] for v in agencies.values()])
        .order_by()
        .values_list(*agreement_columns)
    )
    agreements = {
        (v[column["agency_id"]], v[column["program_model"]]): v
        for v in sorted(agreement_values, key=lambda v: (v[status_at] not in ENDED_STATUSES, v[id_at]))
    }
    offices: dict[tuple[str, str], tuple] = {}
    touched_agencies: dict[tuple, Agency | int] = {}
    refreshed: dict[int, _Listed] = {}
    listed: set[int] = set()

    # An agency's county and type: the first non-empty value among its rows.
    described: dict[tuple, dict] = {}
    for row in rows:
        info = described.setdefault((row["state"], row["match_key"]), {"county": "", "agency_type": AgencyType.OTHER})
        if not info["county"] and row["county"]:
            info["county"] = row["county"][:80]
        if info["agency_type"] == AgencyType.OTHER and row["agency_type"] != AgencyType.OTHER:
            info["agency_type"] = row["agency_type"]

    changed_agreements: dict[int, Agreement] = {}
    for row in rows:
        key = (row["state"], row["match_key"])
        info = described[key]
        agency = touched_agencies.get(key)
        if agency is None:
            found = agencies.get(key)
            if found is None:
                office_key = (row["state"], info["county"])
                if office_key not in offices:
                    offices[office_key] = field_office_for(state=row["state"], county=info["county"], table=coverage)
                office, confirmed = offices[office_key]
                if office is None:
                    plan.warnings.append({"row": row["row"], "message": f"No field office covers {row['state']}."})
                    continue
                fields = {
                    "name": row["name"][:200],
                    "match_key": row["match_key"],
                    "state": row["state"],
                    "agency_type": info["agency_type"],
                    "county": info["county"],
                    "field_office": office,
                    "field_office_confirmed": confirmed,
                }
                agency = Agency(**fields) if instances else fields
                plan.new_agencies.append(agency)
            else:
                county, agency_type = found[at["county"]], found[at["agency_type"]]
                new_county = info["county"] and county != info["county"]
                new_type = info["agency_type"] != AgencyType.OTHER and agency_type != info["agency_type"]
                if new_county or new_type:
                    updated = Agency.from_db(db, agency_columns, found) if instances else None
                    if updated is not None and new_county:
                        updated.county = info["county"]
                    if updated is not None and new_type:
                        updated.agency_type = info["agency_type"]
                    plan.updated_agencies.append(updated if instances else found)
                else:
                    plan.unchanged_agencies += 1
                agency = found[at["id"]]
            touched_agencies[key] = agency
        agency_pk = agency if isinstance(agency, int) else None
        found = agreements.get((agency_pk, row["program_model"])) if agency_pk else None
        if found is None:
            plan.new_agreements.append((row, _new_agreement(row, edition, import_date) if instances else None))
            continue
        pk = found[id_at]
        existing = refreshed.get(pk) or refreshed.setdefault(pk, _Listed(found, column))
        listed.add(pk)
        before = {f: getattr(existing, f) for f in AGREEMENT_FIELDS}
        was_pending = existing.status in PENDING_STATUSES
        date_changes = len(plan.date_changes)
        _refresh_agreement(existing, row, edition, import_date, plan)
        after = {f: getattr(existing, f) for f in AGREEMENT_FIELDS}
        # The date it was last seen changes on every import; on its own it is not a change.
        meaningful = [f for f in AGREEMENT_FIELDS if f != "ice_listed_on" and before[f] != after[f]]
        if was_pending and existing.status == AgreementStatus.SIGNED:
            target = plan.signed_agreements
        elif meaningful:
            target = plan.updated_agreements
        else:
            target = None
            plan.unchanged_agreements += 1
            existing.ice_listed_on = before["ice_listed_on"]
        if not instances:
            if target is not None:
                target.append(existing)
        elif target is not None or len(plan.date_changes) > date_changes:
            # Only an agreement the import changes (or whose signing date HQ reviews) is an instance.
            instance = changed_agreements.get(pk)
            if instance is None:
                instance = changed_agreements[pk] = existing.instance(db)
            else:
                for name in AGREEMENT_FIELDS:
                    setattr(instance, name, getattr(existing, name))
            if target is not None:
                target.append(instance)
            plan.date_changes[date_changes:] = [
                (instance if a is existing else a, was, now) for a, was, now in plan.date_changes[date_changes:]
            ]

    plan.listed_ids = sorted(listed)
    skipped_agency_ids = {v[at["id"]] for k, v in agencies.items() if k in skip}
    if edition == IceEdition.PARTICIPATING:
        missing = Agreement.objects.filter(status__in=(AgreementStatus.SIGNED, AgreementStatus.SUSPENDED))
    else:
        missing = Agreement.objects.filter(status__in=PENDING_STATUSES, pending_listed_on__isnull=False)
    missing = (
        missing.filter(not_listed_since__isnull=True).exclude(pk__in=listed).exclude(agency_id__in=skipped_agency_ids)
    )
    plan.no_longer_listed_count = missing.count()
    plan.no_longer_listed_rows = list(
        missing.values_list("pk", "agency__name", "agency__state", "program_model")[:REPORTED_UNLISTED]
    )
    plan.unlisted_query, plan.unlisted_since = missing.select_related("agency"), import_date
    return plan


def _new_agreement(row: dict, edition: str, import_date: dt.date) -> Agreement:
    agreement = Agreement(
        program_model=row["program_model"],
        moa_url=row["moa_url"],
        addendum_url=row["addendum_url"],
        ice_listed_on=import_date,
    )
    if edition == IceEdition.PARTICIPATING:
        agreement.status = AgreementStatus.SIGNED
        agreement.signed_on = dt.date.fromisoformat(row["signed_on"]) if row["signed_on"] else None
        if row["signed_on_raw"]:
            agreement.signed_on_raw = row["signed_on_raw"]
            agreement.needs_review = True
            agreement.review_reason = _bad_date_reason(row)
    else:
        agreement.status = AgreementStatus.UNDER_REVIEW
        agreement.pending_listed_on = import_date
    return agreement


def _bad_date_reason(row: dict) -> str:
    return (
        f"ICE's list (row {row['row']}) gives the signing date as {row['signed_on_raw']!r}, which cannot be trusted."[
            :250
        ]
    )


def _refresh_agreement(agreement: Agreement, row: dict, edition: str, import_date: dt.date, plan: Plan) -> None:
    agreement.ice_listed_on = import_date
    agreement.not_listed_since = None
    if row["moa_url"]:
        agreement.moa_url = row["moa_url"]
    if row["addendum_url"]:
        agreement.addendum_url = row["addendum_url"]
    if edition == IceEdition.PENDING:
        if agreement.status in PENDING_STATUSES:
            if agreement.pending_listed_on is None:
                agreement.pending_listed_on = import_date
            if agreement.status == AgreementStatus.APPLICATION_RECEIVED:
                agreement.status = AgreementStatus.UNDER_REVIEW
        else:
            plan.warnings.append(
                {
                    "row": row["row"],
                    "message": (
                        f"{row['name']}: ICE lists it as pending, but its agreement is {agreement.get_status_display().lower()} "
                        "in the portal; left as it is."
                    ),
                }
            )
        return
    signed = dt.date.fromisoformat(row["signed_on"]) if row["signed_on"] else None
    if agreement.status in PENDING_STATUSES:
        agreement.status = AgreementStatus.SIGNED
    elif agreement.status not in (AgreementStatus.SIGNED, AgreementStatus.SUSPENDED):
        plan.warnings.append(
            {
                "row": row["row"],
                "message": (
                    f"{row['name']}: ICE lists it as participating, but its agreement is "
                    f"{agreement.get_status_display().lower()} in the portal; left as it is."
                ),
            }
        )
        return
    if signed:
        if agreement.applied_on and signed < agreement.applied_on:
            agreement.needs_review = True
            agreement.review_reason = (
                f"ICE's list (row {row['row']}) gives a signing date of {display(signed)}, "
                f"before the application ({display(agreement.applied_on)})."
            )[:250]
        elif (
            agreement.signed_on
            and signed != agreement.signed_on
            and agreement.status in (AgreementStatus.SIGNED, AgreementStatus.SUSPENDED)
        ):
            # ICE moved the signing date of an agreement in force: its installation's clock
            # runs from it, so it changes at once only when HQ chose so; else HQ reviews it.
            plan.date_changes.append((agreement, agreement.signed_on, signed))
            if plan.date_changes_at_once:
                agreement.signed_on = signed
                agreement.signed_on_raw = ""
        else:
            agreement.signed_on = signed
            agreement.signed_on_raw = ""
    elif row["signed_on_raw"]:
        # An untrustworthy value never replaces a date the portal has; HQ is asked to check.
        agreement.signed_on_raw = row["signed_on_raw"]
        agreement.needs_review = True
        agreement.review_reason = _bad_date_reason(row)


def report_of(read: ReadResult, plan: Plan) -> dict:
    """The preview's and the final report's figures, in JSON."""
    return {
        "file_name": read.file_name,
        "edition": read.edition,
        "rows_read": read.rows_read,
        "agencies": {
            "new": len(plan.new_agencies),
            "updated": len(plan.updated_agencies),
            "unchanged": plan.unchanged_agencies,
        },
        "agreements": {
            "new": len(plan.new_agreements),
            "updated": len(plan.updated_agreements),
            "signed": len(plan.signed_agreements),
            "unchanged": plan.unchanged_agreements,
            "no_longer_listed": plan.no_longer_listed_count,
        },
        "rejected": read.rejected,
        "flagged_dates": read.flagged,
        "cleanings": {key: read.cleanings[key] for key in CLEANING_LABELS if read.cleanings.get(key)},
        "ignored_columns": read.ignored_columns,
        "columns": read.columns,
        "warnings": plan.warnings,
        "signing_dates_changed": [
            {
                "agreement": a.pk,
                "agency": _agency_label(plan, a)[0],
                "state": _agency_label(plan, a)[1],
                "program_model": a.program_model,
                "before": before.isoformat() if before else None,
                "after": after.isoformat(),
            }
            for a, before, after in plan.date_changes[:500]
        ],
        "no_longer_listed": [
            {"agreement": pk, "agency": name, "state": state, "program_model": model}
            for pk, name, state, model in plan.no_longer_listed_rows[:REPORTED_UNLISTED]
        ],
    }


def _agency_label(plan: Plan, agreement: Agreement) -> tuple[str, str]:
    label = plan.agency_labels.get(agreement.agency_id)
    return label if label is not None else (agreement.agency.name, agreement.agency.state)


def has_changes(report: dict) -> bool:
    return bool(
        sum(report["agencies"][k] for k in ("new", "updated"))
        + sum(report["agreements"][k] for k in ("new", "updated", "signed", "no_longer_listed"))
    )


def skip_keys(rejected: list[dict]) -> set:
    keys = set()
    for row in rejected:
        state = state_code(row.get("state"))
        if state and row.get("agency"):
            keys.add((state, agency_match_key(row["agency"])))
    return keys


@audit_context(channel=Channel.IMPORT)
@transaction.atomic
def apply_ice_import(
    *,
    rows: list[dict],
    edition: str,
    import_date: dt.date,
    acting_user,
    file_name: str,
    rejected: list[dict] | None = None,
) -> Plan:
    """Write what the rows say, set-based and audited: new agencies and agreements,
    updated ones (their history keeps the old values), pending agreements signed, and
    agreements missing from a participating list marked as no longer listed."""
    from portal.audit.bulk import bulk_create_with_history, bulk_update_with_history

    from .choices import Transition
    from .models import AgreementEvent

    plan = plan_ice_import(rows, edition, import_date, skip_unlisting=skip_keys(rejected or []))
    unlisted = plan.no_longer_listed  # read now, before anything is written
    reason = f"ICE list import {file_name} {display(import_date)}"[:100]
    user = acting_user if getattr(acting_user, "pk", None) else None
    if plan.new_agencies:
        created = bulk_create_with_history(
            plan.new_agencies, Agency, batch_size=500, default_user=user, default_change_reason=reason
        )
        by_key = {(a.state, a.match_key): a for a in created}
        if any(a.pk is None for a in created):  # backends that do not return ids
            by_key = {
                (a.state, a.match_key): a for a in Agency.objects.filter(match_key__in=[a.match_key for a in created])
            }
        for agency in plan.new_agencies:
            agency.pk = by_key[(agency.state, agency.match_key)].pk
    if plan.updated_agencies:
        bulk_update_with_history(
            plan.updated_agencies,
            Agency,
            AGENCY_FIELDS,
            batch_size=500,
            default_user=user,
            default_change_reason=reason,
        )
    # The agencies of the new agreements (those just created among them), in the list's order.
    keys = {(row["state"], row["match_key"]) for row, _agreement in plan.new_agreements}
    agencies = {
        (a.state, a.match_key): a
        for a in Agency.objects.filter(state__in={s for s, _k in keys}, match_key__in={k for _s, k in keys})
    }
    new_agreements = []
    for row, agreement in plan.new_agreements:
        agreement.agency = agencies[(row["state"], row["match_key"])]
        new_agreements.append(agreement)
    if new_agreements:
        bulk_create_with_history(
            new_agreements, Agreement, batch_size=500, default_user=user, default_change_reason=reason
        )
    changed = plan.updated_agreements + plan.signed_agreements + unlisted
    if changed:
        bulk_update_with_history(
            changed, Agreement, AGREEMENT_FIELDS, batch_size=500, default_user=user, default_change_reason=reason
        )
    # Agreements seen again unchanged: only the bookkeeping date they were last seen moves.
    if plan.listed_ids:
        from portal.audit.bulk import queryset_update

        queryset_update(
            Agreement.objects.filter(pk__in=plan.listed_ids).exclude(ice_listed_on=import_date),
            user=user,
            reason=reason,
            ice_listed_on=import_date,
        )
    if plan.signed_agreements:
        AgreementEvent.objects.bulk_create(
            [
                AgreementEvent(
                    agreement=a,
                    transition=Transition.SIGN,
                    from_status=AgreementStatus.UNDER_REVIEW,
                    to_status=AgreementStatus.SIGNED,
                    effective_on=a.signed_on or import_date,
                    reason=reason,
                    acting_user=user,
                )
                for a in plan.signed_agreements
            ]
        )
    # Agreements that arrive signed (new, or pending ones this edition signs) start what a
    # signature starts elsewhere (an IT installation, for a model that needs one), at once.
    now_signed = [a for a in new_agreements if a.status == AgreementStatus.SIGNED] + list(plan.signed_agreements)
    if now_signed:
        from .signals import agreements_signed_in_bulk

        agreements_signed_in_bulk.send(sender=Agreement, agreements=now_signed, acting_user=user)
    return plan
