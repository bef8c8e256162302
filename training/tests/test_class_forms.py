"""The browser forms of the academy: HQ schedules classes on the calendar; Field PMs
and HQ enrol and withdraw officers on the class page; the officer list's agency search."""

import datetime as dt

import pytest
import time_machine

from training import forms
from training.choices import EnrollmentStatus, OfficerStatus
from training.models import AcademyClass, Enrollment

from .factories import AcademyClassFactory, OfficerFactory, charleston, course

pytestmark = pytest.mark.django_db

CALENDAR = "/training/classes/"


@pytest.fixture(autouse=True)
def frozen():
    # 1 March 2018: Q2 of FY2018; October 2018 is Q1 of FY2019.
    with time_machine.travel(dt.datetime(2018, 3, 1, 17, 0, tzinfo=dt.UTC), tick=False):
        yield


def schedule(client, code, starts_on, **extra):
    data = {"course": course(code).pk, "site": charleston().pk, "starts_on": starts_on, "capacity": 24, **extra}
    return client.post(CALENDAR, data)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- scheduling -----------------------------------------------------------------------


def test_hq_schedules_a_class_whose_end_follows_from_the_course(client, people):
    client.force_login(people["npm"])
    page = client.get(CALENDAR).content.decode()
    assert "Schedule a class" in page and 'value="24"' in page and "IADRP 7 days" in page
    response = schedule(client, "IADRP", "2018-04-02", capacity="")
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    response = schedule(client, "IADRP", "2018-04-02")
    assert response.status_code == 302 and response["Location"] == f"{CALENDAR}?fy=2018"
    academy_class = AcademyClass.objects.get()
    assert academy_class.ends_on == dt.date(2018, 4, 8) and academy_class.capacity == 24
    assert academy_class.history.first().history_user == people["npm"]
    followed = client.get(response["Location"])
    assert any("IADRP class scheduled at" in m for m in messages_of(followed))
    assert "IADRP<span" in followed.content.decode()


def test_basic_class_in_q1_is_refused_then_scheduled_with_hq_override(client, people):
    client.force_login(people["chief"])
    response = schedule(client, "IADP", "2018-10-15")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Basic classes are not held in Q1 of the fiscal year" in page
    assert 'id="id_starts_on-error"' in page and 'aria-describedby="id_starts_on-error"' in page
    assert 'aria-invalid="true"' in page and "usa-error-message" in page
    assert AcademyClass.objects.count() == 0

    response = schedule(client, "IADP", "2018-10-15", q1_override="on")
    assert (
        response.status_code == 400
        and "Give the reason for holding this basic class in Q1" in response.content.decode()
    )

    response = schedule(client, "IADP", "2018-10-15", q1_override="on", q1_override_reason="Surge of new agreements")
    assert response.status_code == 302 and response["Location"] == f"{CALENDAR}?fy=2019"
    academy_class = AcademyClass.objects.get()
    assert academy_class.q1_override_reason == "Surge of new agreements"
    assert academy_class.q1_override_by == people["chief"]
    assert academy_class.ends_on == dt.date(2018, 11, 11)  # 28 days
    assert "(Q1 override)" in client.get(response["Location"]).content.decode()


def test_reason_without_the_override_ticked_is_not_an_override(client, people):
    client.force_login(people["chief"])
    response = schedule(client, "IADP", "2018-10-15", q1_override_reason="Forgot the box")
    assert response.status_code == 400 and AcademyClass.objects.count() == 0


def test_site_concurrency_limit_is_shown(client, people):
    AcademyClassFactory(starts_on=dt.date(2018, 4, 2))
    AcademyClassFactory(starts_on=dt.date(2018, 4, 9))
    client.force_login(people["npm"])
    response = schedule(client, "IADRP", "2018-04-16")
    page = response.content.decode()
    assert response.status_code == 400
    assert "already runs 2 class(es) on these dates; its limit is 2 at the same time" in page
    assert "usa-alert--error" in page and AcademyClass.objects.count() == 2


