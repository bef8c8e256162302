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
    from portal import dates
    from staffing.tests.factories import AbsenceFactory, ReportingLineFactory

    ReportingLineFactory(manager=people["pm"], kind="program", supervisor=people["npm"])
    AbsenceFactory(manager=people["pm_other"], starts_on=dates.today(), ends_on=dates.today())
    login(page, people["chief"])
    for url, heading in PAGES:
        page.goto(f"{live_server.url}{url}")
        assert heading in page.get_by_role("heading", level=1).inner_text(), url
        axe(page)
    # The manager page as HQ sees it: every form, the reporting-line ones included.
    page.goto(f"{live_server.url}/staffing/managers/{people['pm'].pk}/")
    assert page.get_by_role("heading", name="Set the administrative supervisor").is_visible()
    axe(page)


def test_field_manager_sees_own_load(page, live_server, login, axe, world, people):
    login(page, people["pm"])
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Manager load", exact=True).click()  # a field manager's only staffing page
    rows = page.locator("table.usa-table tbody tr")
    expect(rows).to_have_count(1)
    assert people["pm"].get_full_name() in rows.first.inner_text()
    axe(page)


def test_director_records_an_absence_on_the_manager_page(page, live_server, login, axe, world, people):
    import datetime as dt

    from portal import dates
    from staffing.models import Absence

    first = dates.today() + dt.timedelta(days=7)
    login(page, people["fod"])
    page.goto(f"{live_server.url}/staffing/organisation/")
    page.get_by_role("link", name=people["pm_other"].get_full_name(), exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Program manager: {people['pm_other'].get_full_name()}"
    axe(page)

    form = page.locator("form", has=page.get_by_role("heading", name="Record an absence"))
    form.get_by_label("Kind of absence").select_option("training")
    form.get_by_label("First day away").fill(first.isoformat())
    form.get_by_label("Last day away").fill((first - dt.timedelta(days=1)).isoformat())
    form.get_by_role("button", name="Record the absence").click()
    error = page.locator("#id_absence-ends_on-error")
    expect(error).to_contain_text("An absence cannot end before it starts.")
    expect(page.get_by_label("Last day away")).to_have_attribute("aria-describedby", "id_absence-ends_on-error")
    axe(page)

    page.get_by_label("Last day away").fill((first + dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Record the absence").click()
    expect(page.get_by_role("status").filter(has_text="Training recorded")).to_be_visible()
    rows = page.locator("table", has=page.locator("caption", has_text="Current and upcoming absences")).locator(
        "tbody tr"
    )
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Training")
    assert Absence.objects.get(manager=people["pm_other"]).starts_on == first
    axe(page)
