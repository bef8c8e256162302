"""The staffing pages in headless Chromium, checked with axe."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = [
    ("/staffing/load/", "Program manager load"),
    ("/staffing/organisation/", "Organisation: reporting lines"),
    ("/staffing/offices/", "Field office staffing"),
    ("/staffing/plan/?extra_agreements=5&years=2", "Staffing plan"),
    ("/staffing/coverage/", "Signature coverage"),
    ("/staffing/model/", "Staffing model"),
    ("/staffing/workload/import/", "Import workload reports"),
    ("/staffing/handover/", "Hand over a manager's agencies"),
]


def test_staffing_pages_render_and_pass_axe(page, live_server, login, axe, world, people):
    from staffing.tests.factories import AbsenceFactory, ReportingLineFactory
    from portal import dates

    ReportingLineFactory(manager=people["pm"], kind="program", supervisor=people["npm"])
    AbsenceFactory(manager=people["pm_other"], starts_on=dates.today(), ends_on=dates.today())
    login(page, people["chief"])
    for url, heading in PAGES:
        page.goto(f"{live_server.url}{url}")
        assert heading in page.get_by_role("heading", level=1).inner_text(), url
        axe(page)


def test_field_manager_sees_own_load(page, live_server, login, axe, world, people):
    login(page, people["pm"])
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Manager load", exact=True).click()  # a field manager's only staffing page
    rows = page.locator("table.usa-table tbody tr")
    expect(rows).to_have_count(1)
    assert people["pm"].get_full_name() in rows.first.inner_text()
    axe(page)