@pytest.mark.parametrize("who", ["pm", "fod", "analyst", "ocio"])
def test_only_hq_writers_see_and_use_the_schedule_form(client, people, who):
    client.force_login(people[who])
    assert "Schedule a class" not in client.get(CALENDAR).content.decode()
    assert schedule(client, "IADRP", "2018-04-02").status_code == 403
    assert AcademyClass.objects.count() == 0


# --- enrolment and withdrawal -------------------------------------------------------------


def adjudicated(agency, **kwargs):
    return OfficerFactory(agency=agency, status=OfficerStatus.ADJUDICATED, certified_on=None, **kwargs)


def test_pm_enrols_own_officer_and_cannot_enrol_another_agencys(client, people, world):
    academy_class = AcademyClassFactory(starts_on=dt.date(2018, 4, 2))
    own = adjudicated(world["mine"], last_name="Ownofficer")
    nominated = OfficerFactory(
        agency=world["mine"], last_name="Nominee", status=OfficerStatus.NOMINATED, certified_on=None
    )
    foreign = adjudicated(world["miami"], last_name="Collierofficer", officer_number="COL-1")
    url = academy_class.get_absolute_url()
    client.force_login(people["pm"])
    page = client.get(url).content.decode()
    assert "Enrol an officer" in page and "Ownofficer" in page
    assert "Collierofficer" not in page and "Nominee" not in page  # outside scope; not adjudicated

    response = client.post(url, {"action": "enrol", "officer": foreign.pk})
    page = response.content.decode()
    assert response.status_code == 400
    assert forms.EnrolForm.NOT_FOUND in page and "Collierofficer" not in page and "COL-1" not in page
    assert 'aria-describedby="id_officer-hint id_officer-error"' in page
    assert client.post(url, {"action": "enrol", "officer": nominated.pk}).status_code == 400
    assert not Enrollment.objects.exists()

    response = client.post(url, {"action": "enrol", "officer": own.pk})
    assert response.status_code == 302
    followed = client.get(url)
    assert f"{own.first_name} Ownofficer has a seat in this class." in messages_of(followed)
    own.refresh_from_db()
    assert own.status == OfficerStatus.IN_TRAINING
    assert Enrollment.objects.get().requested_by == people["pm"]
    # Already enrolled: no longer offered, and a second request is refused.
    assert client.post(url, {"action": "enrol", "officer": own.pk}).status_code == 400


def test_officer_number_input_when_there_are_many_officers(client, people, world, monkeypatch):
    monkeypatch.setattr(forms, "ENROL_SELECT_LIMIT", 0)
    academy_class = AcademyClassFactory(course=course("IADRP"), starts_on=dt.date(2018, 4, 2))
    own = OfficerFactory(agency=world["mine"], officer_number="HC-7")
    OfficerFactory(agency=world["miami"], officer_number="COL-7")
    url = academy_class.get_absolute_url()
    client.force_login(people["pm"])
    assert 'name="officer" maxlength="30"' in client.get(url).content.decode()
    response = client.post(url, {"action": "enrol", "officer": "COL-7"})
    assert response.status_code == 400 and forms.EnrolForm.NOT_FOUND in response.content.decode()
    response = client.post(url, {"action": "enrol", "officer": "hc-7"})
    assert response.status_code == 302
    assert Enrollment.objects.get().officer == own


def test_withdraw_through_the_page_promotes_the_waiting_list(client, people, world):
    academy_class = AcademyClassFactory(starts_on=dt.date(2018, 4, 2), capacity=1)
    first = adjudicated(world["mine"], last_name="Firstin")
    second = adjudicated(world["mine"], last_name="Secondin")
    url = academy_class.get_absolute_url()
    client.force_login(people["pm"])
    client.post(url, {"action": "enrol", "officer": first.pk})
    response = client.post(url, {"action": "enrol", "officer": second.pk}, follow=True)
    assert any(
        "The class is full" in m and "Secondin is on the waiting list (number 1)" in m for m in messages_of(response)
    )
    seat = Enrollment.objects.get(officer=first)
    page = response.content.decode()
    assert page.count(">Withdraw<") == 2

    response = client.post(url, {"action": "withdraw", "enrollment": seat.pk}, follow=True)
    assert any("Firstin withdrawn from the class" in m and "Secondin" in m for m in messages_of(response))
    seat.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert seat.status == EnrollmentStatus.WITHDRAWN and first.status == OfficerStatus.ADJUDICATED
    assert Enrollment.objects.get(officer=second).status == EnrollmentStatus.ENROLLED
    assert second.status == OfficerStatus.IN_TRAINING
    # Withdrawing again: the enrolment is no longer active.
    response = client.post(url, {"action": "withdraw", "enrollment": seat.pk}, follow=True)
    assert "This enrolment is no longer active." in messages_of(response)


