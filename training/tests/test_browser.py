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


def test_schedule_a_class_then_enrol_an_officer(page, live_server, login, axe, world, people):
    from playwright.sync_api import expect

    from portal import dates
    from training.choices import OfficerStatus
    from training.models import AcademyClass, Enrollment

    course("IADP")  # the catalogue and the Charleston site
    officer = OfficerFactory(
        agency=world["mine"], last_name="Refresh", first_name="Rita", status=OfficerStatus.CERTIFIED
    )
    OfficerFactory(agency=world["miami"], last_name="Elsewhere")
    today = dates.today()
    q1_start = dates.fiscal_year_start(dates.fiscal_year(today) + 1) + dt.timedelta(days=14)
    starts = today + dt.timedelta(days=30)

    login(page, people["npm"])
    page.goto(f"{live_server.url}/training/classes/")
    assert page.get_by_role("heading", name="Schedule a class").is_visible()
    axe(page)
    # A basic class in Q1 is refused, with the reason next to the date.
    page.get_by_label("Course").select_option(str(course("IADP").pk))
    page.get_by_label("Start date").fill(q1_start.isoformat())
    page.get_by_role("button", name="Schedule the class").click()
    error = page.locator("#id_starts_on-error")
    expect(error).to_contain_text("Basic classes are not held in Q1")
    expect(page.get_by_label("Start date")).to_have_attribute("aria-describedby", "id_starts_on-error")
    axe(page)
    # A refresher next month is scheduled.
    page.get_by_label("Course").select_option(str(course("IADRP").pk))
    page.get_by_label("Start date").fill(starts.isoformat())
    page.get_by_label("Seats").fill("12")
    page.get_by_role("button", name="Schedule the class").click()
    expect(page.get_by_role("status").filter(has_text="IADRP class scheduled")).to_be_visible()
    academy_class = AcademyClass.objects.get()
    assert academy_class.capacity == 12 and academy_class.ends_on == starts + dt.timedelta(days=6)
    axe(page)

    page.context.clear_cookies()  # sign out: the field PM enrols
    login(page, people["pm"])
    page.goto(f"{live_server.url}{academy_class.get_absolute_url()}")
    select = page.get_by_role("combobox", name="Officer")
    assert "Elsewhere" not in select.inner_text()
    select.select_option(str(officer.pk))
    page.get_by_role("button", name="Enrol", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Rita Refresh has a seat in this class.")).to_be_visible()
    assert Enrollment.objects.get().officer == officer
    expect(page.get_by_role("button", name="Withdraw Rita Refresh")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Withdraw Rita Refresh").click()
    expect(page.get_by_role("status").filter(has_text="Rita Refresh withdrawn from the class.")).to_be_visible()
    axe(page)
