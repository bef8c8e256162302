"""The homes of the Houston roles and OCIO in headless Chromium, on a fresh demo
database (``seed_demo --scale small``): each checked with axe and kept as a screenshot
under ``var/test-artifacts/``; the Houston field office director goes from the home to a
manager and records the manager's absence, which the home then shows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_houston_homes_and_the_director_records_an_absence(
    page, live_server, axe, demo_site, demo_login, keep_screenshot
):
    from portal import dates
    from staffing.models import Absence

    # The Houston manager: their agencies, steps to update, officers to remind, findings paged.
    demo_login(page, "pm.houston")
    agencies = page.locator("section", has=page.get_by_role("heading", name=re.compile(r"^Your agencies \(\d+\)")))
    expect(agencies.locator("tbody tr")).to_have_count(10)
    expect(agencies.get_by_role("link", name=re.compile(r"See all \d+ agencies"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"Installation steps to update \(\d+\)"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"Officers to remind \(\d+\)"))).to_be_visible()
    findings = page.locator("section", has=page.get_by_role("heading", name=re.compile("Findings you are responsible")))
    assert findings.locator("tbody tr").count() <= 10
    assert "Dallas" not in agencies.inner_text()
    axe(page)
    keep_screenshot(page, "home-pm-houston")

    # OCIO: the steps waiting for OCIO and figures about installations, no agreement counts.
    demo_login(page, "ocio")
    expect(page.get_by_role("heading", name=re.compile(r"Installations waiting for OCIO \(\d+\)"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"installations in progress"))).to_be_visible()
    assert "signed agreements" not in page.locator("main").inner_text()
    axe(page)
    keep_screenshot(page, "home-ocio")

    # The Houston director: the office; a manager present today is recorded as absent.
    demo_login(page, "fod.hou")
    office = page.locator("section", has=page.get_by_role("heading", name=re.compile("Your office's program managers")))
    present = office.locator("tbody tr", has_text="Present").first
    name = present.locator("th a").inner_text()
    axe(page)
    keep_screenshot(page, "home-fod-houston")
    present.locator("th a").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Program manager: {name}"
    today = dates.today()
    form = page.locator("form", has=page.get_by_role("heading", name="Record an absence"))
    form.get_by_label("Kind of absence").select_option("leave")
    form.get_by_label("First day away").fill(today.isoformat())
    form.get_by_label("Last day away").fill((today + dt.timedelta(days=2)).isoformat())
    form.get_by_role("button", name="Record the absence").click()
    expect(page.get_by_role("status").filter(has_text="recorded")).to_be_visible()
    axe(page)
    recorded = Absence.objects.get(starts_on=today, ends_on=today + dt.timedelta(days=2), kind="leave")
    assert recorded.manager.get_full_name() == name

    page.goto(f"{live_server.url}/")
    office = page.locator("section", has=page.get_by_role("heading", name=re.compile("Your office's program managers")))
    row = office.locator("tbody tr", has=page.get_by_role("link", name=name, exact=True))
    expect(row).to_contain_text(f"until {(today + dt.timedelta(days=2)):%m/%d/%Y}")  # the page's date format
    axe(page)
    keep_screenshot(page, "home-fod-houston-after-absence")
