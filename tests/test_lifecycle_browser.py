"""The pages of an ended or suspended agreement in headless Chromium, checked with axe: the
agency page saying what ended and when, and a refused resolution shown on the form."""

import datetime as dt

import pytest

from agreements import services
from portal.compliance.models import Finding
from portal.compliance.sweep import sweep_run
from training.tests.factories import OfficerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_terminated_agency_page_and_refused_resolution_pass_axe(page, live_server, login, axe, world, people):
    agency = world["mine"]
    OfficerFactory(agency=agency, certified_on=dt.date(2017, 1, 5), card_last_login_on=dt.date.today())
    sweep_run(notify=False, rule_codes=["staffing.primary_without_backup"])
    services.agreement_terminate(
        agreement=world["agreements"]["mine"],
        acting_user=people["chief"],
        effective_on=dt.date.today(),
        reason="The county ended its participation",
    )
    login(page, people["chief"])
    page.goto(f"{live_server.url}{agency.get_absolute_url()}")
    assert page.get_by_role("heading", name="What ended, and when").is_visible()
    assert (
        "No 287(g) agreement of this agency is in force today"
        in page.locator(".usa-alert", has_text="in force").first.inner_text()
    )
    assert "designation of 1 officer ended" in page.content()
    axe(page)

    finding = Finding.objects.get(rule="staffing.primary_without_backup", subject_id=world["houston_other"].pk)
    page.goto(f"{live_server.url}{finding.get_absolute_url()}")
    page.get_by_label("Note").fill("Looked into it")
    page.get_by_role("button", name="Resolve").click()
    assert (
        "The condition still holds"
        in page.locator(".usa-alert", has_text="The condition still holds").first.inner_text()
    )
    assert page.get_by_label("Note").input_value() == "Looked into it"
    axe(page)
