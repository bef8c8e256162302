"""In headless Chromium: who can act follows the agreement's model (issue 12, item 6). HQ
filters the officers who can act today: the Warrant Service officer is listed, the Jail
Enforcement officer of a site without working equipment is not, and that officer's page
says why; the Warrant Service agency's page shows no installation or equipment; axe on
each page."""

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_hq_sees_who_can_act_by_the_agreements_model(page, live_server, login, axe, world, people):
    from agreements.tests.factories import AgencyFactory, AgreementFactory
    from itdeploy.models import InstallationSettings, ProgramModelSetting, StepTemplate
    from itdeploy.plan import load_default_plan
    from portal import dates
    from training.tests.factories import OfficerFactory

    load_default_plan(StepTemplate, ProgramModelSetting, InstallationSettings)
    today = dates.today()
    warrant = AgencyFactory(name="Brevard County Sheriff's Office", state="FL", county="Brevard")
    AgreementFactory(agency=warrant, program_model="wso")
    recent = {"certified_on": today - dt.timedelta(days=30), "card_last_login_on": today - dt.timedelta(days=1)}
    OfficerFactory(agency=warrant, last_name="Warrantofficer", **recent)
    jail = OfficerFactory(agency=world["mine"], last_name="Jailofficer", **recent)

    login(page, people["chief"])
    page.goto(f"{live_server.url}/officers/?can_act=true")
    table = page.locator("table.usa-table tbody")
    expect(table).to_contain_text("Warrantofficer")
    expect(table).not_to_contain_text("Jailofficer")
    axe(page)

    page.goto(f"{live_server.url}/officers/?can_act=false")
    page.get_by_role("link", name=f"Jailofficer, {jail.first_name}").click()
    expect(page.locator("main")).to_contain_text("needs the site's equipment, which is not operational")
    axe(page)

    page.goto(f"{live_server.url}{warrant.get_absolute_url()}")
    main = page.locator("main")
    expect(main).to_contain_text("1 of 1 officer can act today")
    expect(page.get_by_role("heading", name="IT installation")).to_have_count(0)
    expect(main).not_to_contain_text("equipment")
    axe(page)
