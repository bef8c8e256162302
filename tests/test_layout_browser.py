"""Layout for data, in headless Chromium at 1,366 × 768 on the demo database: no table
column lies off screen unless its table says that it scrolls, the header's navigation
stays on one line for every role, and an analyst chooses the officer list's columns,
finds them again after a reload, and exports exactly those columns."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTH, HEIGHT = 1366, 768

#: The demo's accounts, one per role (``make run`` prints them).
ROLES = ("chief", "npm", "analyst", "ocio", "fod.hou", "pm.houston")

#: Every list, board and table page (the pages of one record and the forms are not here).
TABLE_PAGES = (
    "/findings/",
    "/audit/",
    "/agencies/",
    "/agreements/",
    "/agreements/ice-imports/",
    "/agreements/ice-fetches/",
    "/agreements/timeline/",
    "/agreements/onboarding/",
    "/staffing/load/",
    "/staffing/organisation/",
    "/staffing/coverage/",
    "/staffing/offices/",
    "/staffing/plan/",
    "/installations/",
    "/installations/chart/",
    "/officers/",
    "/training/classes/",
    "/training/recertification/",
    "/training/capacity/",
    "/dashboard/",
    "/readiness/",
    "/impact/",
    "/findings/inbox/",
    "/reports/oversight/",
)

#: For each table of the page: the headers whose right edge lies beyond what the reader
#: sees (the window, or the table's scrolling frame), and whether the frame shows the cue
#: (its shadow class and its visible "Scroll the table sideways" line).
OFF_SCREEN = """() => [...document.querySelectorAll("main table")].map((table) => {
  const wrap = table.closest(".portal-table-wrap");
  const box = table.closest(".portal-table");
  const limit = Math.min(window.innerWidth, wrap ? wrap.getBoundingClientRect().right : Infinity);
  const cells = [...table.querySelectorAll("thead th")];
  if (!cells.length && table.rows.length) cells.push(...table.rows[0].cells);
  const hint = box && box.querySelector(".portal-table__hint");
  return {
    name: (table.caption && table.caption.textContent.trim()) || (wrap && wrap.getAttribute("aria-label")) || table.id,
    off: cells.filter((c) => c.getBoundingClientRect().right > limit + 1).map((c) => c.textContent.trim()),
    cue: !!(box && box.classList.contains("portal-table--scrolls") && box.classList.contains("portal-table--more-right")
            && hint && !hint.hidden && hint.getBoundingClientRect().height > 0),
  };
})"""

#: The header's top-level entries: where each starts and how tall it is (a label that
#: wraps is taller), and the right edge of the menu.
NAVIGATION = """() => {
  const items = [...document.querySelectorAll(".usa-nav__primary > .usa-nav__primary-item")];
  return items.map((li) => {
    const entry = li.querySelector(":scope > a, :scope > button");
    const box = entry.getBoundingClientRect();
    return {label: entry.textContent.trim(), top: Math.round(li.getBoundingClientRect().top),
            height: Math.round(box.height), right: box.right};
  });
}"""


@pytest.fixture
def wide_page(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def test_no_table_column_is_off_screen_at_1366_without_the_scroll_cue(
    wide_page, live_server, axe, demo_site, demo_login
):
    page = wide_page
    checked, problems = 0, []
    for username in ROLES:
        demo_login(page, username)
        for path in TABLE_PAGES:
            response = page.goto(f"{live_server.url}{path}")
            if response.status in (403, 404):
                continue  # a page the role does not open
            assert response.status == 200, (username, path, response.status)
            if username == "chief":  # the table frames (tables.js) of every page pass axe
                axe(page)
            for table in page.evaluate(OFF_SCREEN):
                checked += 1
                if table["off"] and not table["cue"]:
                    problems.append(f"{username} {path} «{table['name']}»: {table['off']} off screen, no cue")
    assert checked > 60  # every role opened its pages, with their tables
    assert problems == []


#: The columns the issue found off screen, which the default columns keep in view.
KEY_COLUMNS = {
    "/officers/": ("Can act today", "Refresher due"),
    "/agreements/": ("HQ to check", "MOA"),
    "/staffing/load/": ("Against the model",),
}

IN_VIEW = """(labels) => {
  const cells = [...document.querySelectorAll("main table thead th")];
  return labels.map((label) => {
    const cell = cells.find((c) => c.textContent.replace(/\\(sort\\)/, "").trim() === label);
    if (!cell) return [label, "missing"];
    const wrap = cell.closest(".portal-table-wrap");
    const limit = Math.min(window.innerWidth, wrap ? wrap.getBoundingClientRect().right : Infinity);
    return [label, cell.getBoundingClientRect().right <= limit + 1 ? "in view" : "off screen"];
  });
}"""


def test_the_key_columns_are_in_view_by_default(wide_page, live_server, demo_site, demo_login):
    page = wide_page
    for username in ("chief", "pm.houston"):
        demo_login(page, username)
        for path, labels in KEY_COLUMNS.items():
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate(IN_VIEW, list(labels)) == [[label, "in view"] for label in labels], (username, path)
    # the installation's forecast is on each site's card of the pipeline board
    page.goto(f"{live_server.url}/installations/")
    forecast = page.get_by_text(re.compile(r"^Forecast: ")).first
    box = forecast.bounding_box()
    assert box and box["x"] + box["width"] <= WIDTH


def test_a_wide_table_shows_that_it_scrolls_and_keeps_its_first_column(wide_page, live_server, demo_site, demo_login):
    """The audit trail with every column chosen is wider than a 1,024 px window: its frame
    says so, its shadow marks the right edge, and scrolling keeps the first column and
    the header row in view."""
    from django.contrib.auth import get_user_model

    from portal.audit.views import audit_columns
    from portal.models import TablePreference

    chief = get_user_model().objects.get(username="chief")
    TablePreference.objects.create(user=chief, table="audit-trail", columns=[c.key for c in audit_columns()])
    page = wide_page
    page.set_viewport_size({"width": 1024, "height": 768})  # every column of the audit trail does not fit here
    demo_login(page, "chief")
    page.goto(f"{live_server.url}/audit/")
    region = page.get_by_role("region", name="Audit trail (table)")
    expect(page.get_by_text("Scroll the table sideways to see more columns.")).to_be_visible()
    assert region.get_attribute("aria-describedby") == "table-hint"
    [table] = [t for t in page.evaluate(OFF_SCREEN) if t["off"]]
    assert table["cue"] and "Refused" in table["off"]
    first = page.locator("main table tbody tr").first.locator("th")
    left = first.bounding_box()["x"]
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; el.scrollTop = 200; }")
    page.wait_for_function(
        "() => document.querySelector('.portal-table').classList.contains('portal-table--more-left')"
    )
    assert abs(first.bounding_box()["x"] - left) < 2  # the first column stays put
    header = page.locator("main table thead th").first.bounding_box()
    assert abs(header["y"] - region.bounding_box()["y"]) < 3  # the header row sticks to the frame's top
    # Narrow screens: the rows stack, each cell labelled with its column.
    page.set_viewport_size({"width": 400, "height": 800})
    cell = page.locator("main table tbody tr").first.locator("td").first
    assert cell.get_attribute("data-label") == "Who"
    assert page.locator("main table thead").evaluate("el => getComputedStyle(el).display") == "none"


def test_the_navigation_stays_on_one_line_for_every_role(wide_page, live_server, demo_site, demo_login):
    page = wide_page
    for username in ROLES:
        demo_login(page, username)
        for path in ("/", "/officers/"):
            page.goto(f"{live_server.url}{path}")
            entries = page.evaluate(NAVIGATION)
            assert len(entries) >= 4, (username, entries)
            tops = {e["top"] for e in entries}
            heights = {e["height"] for e in entries}
            assert len(tops) == 1, f"{username}: the menu wraps: {entries}"
            assert max(heights) - min(heights) <= 2, f"{username}: an entry's label wraps: {entries}"
            assert max(e["right"] for e in entries) <= WIDTH, (username, entries)


def test_an_analyst_chooses_the_officer_columns_keeps_them_and_exports_them(
    wide_page, live_server, axe, demo_site, demo_login, keep_screenshot
):
    page = wide_page
    demo_login(page, "analyst")
    page.goto(f"{live_server.url}/officers/")
    page.locator("#columns summary").click()
    chooser = page.locator("#columns form")
    # USWDS draws the checkboxes on their labels: a person clicks the label.
    for key in ("number", "certified", "card"):  # tick Number (not a default column), untick the others
        chooser.locator(f"label[for=column-{key}]").click()
    assert chooser.get_by_label("Number").is_checked() and not chooser.get_by_label("Card", exact=True).is_checked()
    chooser.get_by_role("button", name="Move Can act today Up").click()  # moves, and keeps what is ticked
    page.wait_for_load_state()
    expect(page.locator("#columns")).to_have_attribute("open", "")
    page.locator("#columns form").get_by_role("button", name="Save columns").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Columns saved.")).to_be_visible()

    def shown():
        return [
            " ".join(h.split()).replace(" (sort)", "").rstrip(" ▲▼")
            for h in page.locator("main table thead th").all_inner_texts()
        ]

    # the ticked columns in the order shown, the newly ticked one after them
    wanted = ["Officer", "Agency", "Status", "Recertified this FY", "Can act today", "Refresher due", "Number"]
    assert shown() == wanted
    page.reload()
    assert shown() == wanted  # the choice is kept
    axe(page)
    keep_screenshot(page, "analyst-officer-columns", full_page=False)

    with page.expect_download() as download:
        page.locator('main a[href*="export=csv"]').first.click()  # whatever its label
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == wanted
    assert len(rows) > 10 and all(len(row) == len(wanted) for row in rows)
