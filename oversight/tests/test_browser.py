"""The dashboard with its map, the inbox and the quarterly report in headless Chromium:
no serious axe violation; a screenshot of each is kept under test-results/."""

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "oversight"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def swept(world, people, offices):
    """The world, one more agreement signed this fiscal year in Miami, and a sweep."""
    from agreements.tests.factories import AgencyFactory, AgreementFactory
    from portal import dates
    from portal.compliance.sweep import sweep_run

    agency = AgencyFactory(name="Lee County Sheriff's Office", state="FL", field_office=offices["MIA"])
    AgreementFactory(
        agency=agency,
        signed_on=dates.fiscal_year_start(dates.fiscal_year(dates.today())) + dt.timedelta(days=20),
        applied_on=dates.fiscal_year_start(dates.fiscal_year(dates.today())),
    )
    sweep_run(notify=False, rule_codes=["staffing.primary_without_backup", "agreements.no_primary_manager"])
    return world


def test_dashboard_with_its_map_passes_axe(page, live_server, login, axe, swept, people):
    login(page, people["chief"])
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("National dashboard")
    map_ = page.get_by_role("group", name="Map of the United States: agreements in force per state")
    expect(map_).to_be_visible()
    expect(page.locator("a[aria-label='Florida: 2 agreements in force']")).to_have_count(1)
    expect(page.locator("#signed-chart")).to_be_visible()
    axe(page)
    shot(page, "dashboard")
    page.get_by_label("Field office").select_option(label="Miami")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"field_office="))
    expect(page.locator("a[aria-label='Texas: 0 agreements in force']")).to_have_count(1)
    page.locator("a[aria-label='Florida: 2 agreements in force']").click()
    page.wait_for_url(re.compile(r"/agreements/\?"))
    expect(page.locator("table.usa-table tbody tr")).to_have_count(2)


def test_inbox_passes_axe_and_acknowledges(page, live_server, login, axe, swept, people):
    login(page, people["pm_miami"])
    page.goto(f"{live_server.url}/findings/inbox/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Findings inbox")
    axe(page)
    shot(page, "inbox")
    page.get_by_role("link", name="Primary program manager without a backup").first.click()
    page.get_by_label("Note (optional)").fill("Backup being named.")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Finding acknowledged.")).to_be_visible()
    axe(page)
    shot(page, "inbox-finding")


def test_quarterly_report_passes_axe(page, live_server, login, axe, swept, people):
    login(page, people["chief"])
    page.goto(f"{live_server.url}/reports/oversight/?quarter=FY2026Q1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly oversight report, FY2026Q1")
    expect(page.get_by_role("heading", name=re.compile("Recommendation 4"))).to_be_visible()
    axe(page)
    shot(page, "report")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Show the quarter")).to_be_hidden()
    shot(page, "report-print")