def test_hq_enrols_any_officer_and_withdraw_is_scoped(client, people, world):
    academy_class = AcademyClassFactory(starts_on=dt.date(2018, 4, 2))
    foreign = adjudicated(world["miami"], last_name="Collierofficer")
    url = academy_class.get_absolute_url()
    client.force_login(people["npm"])
    assert client.post(url, {"action": "enrol", "officer": foreign.pk}).status_code == 302
    enrollment = Enrollment.objects.get()

    client.force_login(people["pm"])  # Harris County's PM: the Collier officer is not theirs
    assert client.post(url, {"action": "withdraw", "enrollment": enrollment.pk}).status_code == 404
    assert client.post(url, {"action": "withdraw", "enrollment": "x"}).status_code == 404
    client.force_login(people["analyst"])  # sees it, may not change it
    page = client.get(url).content.decode()
    assert "Collierofficer" in page and "Enrol an officer" not in page and ">Withdraw<" not in page
    assert client.post(url, {"action": "withdraw", "enrollment": enrollment.pk}).status_code == 403
    assert client.post(url, {"action": "enrol", "officer": foreign.pk}).status_code == 403
    client.force_login(people["fod"])
    assert client.post(url, {"action": "enrol", "officer": foreign.pk}).status_code == 403
    client.force_login(people["pm_miami"])
    assert client.post(url, {"action": "withdraw", "enrollment": enrollment.pk}).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
    assert client.post("/training/classes/999999/", {"action": "enrol"}).status_code == 404


def test_closed_class_takes_no_enrolment(client, people, world):
    academy_class = AcademyClassFactory(starts_on=dt.date(2018, 1, 8))  # ended 4 February
    officer = adjudicated(world["mine"])
    client.force_login(people["pm"])
    page = client.get(academy_class.get_absolute_url()).content.decode()
    assert "This class no longer takes enrolments." in page and "Enrol an officer" not in page
    response = client.post(academy_class.get_absolute_url(), {"action": "enrol", "officer": officer.pk})
    assert response.status_code == 400 and "This class is no longer open for enrolment." in response.content.decode()


# --- officer list: agency name search ---------------------------------------------------------


def test_officer_list_searches_agencies_by_name(client, api, people, world):
    OfficerFactory(agency=world["mine"], last_name="Harrisofficer")
    OfficerFactory(agency=world["houston_other"], last_name="Galvestonofficer")
    client.force_login(people["fod"])
    page = client.get("/officers/").content.decode()
    # the page offers the reader's agencies by name (a list, not an id box nor free text)
    assert 'name="agency"' in page and "Agency id" not in page and 'name="agency_name"' not in page
    page = client.get("/officers/?agency_name=galveston").content.decode()
    assert "Galvestonofficer" in page and "Harrisofficer" not in page
    # Links from the agency page still narrow by id, and say so.
    page = client.get(f"/officers/?agency={world['mine'].pk}").content.decode()
    assert "Harrisofficer" in page and "Galvestonofficer" not in page
    assert "Only officers of Harris County Sheriff&#x27;s Office" in page
    # The API keeps both filters.
    names = lambda r: {o["last_name"] for o in r.json()["results"]}  # noqa: E731
    assert names(api(people["fod"]).get("/api/v1/officers/?agency_name=HARRIS")) == {"Harrisofficer"}
    assert names(api(people["fod"]).get(f"/api/v1/officers/?agency={world['houston_other'].pk}")) == {
        "Galvestonofficer"
    }
