"""Each role's home page: a field program manager's agencies (readiness, next deadline),
steps to update, officers to remind and findings a page at a time; a field office
director's office; OCIO's installations; HQ's national dashboard. Scoped, and in a
number of statements that does not grow with the agencies in scope."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.tests.factories import AgencyFactory, AgreementFactory
from itdeploy import services as itdeploy_services
from itdeploy.tests.factories import open_for, steps_of
from portal.compliance.models import Finding
from portal.roles import Role
from portal.tests.factories import staff
from staffing.choices import AssignmentKind
from staffing.tests.factories import AbsenceFactory, AssignmentFactory
from training.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

#: Noon in Washington on 1 August 2017: two months after the world's MOAs were signed
#: (2017-06-01), the first day of the recertification reminders.
NOW = dt.datetime(2017, 8, 1, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW.date()


@pytest.fixture
def plan(db):
    from itdeploy.models import InstallationSettings, ProgramModelSetting, StepTemplate
    from itdeploy.plan import load_default_plan

    load_default_plan(StepTemplate, ProgramModelSetting, InstallationSettings)


@pytest.fixture
def homes(world, people, offices, plan, frozen):
    """The world's agencies with their installations open (step 1, OCIO's request, runs
    from the MOA signature), a Dallas agency with its own manager, installation and
    officer, and a Harris officer whose card is in its warning days."""
    dallas_pm = staff(Role.FIELD_PM, offices["DAL"], username="pm_dal")
    dallas = AgencyFactory(name="Dallas County Sheriff's Office", county="Dallas", field_office=offices["DAL"])
    AssignmentFactory(agency=dallas, program_manager=dallas_pm, kind=AssignmentKind.PRIMARY)
    agreement = AgreementFactory(agency=dallas)
    installations = {key: open_for(a) for key, a in world["agreements"].items()}
    installations["dallas"] = open_for(agreement)
    OfficerFactory(agency=dallas, last_name="Dallasman", card_last_login_on=dt.date(2017, 7, 6))
    # Last login 5 July: d = 27 days today, a warning; the card lapses on 5 August (d = 31).
    officer = OfficerFactory(agency=world["mine"], last_name="Warnock", card_last_login_on=dt.date(2017, 7, 5))
    return {**world, "dallas": dallas, "dallas_pm": dallas_pm, "installations": installations, "officer": officer}


def text(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))).strip()


def text_of(response) -> str:
    body = response.content.decode()
    return text(body[body.index('id="main-content"') :])


def section(response, name: str) -> str:
    """The text of one section of the home page (``home-agencies``, ``home-installations``...)."""
    body = response.content.decode()
    start = body.index(f'<section aria-labelledby="{name}">')
    return text(body[start : body.index("</section>", start)])


def open_finding(agency, responsible, *, subject_id=None, label=None):
    """An open finding about an agency (as the sweep records one), for ``responsible``."""
    return Finding.objects.create(
        rule="itdeploy.installation_overdue",
        category="itdeploy",
        subject_type=ContentType.objects.get_for_model(agency),
        subject_id=subject_id or agency.pk,
        subject_label=label or agency.name,
        agency=agency,
        field_office=agency.field_office,
        responsible=responsible,
    )


def test_manager_home_lists_their_agencies_with_readiness_and_next_deadline(client, homes, people):
    client.force_login(people["pm"])
    response = client.get("/")
    page = text_of(response)
    agencies = section(response, "home-agencies")
    assert "Your agencies (1)" in agencies
    assert "Harris County Sheriff's Office" in agencies
    # Harris: signed, a primary, equipment not installed: not ready; its nearest deadline
    # ahead is Warnock's card (goal 2017-11-28, recertification 2017-09-30 are later).
    assert "Not ready" in agencies and "ICE's equipment is not operational at the site yet." in agencies
    assert "Security card lapses: 08/05/2017" in agencies
    assert "1 overdue, the oldest: step 1 due 06/11/2017" in agencies  # 10 days from the MOA
    # Scope: not Galveston (Houston, another manager's), nor Dallas or Collier (other offices).
    for other in ("Galveston County", "Dallas County", "Collier County", "Dallasman"):
        assert other not in page


def test_manager_home_lists_steps_to_update_and_officers_to_remind(client, homes, people):
    steps = steps_of(homes["installations"]["mine"])
    itdeploy_services.step_complete(step=steps[1], completed_on=dt.date(2017, 6, 9), acting_user=people["pm"])
    itdeploy_services.step_start(step=steps[2], started_on=dt.date(2017, 6, 9), acting_user=people["pm"])
    client.force_login(people["pm"])
    response = client.get("/")
    to_update = section(response, "home-installations")
    # Step 2 (ISA) runs, due 45 days after its start; steps 3 and 5 can start; step 4 and
    # 6 wait on others. Dallas's steps are not this manager's.
    assert "Installation steps to update (3)" in to_update
    assert "Interconnection Service Agreement (ISA) signed by the ICE CISO ICE CISO In progress 07/24/2017" in to_update
    assert "Equipment bids and purchase order (OAQ)" in to_update and "T1 router installed" in to_update
    assert "Equipment delivered" not in to_update and "Dallas" not in to_update
    remind = section(response, "home-reminders")
    assert "Officers to remind (1)" in remind
    assert "Warnock" in remind and "Card lapses on 08/05/2017" in remind
    assert "PALMS recertification due on 09/30/2017" in remind  # the season opened today
    assert "Refresher due" not in remind.split("Card lapses")[1].split("close to lapsing")[0]  # due 2018-06-01


def test_manager_findings_come_a_page_at_a_time(client, homes, people):
    agency = homes["mine"]
    for n in range(23):
        open_finding(agency, people["pm"], subject_id=10_000 + n, label=f"Subject {n:02d}")
    client.force_login(people["pm"])
    response = client.get("/")
    first = response.content.decode()
    assert "Findings you are responsible for (23)" in section(response, "home-findings")
    rows = re.findall(r"Subject \d\d", first)
    assert len(rows) == 10
    assert "Page 1 of 3" in first
    last = client.get("/", {"page": 3}).content.decode()
    assert len(re.findall(r"Subject \d\d", last)) == 3 and "Page 3 of 3" in last
    assert 'href="/findings/?mine=true&amp;is_open=true"' in first


def test_director_home_shows_the_office(client, homes, people):
    AbsenceFactory(manager=people["pm_other"], starts_on=dt.date(2017, 7, 31), ends_on=dt.date(2017, 8, 4))
    client.force_login(people["fod"])
    response = client.get("/")
    page = text_of(response)
    agencies = section(response, "home-agencies")
    assert "Your office's agencies (2)" in agencies
    assert "Harris County" in agencies and "Galveston County" in agencies
    managers = section(response, "home-office")
    absent = people["pm_other"].get_full_name() or people["pm_other"].username
    assert re.search(re.escape(absent) + r" \d+ \d+ [^ ]+ Absent \(\w+\) until 08/04/2017", managers)
    assert "Installations in progress in your office (2)" in page
    assert "Open findings in your office" in page
    for other in ("Dallas County", "Collier County", "Dallasman"):
        assert other not in page


def test_ocio_home_lists_the_steps_waiting_for_ocio_and_installation_figures(client, homes, people):
    # Dallas's request (step 1) is done: its next steps are the CISO's, OAQ's and the
    # telecom's, not OCIO's.
    steps = steps_of(homes["installations"]["dallas"])
    itdeploy_services.step_complete(step=steps[1], completed_on=dt.date(2017, 6, 9), acting_user=people["ocio"])
    client.force_login(people["ocio"])
    response = client.get("/")
    page = text_of(response)
    waiting = section(response, "home-installations")
    assert "Installations waiting for OCIO (3)" in waiting  # Harris, Galveston, Collier: step 1
    assert "Collier County" in waiting and "Dallas County" not in waiting
    assert "ICE CISO" not in waiting
    assert "4 installations in progress" in waiting
    assert "0 past the 180-day goal" in waiting
    assert "signed agreements" not in page and "pending applications" not in page


def test_hq_home_is_the_national_dashboard(client, homes, people):
    client.force_login(people["npm"])
    page = text_of(client.get("/"))
    assert "National dashboard" in page and "Your agencies" not in page


def test_home_runs_as_many_statements_for_2_as_for_20_agencies(client, homes, people, offices):
    def count(user):
        client.force_login(user)
        client.get("/")  # warm the per-process caches (settings, registries)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    def add_agency(n):
        agency = AgencyFactory(name=f"Extra County {n} Sheriff's Office", field_office=offices["HOU"])
        AssignmentFactory(agency=agency, program_manager=people["pm"], kind=AssignmentKind.PRIMARY)
        open_for(AgreementFactory(agency=agency))
        OfficerFactory(agency=agency, card_last_login_on=dt.date(2017, 7, 5))
        open_finding(agency, people["pm"])

    add_agency(0)  # the manager: Harris and one more
    counts = {role: count(people[role]) for role in ("pm", "fod", "ocio")}
    for n in range(1, 19):
        add_agency(n)
    assert {role: count(people[role]) for role in ("pm", "fod", "ocio")} == counts
    client.force_login(people["pm"])
    assert "Your agencies (20)" in text_of(client.get("/"))
