"""Agreement transitions and documents over the API, by role."""

import datetime as dt

import pytest
import time_machine

from agreements.models import Agreement

pytestmark = pytest.mark.django_db

BODIES = {
    "review": {"effective_on": "2018-03-01"},
    "approve": {"effective_on": "2018-03-01"},
    "sign": {"signed_on": "2018-03-01"},
    "suspend": {"effective_on": "2018-03-01", "reason": "Misuse of authority"},
    "reinstate": {"effective_on": "2018-03-01"},
    "renew": {"signed_on": "2018-03-01"},
    "terminate": {"effective_on": "2018-03-01", "reason": "Ended by the county"},
    "withdraw": {"effective_on": "2018-03-01", "reason": "Withdrawn"},
}
STARTS = {
    "review": "application_received",
    "approve": "under_review",
    "sign": "approved",
    "suspend": "signed",
    "reinstate": "suspended",
    "renew": "signed",
    "terminate": "signed",
    "withdraw": "under_review",
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2018, 3, 15, 12, tzinfo=dt.UTC), tick=False):
        yield


def _in_status(agreement, status):
    signed = dt.date(2017, 6, 1) if status in ("signed", "suspended") else None
    Agreement.objects.filter(pk=agreement.pk).update(status=status, signed_on=signed, applied_on=dt.date(2017, 1, 10))


@pytest.mark.parametrize("verb", list(BODIES))
def test_hq_writers_make_transitions_others_may_not(world, people, api, verb):
    agreement = world["agreements"]["mine"]
    url = f"/api/v1/agreements/{agreement.pk}/{verb}/"
    _in_status(agreement, STARTS[verb])
    assert api().post(url, BODIES[verb]).status_code == 401
    for role in ("analyst", "fod", "pm", "ocio"):
        response = api(people[role]).post(url, BODIES[verb])
        assert response.status_code in (403, 404), role
    assert api(people["pm"]).post(url, BODIES[verb]).status_code == 403  # sees it, may not change it
    assert api(people["fod_miami"]).post(url, BODIES[verb]).status_code == 404  # outside the office
    assert api(people["pm_miami"]).post(url, BODIES[verb]).status_code == 404
    response = api(people["npm"]).post(url, BODIES[verb])
    assert response.status_code == 200, response.json()
    assert response.json()["events"][-1]["transition"] == verb
    assert response.json()["events"][-1]["acting_user"] == "npm"


def test_a_terminated_agreement_cannot_be_suspended(world, people, api):
    agreement = world["agreements"]["mine"]
    _in_status(agreement, "terminated")
    response = api(people["chief"]).post(f"/api/v1/agreements/{agreement.pk}/suspend/", BODIES["suspend"])
    assert response.status_code == 409 and "terminated" in response.json()["detail"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"effective_on": "2018-04-01", "reason": "x"}, "effective_on"),
        ({"effective_on": "2016-01-01", "reason": "x"}, "effective_on"),
        ({"effective_on": "2018-03-01"}, "reason"),
        ({"effective_on": "not a date", "reason": "x"}, "effective_on"),
    ],
)
def test_bad_dates_and_missing_reasons_are_400_with_the_field(world, people, api, body, field):
    agreement = world["agreements"]["mine"]
    response = api(people["chief"]).post(f"/api/v1/agreements/{agreement.pk}/terminate/", body)
    assert response.status_code == 400 and field in response.json()


def test_documents_are_listed_in_scope_and_added_by_hq(world, people, api):
    agreement = world["agreements"]["mine"]
    body = {
        "agreement": agreement.pk,
        "kind": "addendum",
        "dated_on": "2018-02-01",
        "title": "Addendum 1",
        "url": "https://www.ice.gov/doclib/287gMOA/addendum1.pdf",
    }
    assert api().post("/api/v1/agreement-documents/", body).status_code == 401
    assert api(people["pm"]).post("/api/v1/agreement-documents/", body).status_code == 403
    created = api(people["chief"]).post("/api/v1/agreement-documents/", body)
    assert created.status_code == 201, created.json()
    missing = api(people["chief"]).post("/api/v1/agreement-documents/", {**body, "url": ""})
    assert missing.status_code == 400 and "url" in missing.json()
    assert api(people["pm"]).get("/api/v1/agreement-documents/").json()["count"] == 1
    assert api(people["pm_miami"]).get("/api/v1/agreement-documents/").json()["count"] == 0
    assert api(people["pm_miami"]).get(f"/api/v1/agreement-documents/{created.json()['id']}/").status_code == 404
    other = world["agreements"]["miami"]
    refused = api(people["fod"]).post("/api/v1/agreement-documents/", {**body, "agreement": other.pk})
    assert refused.status_code == 403


def test_agreement_list_filters_not_listed_and_flagged(world, people, api):
    Agreement.objects.filter(pk=world["agreements"]["miami"].pk).update(
        not_listed_since=dt.date(2018, 3, 1), needs_review=True
    )
    rows = api(people["analyst"]).get("/api/v1/agreements/?not_on_ice_list=true").json()["results"]
    assert [r["agency_name"] for r in rows] == ["Collier County Sheriff's Office"]
    assert api(people["analyst"]).get("/api/v1/agreements/?needs_review=true").json()["count"] == 1
    assert api(people["pm"]).get("/api/v1/agreements/?not_on_ice_list=true").json()["count"] == 0
