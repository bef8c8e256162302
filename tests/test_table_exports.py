"""Every list and table page answers its CSV and Excel export with the rows it shows, in
the caller's scope, under one label per format; every page shows dates and times in one
format each, and exports hold ISO 8601 (issue 13, item 6).

The pages are found from the access policy's ``PAGES`` (every page the URL conf names):
each page without arguments that shows a table is a table page, unless ``NOT_TABLE_PAGES``
says why not. So a new list page without its exports fails here."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal import access
from portal.tables import XLSX_DATE_FORMAT, XLSX_DATETIME_FORMAT, display

pytestmark = pytest.mark.django_db

#: Pages without arguments that show a table but are no list of records, and why.
NOT_TABLE_PAGES = {
    "sweep-start": "HQ's confirmation before a sweep run; its table shows the last few runs, whose findings the findings list exports",
    "home": "each person's home: a summary; its findings are the findings list's, which exports",
    "oversight:dashboard": "figures of the national dashboard; each links to its list, which exports",
    "oversight:report": "the quarterly report, with its own printable and PDF form",
    "oversight:impact": "a form, and the latest assessments it made (each a page of its own)",
    "tokens": "a person's own API tokens, with their revoke buttons",
    "settings": "settings, one form per section",
    "staffing:plan": "the staffing plan: per fiscal year tables, exported as a workbook of its own",
    "agreements:timeline": "the program's growth: figures per month and state",
    "itdeploy:confirm": "a form: the installations to confirm, each with its checkbox",
    "itdeploy:pipeline": "a board of cards, one column a step; it exports its sites (itdeploy/tests/test_pages.py)",
    "training:capacity": "the academy's capacity plan: a computation, exported as CSV and a workbook of its own",
    "agreements:onboarding": "a bulk form: each agency to onboard with its checkbox",
}


def _pages_without_arguments() -> list[str]:
    names = []
    for name in access.PAGES:
        try:
            reverse(name)
        except NoReverseMatch:
            continue
        names.append(name)
    return names


class _Table(HTMLParser):
    """The first cell's text of each body row of the page's list table (the table that
    the result count describes), and the count's text."""

    def __init__(self):
        super().__init__()
        self.rows: list[str] = []
        self.status = ""
        self._in_table = self._in_body = self._in_status = False
        self._cell = None
        self._cells_in_row = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("aria-describedby") == "result-count":
            self._in_table = True
        elif attrs.get("id") == "result-count":
            self._in_status = True
        elif self._in_table and tag in ("tbody", "tfoot"):
            self._in_body = True
        elif self._in_body and tag == "tr":
            self._cells_in_row = 0
        elif self._in_body and tag in ("th", "td"):
            self._cells_in_row += 1
            if self._cells_in_row == 1 and "colspan" not in attrs:
                self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = self._in_body = False
        elif tag == "p" and self._in_status:
            self._in_status = False
        elif tag in ("tbody", "tfoot"):
            self._in_body = False
        elif tag in ("th", "td") and self._cell is not None:
            self.rows.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_status:
            self.status += data


def html_rows(client, url) -> tuple[list[str], bool]:
    """The list table's first cells over every page of ``url``, and whether it has one."""
    rows, page, pages = [], 1, 1
    while page <= pages:
        parser = _Table()
        parser.feed(client.get(url, {"page": page}).content.decode())
        if not parser.status:
            return rows, False
        rows += parser.rows
        found = re.search(r"page \d+ of (\d+)", parser.status)
        pages = int(found.group(1)) if found else 1
        page += 1
    return rows, True


def _shown(value) -> str:
    """An export's cell as the page shows it."""
    if isinstance(value, dt.datetime):  # Excel holds America/New_York's time, with no zone
        return display(timezone.make_aware(value) if timezone.is_naive(value) else value)
    if isinstance(value, dt.date):
        return display(value)
    text = "" if value is None else str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return display(dt.date.fromisoformat(text))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:]+[+-]\d{2}:\d{2}", text):
        return display(dt.datetime.fromisoformat(text))
    return text.removeprefix("'")


