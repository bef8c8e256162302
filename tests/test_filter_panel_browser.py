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


def test_choose_an_agency_by_keyboard_from_the_type_ahead(page, live_server, login, axe, world, people, monkeypatch):
    """HQ's agency list is a type-ahead (more than ``LONG_LIST`` agencies; two here): part
    of a name typed, the suggestions announced, one picked with the arrow keys and Enter,
    the filtered list with its tag, and the tag removed."""
    from portal import filter_panel
    from training.tests.factories import OfficerFactory

    monkeypatch.setattr(filter_panel, "LONG_LIST", 2)
    OfficerFactory(agency=world["mine"], last_name="Harrisson")
    OfficerFactory(agency=world["houston_other"], last_name="Galvez")
    login(page, people["chief"])
    page.goto(f"{live_server.url}/officers/")
    panel = page.locator("form.portal-filter-panel")
    rows = page.locator("table.usa-table tbody tr")
    expect(rows).to_have_count(2)

    box = panel.get_by_role("combobox", name="Agency")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(panel.locator("select[name=agency]")).to_have_count(0)  # no list of every agency on the page
    box.focus()
    page.keyboard.type("county sher")
    listbox = page.get_by_role("listbox", name="Suggestions: Agency")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options).to_have_text(
        [
            "Collier County Sheriff's Office (FL)",
            "Galveston County Sheriff's Office (TX)",
            "Harris County Sheriff's Office (TX)",
        ]
    )
    status = panel.locator(".portal-typeahead__status")
    expect(status).to_have_text("3 results available.")
    axe(page)

    # The arrow keys move the active suggestion; focus stays in the box.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-activedescendant", "id_agency--list--option-2")
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("Harris County Sheriff's Office (TX)")
    expect(status).to_have_text("Harris County Sheriff's Office (TX) chosen.")

    panel.get_by_role("button", name="Apply filters").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"agency=\d+"))
    assert query(page) == {"agency": [str(world["mine"].pk)]}  # the id, not the typed name
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Harrisson")
    expect(panel.get_by_role("combobox", name="Agency")).to_have_value("Harris County Sheriff's Office (TX)")
    tags = page.get_by_role("region", name="Active filters").get_by_role("link")
    expect(tags).to_have_text(
        [re.compile(r"Remove filter Agency: Harris County Sheriff's Office \(TX\)"), "Clear all filters"]
    )
    axe(page)

    # Removing the tag, by keyboard, shows every officer again.
    tags.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "agency=" not in url.split("?")[-1].replace("agency_search", ""))
    expect(rows).to_have_count(2)
    expect(panel.get_by_role("combobox", name="Agency")).to_have_value("")
    expect(page.get_by_role("region", name="Active filters")).to_have_count(0)


def test_the_header_shows_the_inbox_count_the_page_asks_for(page, live_server, login, world, people):
    from oversight.inbox import unread_count
    from oversight.tests.conftest import make_finding

    for key in ("mine", "houston_other"):
        make_finding("agreements.no_primary_manager", world[key], responsible=people["chief"])

    expected = unread_count(people["chief"])
    assert expected > 0
    login(page, people["chief"])
    page.goto(f"{live_server.url}/agencies/")
    inbox = page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name=re.compile("^Inbox"))
    expect(inbox).to_have_text(f"Inbox {expected} unread")
    page.goto(f"{live_server.url}/findings/inbox/")  # opening the inbox marks it read
    page.goto(f"{live_server.url}/agencies/")
    expect(inbox.locator(".usa-tag")).to_have_count(0)
    expect(inbox).to_have_text("Inbox")
