"""The audit page in headless Chromium: filters, a refused attempt, axe."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_hq_filters_the_audit_trail_to_refused_attempts(page, live_server, login, axe, world, people):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(people["pm"])
    assert client.get(f"/api/v1/agencies/{world['miami'].pk}/").status_code == 404

    login(page, people["analyst"])
    page.goto(f"{live_server.url}/audit/")
    assert page.get_by_role("heading", level=1).inner_text() == "Audit trail"
    axe(page)
    refused = page.get_by_role("group", name="Refused attempts only")
    refused.locator("label", has_text="Yes").click()  # USWDS draws the radio on its label
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"denied=true"))
    rows = page.locator("table.usa-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Collier County")
    expect(rows.first).to_contain_text("404 /api/v1/agencies/")
    axe(page)