def csv_first_column(response) -> tuple[list[str], list[list[str]]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    return [_shown(row[0]) for row in table[1:]], table


def xlsx_first_column(response) -> tuple[list[str], list[tuple]]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = [[_cell(cell) for cell in row] for row in sheet.iter_rows()]
    return [_shown(row[0]) for row in table[1:]], table


def _cell(cell):
    """An Excel cell's value; a date cell as a date (openpyxl reads every one as a datetime)."""
    if isinstance(cell.value, dt.datetime) and cell.number_format == XLSX_DATE_FORMAT:
        return cell.value.date()
    return cell.value


@pytest.fixture
def demo(demo_site):
    users = get_user_model().objects
    return {"hq": users.get(username="chief"), "field manager": users.get(username="pm.houston")}


def test_every_table_page_exports_the_rows_it_shows_in_the_callers_scope(client, demo):
    problems, checked = [], set()
    for who, user in demo.items():
        client.force_login(user)
        for name in _pages_without_arguments():
            url = reverse(name)
            page = client.get(url)
            html = page.content.decode()
            if page.status_code != 200 or "<table" not in html or name in NOT_TABLE_PAGES:
                continue
            checked.add(name)
            if "Export XLSX" in html or not ("Export CSV" in html and "Export Excel" in html):
                problems.append(f"{name} ({who}): not one 'Export CSV' and one 'Export Excel' link")
            shown, has_table = html_rows(client, url)
            if not has_table:
                problems.append(f"{name} ({who}): no list table described by a result count (#result-count)")
                continue
            exports = {}
            for fmt, content_type, read in (
                ("csv", "text/csv", csv_first_column),
                ("xlsx", "application/vnd.openxmlformats", xlsx_first_column),
            ):
                try:
                    answer = client.get(url, {"export": fmt})
                except Exception as exc:  # noqa: BLE001 (report every page's problem, not the first)
                    problems.append(f"{name} ({who}): ?export={fmt} raised {exc!r}")
                    continue
                if answer.status_code != 200 or not answer["Content-Type"].startswith(content_type):
                    problems.append(
                        f"{name} ({who}): ?export={fmt} answers {answer.status_code} {answer['Content-Type']}"
                    )
                    continue
                exports[fmt], _ = read(answer)
            for fmt, first_column in exports.items():
                same = len(first_column) == len(shown) and all(e in h for e, h in zip(first_column, shown, strict=True))
                if not same:
                    problems.append(
                        f"{name} ({who}): the {fmt} export's rows {first_column[:5]}… ({len(first_column)}) "
                        f"are not the page's {shown[:5]}… ({len(shown)})"
                    )
    assert not problems, "\n".join(problems)
    # The pages the issue names, and the list pages, were among those checked.
    assert {
        "findings",
        "audit",
        "agreements:agency-list",
        "agreements:agreement-list",
        "agreements:ice-import-list",
        "training:officer-list",
        "training:recertification",
        "training:class-calendar",
        "staffing:manager-load",
        "staffing:office-staffing",
        "staffing:organisation",
        "staffing:coverage",
        "itdeploy:chart",
        "oversight:readiness",
        "oversight:inbox",
    } <= checked


# --- one date format, one time format; ISO 8601 in exports --------------------------------

#: Dates and times written any other way than the portal's (03/16/2025, 3:35 p.m. ET).
OTHER_FORMATS = [
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # 2025-03-16
    re.compile(
        r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}\b"
    ),  # March 16, 2025 / Dec. 1, 2026
    re.compile(r"\b\d{1,2}:\d{2}(?! [ap]\.m\. ET)(?!:\d{2})"),  # a time without a.m./p.m. and its zone
]
PORTAL_DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")
PORTAL_DATETIME = re.compile(r"\b\d{2}/\d{2}/\d{4} \d{1,2}:\d{2} [ap]\.m\. ET\b")


