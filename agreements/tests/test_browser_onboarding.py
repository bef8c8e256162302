"""Bulk onboarding through the page in headless Chromium, with axe."""

import datetime as dt

import pytest

from agreements import services
from agreements.models import OnboardingEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADER = "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,ADDENDUM\n"


def _tick(page, label):
    """Tick a USWDS checkbox as a person does: by clicking its label (the input is drawn by the label)."""
    box = page.get_by_label(label, exact=True)
    page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    assert box.is_checked()


def test_hq_onboards_the_agencies_an_edition_added_in_bulk(page, live_server, login, axe, people):
    from staffing.models import Assignment

    content = HEADER + "".join(
        f"TEXAS,{name},County,{county},Task Force Model,2026-11-20,,\n"
        for name, county in (
            ("Harris County Sheriff's Office", "Harris County"),
            ("Nowhere Police Department", "Nowhere County"),
            ("Galveston County Sheriff's Office", "Galveston County"),
        )
    )
    edition = services.ice_import_preview(
        content=content.encode(),
        file_name="participatingAgencies11252026am.csv",
        acting_user=people["chief"],
        as_of=dt.date(2026, 11, 25),
    )
    services.ice_import_apply(ice_import=edition, acting_user=people["chief"])
    assert OnboardingEntry.objects.count() == 3

    login(page, people["npm"])
    page.goto(f"{live_server.url}/agreements/onboarding/")
    assert page.get_by_role("heading", name="3 agencies to onboard").is_visible()
    axe(page)
    # select two agencies, pick the managers, confirm offices, decide the installation
    _tick(page, "Select Harris County Sheriff's Office")
    _tick(page, "Select Nowhere Police Department")
    _tick(page, "Confirm their field office")
    page.get_by_label("Primary program manager").select_option(str(people["pm"].pk))
    page.get_by_label("Backup program manager").select_option(str(people["pm_other"].pk))
    page.get_by_label("Site installation").select_option("not_needed")
    page.get_by_role("button", name="Apply to the selected agencies").click()
    assert "2 finished onboarding" in page.locator(".usa-alert", has_text="finished onboarding").first.inner_text()
    assert page.get_by_role("heading", name="1 agency to onboard").is_visible()
    axe(page)
    assert Assignment.objects.filter(kind="primary", program_manager=people["pm"]).count() == 2
    assert OnboardingEntry.objects.filter(completed_on__isnull=False).count() == 2

    # nothing chosen: the page says what is missing, and nothing is written
    _tick(page, "Select Galveston County Sheriff's Office")
    page.get_by_role("button", name="Apply to the selected agencies").click()
    assert "Choose at least one thing to do" in page.locator("[role=alert]").first.inner_text()
    axe(page)
    assert OnboardingEntry.objects.filter(completed_on__isnull=True).count() == 1

    # the program's timeline draws its charts from static JavaScript, and the edition page, pass axe
    page.goto(f"{live_server.url}/agreements/timeline/")
    assert page.locator("#timeline-chart").is_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('timeline-chart'))")
    axe(page)
    page.goto(f"{live_server.url}{edition.get_absolute_url()}")
    axe(page)
    page.goto(f"{live_server.url}/agreements/ice-fetches/")
    axe(page)
