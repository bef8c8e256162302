"""The import of ICE's list in headless Chromium: upload, preview, apply; axe."""

import re

import pytest

from agreements.tests.test_importer import PENDING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_upload_shows_the_preview_then_applies(page, live_server, login, axe, world, people):
    login(page, people["chief"])
    page.goto(f"{live_server.url}/agreements/ice-imports/")
    axe(page)
    page.locator("input[type=file]").set_input_files(str(PENDING))
    page.get_by_role("button", name="Read and preview").click()
    page.wait_for_url(re.compile(r".*/agreements/ice-imports/\d+/$"))  # by way of the job's page
    assert page.get_by_role("heading", level=1).inner_text() == "Preview of pendingAgencies01232026am.xlsx"
    counts = page.locator("#import-counts tbody tr").nth(1).inner_text()
    assert counts.split("\t")[:2] == ["Agreements", "57"]
    axe(page)
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    page.wait_for_url(re.compile(r".*/agreements/ice-imports/\d+/$"))
    assert "Applied" in page.locator(".usa-intro").inner_text()

    page.goto(f"{live_server.url}/agreements/?status=under_review")
    assert "57 results" in page.locator("#result-count").inner_text()
    page.locator("table.usa-table tbody tr th a").first.click()
    assert page.get_by_role("heading", name="Timeline").is_visible()
    axe(page)
