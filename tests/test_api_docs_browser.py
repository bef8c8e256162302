"""The API documentation page in headless Chromium: Swagger UI renders the schema and,
with an operation opened for trying and the schemas shown, passes axe."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_api_docs_render_the_operations_and_pass_axe(page, live_server, login, axe, people):
    login(page, people["pm"])
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("main").count() == 1  # Swagger UI's own, not a second one around it
    axe(page)

    # An operation opened and tried: its parameters' fields have names, nothing nests
    # a link in the toggle button.
    listing = page.locator("#operations-v1-v1_absences_list")
    listing.locator(".opblock-summary-control").click()
    listing.get_by_role("button", name="Try it out").click()
    expect(listing.locator("tr[data-param-name] select").first).to_have_attribute("aria-label", re.compile(r".+"))
    page.locator("#operations-v1-v1_absences_create .opblock-summary-control").click()
    page.get_by_role("button", name="Schemas").click()
    axe(page)
