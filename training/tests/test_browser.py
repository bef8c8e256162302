"""The officer list and the class calendar in headless Chromium, checked with axe."""

import datetime as dt

import pytest

from .factories import AcademyClassFactory, OfficerFactory, course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_officer_list_filter_and_officer_page(page, live_server, login, axe, world, people):
    OfficerFactory(agency=world["mine"], last_name="Ortiz", first_name="Ana", card_last_login_on=dt.date.today())
    OfficerFactory(agency=world["mine"], last_name="Lapsed", first_name="Lee", card_last_login_on=dt.date(2017, 1, 1))
    OfficerFactory(agency=world["miami"], last_name="Elsewhere")
    login(page, people["pm"])
    page.goto(f"{live_server.url}/officers/")
    rows = page.locator("table.usa-table tbody tr")
    assert rows.count() == 2
    axe(page)
    page.get_by_label("Search").fill("lapsed")
    page.get_by_role("button", name="Apply filters").click()
    assert rows.count() == 1
    page.get_by_role("link", name="Lapsed, Lee").click()
    assert page.get_by_role("heading", name="Can this officer act today?").is_visible()
    assert "security card has lapsed" in page.content()
    axe(page)


def test_class_calendar(page, live_server, login, axe, world, people):
    from portal import dates

    fy = dates.fiscal_year(dates.today())
    start, _ = dates.fiscal_quarter_bounds(fy, 3)
    AcademyClassFactory(course=course("IADP"), starts_on=start)
    login(page, people["fod"])
    page.goto(f"{live_server.url}/training/classes/")
    assert page.get_by_role("heading", name=f"Academy classes, FY{fy}").is_visible()
    assert page.get_by_role("heading", name="Q3", exact=False).count() == 1
    axe(page)
