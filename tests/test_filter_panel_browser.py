"""A filter panel in headless Chromium, used by keyboard only: a USWDS combo box and date
picker, the active filters as tags, one tag removed; axe on each state of the page."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def query(page) -> dict[str, list[str]]:
    return {k: v for k, v in parse_qs(urlsplit(page.url).query, keep_blank_values=True).items() if any(v)}


def test_filter_the_audit_trail_by_keyboard_with_a_combo_box_and_a_date_picker(
    page, live_server, login, axe, world, people
):
    login(page, people["chief"])
    page.goto(f"{live_server.url}/audit/")
    panel = page.locator("form.portal-filter-panel")
    axe(page)

    # The record type: a combo box (USWDS turns the select into a text box with a list).
    record_type = panel.get_by_role("combobox", name="Record type")
    expect(record_type).to_have_count(1)
    record_type.focus()
    page.keyboard.type("Agen")
    listbox = page.locator("#id_record_type--list")
    expect(listbox).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(record_type).to_have_value("Agency")

    # The first day: a date picker; typed as the hint says, sent as ISO 8601.
    date_from = panel.get_by_label("From (date)")
    expect(date_from).to_have_attribute("aria-describedby", re.compile("id_date_from-hint"))
    date_from.focus()
    page.keyboard.type("01/15/2020")
    # Its calendar opens from the keyboard too.
    page.keyboard.press("Tab")
    calendar_button = panel.locator(".usa-date-picker__button").first
    expect(calendar_button).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel.locator(".usa-date-picker__calendar").first).to_be_visible()
    axe(page)
    page.keyboard.press("Escape")
    expect(date_from).to_have_value("01/15/2020")

    # A yes/no filter is a radio group: Any / Yes / No.
    refused = panel.get_by_role("group", name="Refused attempts only")
    expect(refused.get_by_role("radio")).to_have_count(3)
    refused.get_by_role("radio", name="No").focus()
    page.keyboard.press("Space")

    panel.get_by_role("button", name="Apply filters").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"record_type="))
    # the picker sends what its box shows; the page reads it
    assert query(page) == {"record_type": ["agreements.agency"], "date_from": ["01/15/2020"], "denied": ["false"]}

    # The page comes back with the choices made, and the filters as removable tags.
    expect(panel.get_by_role("combobox", name="Record type")).to_have_value("Agency")
    expect(panel.get_by_label("From (date)")).to_have_value("01/15/2020")
    tags = page.get_by_role("region", name="Active filters").get_by_role("link")
    expect(tags).to_have_text(
        [
            re.compile(r"Remove filter Record type: Agency"),
            re.compile(r"Remove filter From \(date\): .*2020"),
            re.compile(r"Remove filter Refused attempts only: No"),
            "Clear all filters",
        ]
    )
    axe(page)

    # Removing one tag, by keyboard, keeps the others.
    tags.nth(1).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "date_from" not in url)
    assert query(page) == {"record_type": ["agreements.agency"], "denied": ["false"]}
    expect(panel.get_by_label("From (date)")).to_have_value("")
    expect(tags).to_have_count(3)

    page.get_by_role("link", name="Clear all filters").click()
    page.wait_for_url(f"{live_server.url}/audit/")
    expect(page.get_by_role("region", name="Active filters")).to_have_count(0)
