"""Whether an officer can act depends on what the agreement's 287(g) model needs (issue
12, item 6): a Jail Enforcement Model officer acts only once the site's equipment works
(a completed installation); Task Force and Warrant Service officers need no site. One
definition (``Officer.objects.able_to_act_q`` and ``Officer.reasons_cannot_act``) behind
the officer list's column and filter, the officer page, the API's ``can_act`` and the
figures other apps read (``certified_officers_by_agency``, readiness, dashboard)."""

import datetime as dt

import pytest
import time_machine

from agreements.tests.factories import AgencyFactory, AgreementFactory
from itdeploy import services as itdeploy
from itdeploy.choices import PauseReason
from itdeploy.models import InstallationSettings, ProgramModelSetting, StepTemplate
from itdeploy.plan import load_default_plan
from staffing.tests.factories import AssignmentFactory
from training.models import Officer
from training.selectors import certified_officers_by_agency
from training.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2017, 7, 1)


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(15, tzinfo=dt.UTC)), tick=False)


@pytest.fixture
def plan(db):
    load_default_plan(StepTemplate, ProgramModelSetting, InstallationSettings)


def standing_everywhere(officer, client, api, user):
    """What every reader says of ``officer`` today: the model's definition, the API's
    field and filter, the list page's filter and column, the officer page, the hook."""
    standing = Officer.objects.with_standing().get(pk=officer.pk)
    body = api(user).get(f"/api/v1/officers/{officer.pk}/").json()
    client.force_login(user)
    able_ids = [r["id"] for r in api(user).get("/api/v1/officers/", {"can_act": "true"}).json()["results"]]
    unable_ids = [r["id"] for r in api(user).get("/api/v1/officers/", {"can_act": "false"}).json()["results"]]
    listed = client.get("/officers/", {"can_act": "true"}).content.decode()
    csv = b"".join(client.get("/officers/", {"export": "csv", "q": officer.officer_number}).streaming_content)
    page = client.get(officer.get_absolute_url()).content.decode()
    return {
        "model": standing.can_act(),
        "reasons": " ".join(standing.reasons_cannot_act()),
        "api": body["can_act"],
        "api_reasons": " ".join(body["cannot_act_because"]),
        "api_filter": (officer.pk in able_ids, officer.pk in unable_ids),
        "page_filter": f'href="{officer.get_absolute_url()}"' in listed,  # its row links to the officer
        "column": csv.decode().splitlines()[1],
        "page": page,
        "hook": certified_officers_by_agency(dates_today()).get(officer.agency_id, 0),
    }


def dates_today():
    from portal import dates

    return dates.today()


def finish(installation, user, on):
    steps = {s.number: s for s in installation.steps.all()}
    for number in sorted(steps):
        if steps[number].completed_on is None:
            if steps[number].started_on is None:
                itdeploy.step_start(step=steps[number], started_on=on, acting_user=user)
            itdeploy.step_complete(step=steps[number], completed_on=on, acting_user=user)
        installation.refresh_from_db()
        if installation.operational_on:
            return


def test_a_jail_enforcement_officer_acts_only_once_the_site_equipment_works(world, people, plan, client, api):
    agreement = world["agreements"]["mine"]  # Jail Enforcement Model, signed 2017-06-01
    officer = OfficerFactory(agency=world["mine"], certified_on=dt.date(2017, 6, 20), card_last_login_on=DAY)
    with at(DAY):
        installation = itdeploy.installation_open(agreement=agreement, acting_user=people["chief"])
        before = standing_everywhere(officer, client, api, people["pm"])
        # a step paused while waiting on the agency: still no working equipment
        step = installation.steps.filter(started_on__isnull=False).first()
        itdeploy.step_pause(step=step, paused_on=DAY, reason=PauseReason.values[0], acting_user=people["ocio"])
        paused = Officer.objects.with_standing().get(pk=officer.pk)
        itdeploy.step_resume(step=step, resumed_on=DAY, acting_user=people["ocio"])
        finish(installation, people["ocio"], DAY)
        after = standing_everywhere(officer, client, api, people["pm"])
    reason = "needs the site's equipment, which is not operational"
    assert before["model"] is False and reason in before["reasons"]
    assert before["api"] is False and reason in before["api_reasons"]
    assert before["api_filter"] == (False, True) and not before["page_filter"]
    assert before["column"].split(",").count("No") >= 1 and "Yes" not in before["column"].split(",")
    assert "which is not operational (no completed installation)" in before["page"] and before["hook"] == 0
    assert not paused.can_act() and reason in " ".join(paused.reasons_cannot_act())
    assert after["model"] is True and after["reasons"] == "" and after["api"] is True
    assert after["api_filter"] == (True, False) and after["page_filter"]
    assert (
        "Yes" in after["column"].split(",") and "no completed installation" not in after["page"] and after["hook"] == 1
    )


def test_a_warrant_service_officer_acts_without_an_installation(people, plan, client, api):
    agency = AgencyFactory(name="Brevard County Sheriff's Office", state="FL", county="Brevard")
    AgreementFactory(agency=agency, program_model="wso", signed_on=dt.date(2017, 6, 1))
    AssignmentFactory(agency=agency, program_manager=people["pm_miami"])
    officer = OfficerFactory(agency=agency, certified_on=dt.date(2017, 6, 20), card_last_login_on=DAY)
    with at(DAY):
        seen = standing_everywhere(officer, client, api, people["pm_miami"])
        agency_page = client.get(agency.get_absolute_url()).content.decode()
    assert seen["model"] is True and seen["api"] is True and seen["api_filter"] == (True, False)
    assert seen["page_filter"] and seen["hook"] == 1 and "equipment" not in seen["page"]
    assert 'id="installation-heading"' not in agency_page and "equipment" not in agency_page.lower()


def test_an_agency_also_under_a_task_force_agreement_acts_without_the_site(world, people, plan):
    """Officers belong to the agency, not to one agreement: under a Task Force agreement in
    force beside the Jail Enforcement one, they act without the site's equipment; once
    only the Jail Enforcement one is in force, they need it again."""
    task_force = AgreementFactory(agency=world["mine"], program_model="tfm", signed_on=dt.date(2017, 6, 1))
    officer = OfficerFactory(agency=world["mine"], certified_on=dt.date(2017, 6, 20), card_last_login_on=DAY)
    with at(DAY):
        assert Officer.objects.with_standing().get(pk=officer.pk).can_act()
        from agreements import services as agreements

        agreements.agreement_suspend(
            agreement=task_force, acting_user=people["chief"], effective_on=DAY, reason="Audit"
        )
        standing = Officer.objects.with_standing().get(pk=officer.pk)
    assert not standing.can_act() and "needs the site's equipment" in " ".join(standing.reasons_cannot_act())
