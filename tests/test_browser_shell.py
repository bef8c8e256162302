"""The shell in headless Chromium: sign in, agency list, filter, open an agency; axe."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_sign_in_filter_agencies_and_open_one(page, live_server, login, axe, world, people):
    page.goto(f"{live_server.url}/agencies/")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("heading", name="System use notification").is_visible()
    axe(page)

    login(page, people["fod"])
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("heading", name=re.compile("Welcome")).is_visible()
    axe(page)

    page.get_by_role("link", name="Agencies", exact=True).first.click()
    rows = page.locator("table.usa-table tbody tr")
    expect(rows).to_have_count(2)  # Harris and Galveston: the Houston office
    axe(page)

    page.get_by_label("Search").fill("galveston")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"q=galveston"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Galveston County")

    page.get_by_role("link", name="Galveston County Sheriff's Office").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Galveston County Sheriff's Office"
    assert page.get_by_role("heading", name="History of changes").is_visible()
    axe(page)


def test_skip_link_moves_focus_to_the_content(page, live_server, login, world, people):
    login(page, people["chief"])
    page.goto(f"{live_server.url}/agreements/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_grouped_menu_opens_from_the_keyboard_and_marks_one_current_page(page, live_server, login, axe, world, people):
    login(page, people["chief"])
    page.goto(f"{live_server.url}/")
    staffing = page.get_by_role("button", name="Staffing", exact=True)
    staffing.focus()
    page.keyboard.press("Enter")
    expect(staffing).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="Staffing plan").click()
    page.wait_for_url(re.compile(r"/staffing/plan/"))
    current = page.locator("nav [aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Staffing plan")
    axe(page)
