"""The training API: 401 anonymous, 404 outside scope, 403 role may not act, 200/201
permitted, 400 bad input with field messages, 409 state conflict; bulk POSTs."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from training.choices import OfficerStatus, SuspensionCause
from training.models import Completion, Officer

from .factories import AcademyClassFactory, OfficerFactory, course, equip

pytestmark = pytest.mark.django_db
RESOURCES = ["officers", "courses", "classes", "enrollments", "completions", "card-logins", "waivers"]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2018, 3, 1, 17, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def officers(world):
    course("IADP")
    equip(world["mine"], world["miami"])
    return {
        "mine": OfficerFactory(agency=world["mine"], officer_number="HC-1", card_last_login_on=dt.date(2018, 2, 26)),
        "miami": OfficerFactory(agency=world["miami"], officer_number="CC-1"),
    }


@pytest.mark.parametrize("resource", RESOURCES + ["capacity-plans/2018"])
def test_anonymous_gets_401(api, resource):
    assert api().get(f"/api/v1/{resource}/").status_code == 401


def test_officers_are_scoped_and_explain_standing(api, people, officers):
    body = api(people["pm"]).get("/api/v1/officers/").json()
    assert [o["officer_number"] for o in body["results"]] == ["HC-1"]
    assert body["results"][0]["can_act"] is True and body["results"][0]["card_state"] == "active"
    assert api(people["pm"]).get(f"/api/v1/officers/{officers['miami'].pk}/").status_code == 404
    assert api(people["fod_miami"]).get(f"/api/v1/officers/{officers['miami'].pk}/").status_code == 200
    assert api(people["analyst"]).get("/api/v1/officers/").json()["count"] == 2


def test_officer_writes_by_role(api, people, officers, world):
    payload = {
        "officer_number": "HC-2",
        "agency": world["mine"].pk,
        "last_name": "Lee",
        "first_name": "Sam",
        "email": "lee@hcso.example.gov",
    }
    assert api(people["analyst"]).post("/api/v1/officers/", payload).status_code == 403
    assert api(people["fod"]).post("/api/v1/officers/", payload).status_code == 403
    response = api(people["pm"]).post("/api/v1/officers/", payload)
    assert response.status_code == 201 and response.json()["status"] == "nominated"
    assert api(people["pm"]).post("/api/v1/officers/", payload).json().keys() >= {
        "officer_number"
    }  # duplicate number: 400
    bad = api(people["pm"]).post(
        "/api/v1/officers/", {**payload, "officer_number": "HC-3", "agency": world["miami"].pk, "email": "x"}
    )
    assert bad.status_code == 400 and {"agency", "email"} <= set(bad.json())
    pk = response.json()["id"]
    assert (
        api(people["pm"]).post(f"/api/v1/officers/{pk}/adjudicate/", {"reason": "PSU favourable"}).json()["status"]
        == "adjudicated"
    )
    assert api(people["pm"]).post(f"/api/v1/officers/{pk}/reinstate/", {"reason": "x"}).status_code == 409
    mine = officers["mine"].pk
    assert api(people["pm"]).post(f"/api/v1/officers/{mine}/suspend/", {}).status_code == 400  # reason required
    suspended = api(people["pm"]).post(
        f"/api/v1/officers/{mine}/suspend/", {"reason": "Missed PALMS", "cause": SuspensionCause.RECERTIFICATION}
    )
    assert suspended.status_code == 200 and suspended.json()["can_act"] is False
    assert api(people["pm"]).post(f"/api/v1/officers/{mine}/revoke/", {"reason": "x"}).status_code == 403
    assert (
        api(people["npm"]).post(f"/api/v1/officers/{mine}/revoke/", {"reason": "90 days"}).json()["status"] == "revoked"
    )
    assert (
        api(people["pm"]).post(f"/api/v1/officers/{officers['miami'].pk}/suspend/", {"reason": "x"}).status_code == 404
    )


def test_bulk_roster_import_action(api, people, world, officers):
    rows = [
        {
            "officer_number": "HC-9",
            "agency": world["mine"].pk,
            "last_name": "Ng",
            "first_name": "Vi",
            "email": "ng@hcso.example.gov",
            "status": "certified",
            "certified_on": "2017-06-01",
        },
        {
            "officer_number": "CC-1",
            "agency": world["mine"].pk,
            "last_name": "A",
            "first_name": "B",
            "email": "a@b.gov",
            "status": "certified",
            "certified_on": "2017-06-01",
        },
    ]
    response = api(people["pm"]).post("/api/v1/officers/import/", {"rows": rows}, format="json")
    assert response.status_code == 400 and response.json()["rows"][0].startswith("Row 2:")
    response = api(people["pm"]).post("/api/v1/officers/import/", {"rows": rows, "apply_valid": True}, format="json")
    assert response.status_code == 201 and response.json()["created"] == 1
    assert api(people["analyst"]).post("/api/v1/officers/import/", {"rows": rows}, format="json").status_code == 403


def test_completions_single_and_bulk(api, people, officers):
    one = {"officer": officers["mine"].pk, "course": "PALMS-INA", "completed_on": "2018-02-01"}
    assert api(people["pm"]).post("/api/v1/completions/", one).status_code == 201
    assert api(people["pm"]).post("/api/v1/completions/", one).status_code == 409
    assert api(people["pm"]).post("/api/v1/completions/", {**one, "officer": officers["miami"].pk}).status_code == 400
    assert api(people["analyst"]).post("/api/v1/completions/", one).status_code == 403
    bulk = [
        {"officer_number": "HC-1", "course_code": "PALMS-HTA", "completed_on": "2018-02-02"},
        {"officer_number": "HC-1", "course_code": "PALMS-INA", "completed_on": "2018-02-01"},
    ]
    response = api(people["pm"]).post("/api/v1/completions/", bulk, format="json")
    assert response.status_code == 201 and response.json()["created"] == 1 and response.json()["duplicates"] == 1
    assert api(people["pm"]).get("/api/v1/completions/").json()["count"] == 2
    assert api(people["pm_miami"]).get("/api/v1/completions/").json()["count"] == 0


def test_card_logins_bulk(api, people, officers):
    rows = [
        {"officer_number": "HC-1", "logged_in_at": "2018-02-28T08:00:00"},
        {"officer_number": "CC-1", "logged_in_at": "2018-02-28T08:00:00"},
    ]
    assert api(people["pm"]).post("/api/v1/card-logins/", rows, format="json").status_code == 400
    response = api(people["pm"]).post("/api/v1/card-logins/", {"rows": rows, "apply_valid": True}, format="json")
    assert response.status_code == 201 and response.json()["unknown"] == [{"row": 2, "officer_number": "CC-1"}]
    assert api(people["pm"]).get("/api/v1/card-logins/").json()["count"] == 1
    assert api(people["pm_miami"]).get("/api/v1/card-logins/").json()["count"] == 0


def test_waivers_by_field_responsible_official(api, people, officers):
    officer = officers["mine"]
    Officer.objects.filter(pk=officer.pk).update(status=OfficerStatus.SUSPENDED, suspended_on=dt.date(2017, 10, 2))
    body = {"officer": officer.pk, "reason": "Deployed overseas", "expires_on": "2018-06-30"}
    assert api(people["pm"]).post("/api/v1/waivers/", body).status_code == 403
    assert api(people["fod_miami"]).post("/api/v1/waivers/", body).status_code == 400  # officer not visible
    assert api(people["fod"]).post("/api/v1/waivers/", {**body, "expires_on": "2018-01-01"}).status_code == 400
    response = api(people["fod"]).post("/api/v1/waivers/", body)
    assert response.status_code == 201 and response.json()["fiscal_year"] == 2017
    assert api(people["pm_miami"]).get("/api/v1/waivers/").json()["count"] == 0
    Officer.objects.filter(pk=officer.pk).update(status=OfficerStatus.REVOKED)
    assert api(people["npm"]).post("/api/v1/waivers/", body).status_code == 409


def test_classes_and_enrollments(api, people, officers, world):
    assert (
        api(people["pm"]).post("/api/v1/classes/", {"course": course("IADP").pk, "starts_on": "2018-04-02"}).status_code
        == 403
    )
    q1 = api(people["chief"]).post("/api/v1/classes/", {"course": course("IADP").pk, "starts_on": "2018-11-05"})
    assert q1.status_code == 400 and "starts_on" in q1.json()
    created = api(people["chief"]).post(
        "/api/v1/classes/", {"course": course("IADP").pk, "starts_on": "2018-04-02", "capacity": 1}
    )
    assert created.status_code == 201
    class_id = created.json()["id"]
    a = OfficerFactory(agency=world["mine"], status=OfficerStatus.ADJUDICATED)
    b = OfficerFactory(agency=world["mine"], status=OfficerStatus.ADJUDICATED)
    first = api(people["pm"]).post("/api/v1/enrollments/", {"academy_class": class_id, "officer": a.pk})
    second = api(people["pm"]).post("/api/v1/enrollments/", {"academy_class": class_id, "officer": b.pk})
    assert (first.json()["status"], second.json()["status"]) == ("enrolled", "waitlisted")
    assert (
        api(people["pm"]).post("/api/v1/enrollments/", {"academy_class": class_id, "officer": b.pk}).status_code == 409
    )
    assert (
        api(people["pm_miami"]).post("/api/v1/enrollments/", {"academy_class": class_id, "officer": a.pk}).status_code
        == 400
    )
    assert api(people["pm_miami"]).post(f"/api/v1/enrollments/{first.json()['id']}/withdraw/").status_code == 404
    assert (
        api(people["pm"]).post(f"/api/v1/enrollments/{first.json()['id']}/withdraw/", {"reason": "Sick"}).status_code
        == 200
    )
    detail = api(people["analyst"]).get(f"/api/v1/classes/{class_id}/").json()
    assert (detail["seated"], detail["waiting"]) == (1, 0)
    assert api(people["chief"]).post(f"/api/v1/courses/{course('PALMS-LEP').pk}/retire/", {}).status_code == 400


def test_capacity_plan(api, people, world):
    course("IADP")
    assert api(people["pm"]).get("/api/v1/capacity-plans/2018/").status_code == 403
    body = api(people["analyst"]).get("/api/v1/capacity-plans/2018/").json()
    assert [q["basic_classes"] for q in body["quarters"]][0] == 0 and body["quarters"][1]["basic_seats"] > 0
    what_if = (
        api(people["analyst"]).get("/api/v1/capacity-plans/2018/?allow_q1=1&regional_sites=1&class_size=30").json()
    )
    assert what_if["quarters"][0]["basic_seats"] > 0 and what_if["class_size"] == 30
    assert api(people["analyst"]).get("/api/v1/capacity-plans/2018/?class_size=0").status_code == 400
    csv = api(people["analyst"]).get("/api/v1/capacity-plans/2018/?export=csv")
    assert csv.status_code == 200 and b"Basic seats" in b"".join(csv.streaming_content)


@pytest.mark.parametrize("resource", ["officers", "completions", "enrollments", "classes"])
def test_list_query_count_does_not_grow(api, people, world, resource):
    course("IADP")
    c = AcademyClassFactory(starts_on=dt.date(2018, 4, 2), capacity=200)
    from training.models import Enrollment

    for i in range(30):
        o = OfficerFactory(agency=world["mine"])
        Completion.objects.create(officer=o, course=course("PALMS-INA"), completed_on=dt.date(2018, 1, 1))
        Enrollment.objects.create(academy_class=c, officer=o, status="enrolled")
        AcademyClassFactory(starts_on=dt.date(2018, 4, 2) + dt.timedelta(days=7 * (i % 20)), course=course("IADRP"))
    client = api(people["pm"])
    client.get(f"/api/v1/{resource}/?page_size=1")

    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/{resource}/?page_size={size}").status_code == 200
        return len(ctx.captured_queries)

    assert count(5) == count(30)


def test_officer_rows_are_what_the_declared_fields_show(api, people, officers, world):
    """The list writes each officer directly; every value, key and order is what the
    serializer's declared fields give (certified, suspended with a cause, lapsed card,
    never logged in)."""
    import json

    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIRequestFactory

    from training.api.serializers import OfficerSerializer

    # given officers who can act and who cannot, for several reasons
    OfficerFactory(
        agency=world["mine"],
        officer_number="HC-2",
        status=OfficerStatus.SUSPENDED,
        suspended_on=dt.date(2018, 1, 5),
        suspension_cause=SuspensionCause.DESIGNATION_ENDED,
    )
    OfficerFactory(
        agency=world["mine"],
        officer_number="HC-3",
        card_last_login_on=dt.date(2017, 11, 1),
        card_last_login_at=dt.datetime(2017, 11, 1, 14, 30, tzinfo=dt.UTC),
    )
    OfficerFactory(agency=world["mine"], officer_number="HC-4", status=OfficerStatus.NOMINATED, certified_on=None)

    # when HQ reads the list
    body = api(people["chief"]).get("/api/v1/officers/").json()["results"]

    # then each row is the declared fields' representation
    serializer = OfficerSerializer(context={"request": APIRequestFactory().get("/api/v1/officers/")})
    instances = (
        Officer.objects.with_standing().select_related("agency").order_by("last_name", "first_name", "officer_number")
    )
    declared = [serializers.ModelSerializer.to_representation(serializer, o) for o in instances]
    assert body == json.loads(JSONRenderer().render(declared))
    assert {o["can_act"] for o in body} == {True, False}
    assert all(o["can_act"] is not bool(o["cannot_act_because"]) for o in body)


@pytest.mark.parametrize(
    "query",
    ["can_act=false&page_size=2", "can_act=true", "card_state=lapsed", "ordering=-officer_number&page_size=2&page=2"],
)
def test_officer_pages_filtered_on_the_standing_count_and_order_their_rows(api, people, officers, world, query):
    # given officers who can act and officers who cannot (lapsed card, not certified)
    OfficerFactory(agency=world["mine"], officer_number="HC-2", card_last_login_on=dt.date(2017, 6, 1))
    OfficerFactory(agency=world["mine"], officer_number="HC-3", status=OfficerStatus.NOMINATED, certified_on=None)
    OfficerFactory(agency=world["mine"], officer_number="HC-4", status=OfficerStatus.NOMINATED, certified_on=None)
    OfficerFactory(agency=world["mine"], officer_number="HC-5", card_last_login_on=dt.date(2018, 2, 1))

    # when HQ reads a page filtered on the standing (its ids and count read first)
    body = api(people["chief"]).get(f"/api/v1/officers/?{query}").json()

    # then the count and the page's rows and order are those of the standing's queryset
    on = dt.date(2018, 3, 1)
    standing = Officer.objects.with_standing(on).order_by("last_name", "first_name", "officer_number")
    expected = {
        "can_act=false&page_size=2": standing.exclude(Officer.objects.able_to_act_q(on)),
        "can_act=true": standing.filter(Officer.objects.able_to_act_q(on)),
        "card_state=lapsed": standing.filter(Officer.objects.card_lapsed_q(on), status=OfficerStatus.CERTIFIED),
        "ordering=-officer_number&page_size=2&page=2": standing.order_by("-officer_number"),
    }[query]
    size = 2 if "page_size=2" in query else 50
    first = size if "page=2" in query else 0
    numbers = list(expected.values_list("officer_number", flat=True))
    assert body["count"] == len(numbers) > 0
    assert [o["officer_number"] for o in body["results"]] == numbers[first : first + size]
    assert all(o["can_act"] is ("can_act=true" in query) for o in body["results"]) or "can_act" not in query