class _Text(HTMLParser):
    """The text a reader sees: no attribute values (ISO in ``value``/``datetime`` is
    for the machine), no scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_every_page_shows_dates_and_times_in_one_format_each(client, demo):
    """Every page without arguments, and a record page of each kind, for HQ and a field
    manager: each date reads 03/16/2025, each time 3:35 p.m. ET (America/New_York)."""
    from agreements.models import Agency, Agreement
    from itdeploy.models import Installation
    from portal.compliance.models import Finding
    from training.models import AcademyClass, Officer

    problems, dates_seen, times_seen = [], 0, 0
    for who, user in demo.items():
        client.force_login(user)
        urls = [reverse(name) for name in _pages_without_arguments()]
        for model in (Agency, Agreement, Installation, Finding, AcademyClass, Officer):
            record = model.objects.restrict(user, "view").order_by("pk").first()
            if record is not None:
                urls.append(record.get_absolute_url())
        for url in urls:
            page = client.get(url)
            if page.status_code != 200 or not page["Content-Type"].startswith("text/html"):
                continue
            text = visible_text(page.content.decode())
            for pattern in OTHER_FORMATS:
                found = pattern.search(text)  # the first of each kind on each page
                if found:
                    context = text[max(0, found.start() - 40) : found.end() + 40]
                    problems.append(f"{url} ({who}): {found.group(0)!r} in “…{context}…”")
            dates_seen += len(PORTAL_DATE.findall(text))
            times_seen += len(PORTAL_DATETIME.findall(text))
    assert not problems, "\n".join(problems)
    assert dates_seen and times_seen  # the pages do show dates and times, in the one format


def test_exports_hold_dates_and_times_in_iso_8601(client, people, world):
    """CSV: 2025-03-16 and 2025-03-16T15:35:00-04:00 (America/New_York with its offset);
    Excel: date cells shown as yyyy-mm-dd and yyyy-mm-ddThh:mm:ss, whatever the page shows."""
    from agreements.models import Agreement
    from portal.tests.factories import AgencyFindingFactory

    mine = world["mine"]
    Agreement.objects.filter(pk=world["agreements"]["mine"].pk).update(signed_on=dt.date(2025, 3, 16))
    seen = dt.datetime(2025, 3, 16, 19, 35, tzinfo=dt.UTC)  # 3:35 p.m. in New York (daylight time)
    AgencyFindingFactory(agency=mine, first_seen_at=seen, last_seen_at=seen)
    client.force_login(people["chief"])

    page = visible_text(client.get("/agreements/").content.decode())
    assert "03/16/2025" in page and "2025-03-16" not in page
    _, agreements = csv_first_column(client.get("/agreements/", {"export": "csv"}))
    signed = agreements[0].index("Signed")
    assert "2025-03-16" in [row[signed] for row in agreements[1:]]

    findings_page = visible_text(client.get("/findings/").content.decode())
    assert "03/16/2025 3:35 p.m. ET" in findings_page
    _, findings = csv_first_column(client.get("/findings/", {"export": "csv"}))
    first_seen = findings[0].index("First seen")
    assert [row[first_seen] for row in findings[1:]] == ["2025-03-16T15:35:00-04:00"]

    sheet = load_workbook(io.BytesIO(client.get("/findings/", {"export": "xlsx"}).content)).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("First seen") + 1)
    assert cell.value.isoformat() == "2025-03-16T15:35:00" and cell.number_format == XLSX_DATETIME_FORMAT
    sheet = load_workbook(io.BytesIO(client.get("/agreements/", {"export": "xlsx"}).content)).active
    header = [cell.value for cell in sheet[1]]
    signed_cells = [row[header.index("Signed")] for row in sheet.iter_rows(min_row=2)]
    assert any(
        c.value.isoformat() == "2025-03-16T00:00:00" and c.number_format == XLSX_DATE_FORMAT
        for c in signed_cells
        if c.value
    )
