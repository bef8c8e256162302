"""The installations and installers API: scope, roles, step actions and their errors."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.tests.factories import AgreementFactory
from itdeploy.choices import InstallationStatus
from staffing.tests.factories import AssignmentFactory

from .factories import InstallerFactory, open_for, steps_of

pytestmark = pytest.mark.django_db


def url(installation, step=None, verb=None):
    base = f"/api/v1/installations/{installation.pk}/"
    return f"{base}steps/{step.pk}/{verb}/" if step else base


def test_anonymous_is_401(api, installations):
    assert api().get("/api/v1/installations/").status_code == 401
    assert api().get("/api/v1/installers/").status_code == 401


@pytest.mark.parametrize(
    "person, expected",
    [
        ("chief", {"mine", "houston_other", "miami"}),
        ("analyst", {"mine", "houston_other", "miami"}),
        ("ocio", {"mine", "houston_other", "miami"}),
        ("fod", {"mine", "houston_other"}),
        ("pm", {"mine"}),
        ("pm_miami", {"miami"}),
        ("norole", None),
    ],
)
def test_list_is_scoped_to_the_caller(api, people, installations, person, expected):
    response = api(people[person]).get("/api/v1/installations/")
    if expected is None:
        assert response.status_code == 403
        return
    names = {r["agency_name"] for r in response.json()["results"]}
    assert names == {installations[k].agency.name for k in expected}


def test_detail_has_steps_clock_and_forecast(api, people, installations):
    body = api(people["pm"]).get(url(installations["mine"])).json()
    assert [s["number"] for s in body["steps"]] == [1, 2, 3, 4, 5, 6]
    assert body["steps"][5]["depends_on"] == [2, 4, 5]
    assert body["steps"][0]["clock"]["state"] == "breached"
    assert body["current_step"] == 1
    assert body["forecast"]["operational_on"] == "2018-01-28"
    assert body["forecast"]["misses_goal"] is True
    assert body["clock"]["goal_on"] == "2017-11-28"


def test_field_pm_updates_a_step_of_an_assigned_agency(api, people, installations):
    step = steps_of(installations["mine"])[1]
    response = api(people["pm"]).post(url(installations["mine"], step, "complete"), {"completed_on": "2017-06-09"})
    assert response.status_code == 200, response.content
    assert response.json()["steps"][0]["completed_on"] == "2017-06-09"
    assert response.json()["current_step"] == 2


def test_outside_scope_is_404_and_read_only_roles_403(api, people, installations):
    miami = installations["miami"]
    step = steps_of(miami)[1]
    body = {"completed_on": "2017-06-09"}
    assert api(people["pm"]).post(url(miami, step, "complete"), body).status_code == 404
    assert api(people["fod_miami"]).post(url(miami, step, "complete"), body).status_code == 403
    assert api(people["analyst"]).post(url(miami, step, "complete"), body).status_code == 403
    assert api(people["ocio"]).post(url(miami, step, "complete"), body).status_code == 200


def test_a_step_of_another_installation_is_404(api, people, installations):
    other = steps_of(installations["houston_other"])[1]
    response = api(people["pm"]).post(url(installations["mine"], other, "complete"), {"completed_on": "2017-06-09"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"completed_on": "2017-05-01"}, "completed_on"),  # before the start
        ({"completed_on": "2017-09-01"}, "completed_on"),  # in the future
        ({}, "completed_on"),
    ],
)
def test_bad_dates_are_400_with_field_messages(api, people, installations, body, field):
    step = steps_of(installations["mine"])[1]
    response = api(people["pm"]).post(url(installations["mine"], step, "complete"), body)
    assert response.status_code == 400
    assert field in response.json()


def test_start_before_the_moa_is_400(api, people, installations):
    steps = steps_of(installations["mine"])
    api(people["pm"]).post(url(installations["mine"], steps[1], "complete"), {"completed_on": "2017-06-09"})
    response = api(people["pm"]).post(url(installations["mine"], steps[5], "start"), {"started_on": "2017-05-20"})
    assert response.status_code == 400 and "MOA" in response.json()["started_on"][0]


def test_dependencies_and_second_completion_are_409(api, people, installations):
    steps = steps_of(installations["mine"])
    client = api(people["pm"])
    response = client.post(url(installations["mine"], steps[3], "start"), {"started_on": "2017-07-01"})
    assert response.status_code == 409 and "step 1" in response.json()["detail"]
    assert (
        client.post(url(installations["mine"], steps[1], "complete"), {"completed_on": "2017-06-09"}).status_code == 200
    )
    assert (
        client.post(url(installations["mine"], steps[1], "complete"), {"completed_on": "2017-06-10"}).status_code == 409
    )


def test_pause_and_resume_over_the_api(api, people, installations):
    step = steps_of(installations["mine"])[1]
    client = api(people["pm"])
    paused = client.post(
        url(installations["mine"], step, "pause"),
        {"paused_on": "2017-06-05", "reason": "site_access", "note": "Jail renovation"},
    )
    assert paused.status_code == 200 and paused.json()["steps"][0]["paused"] is True
    assert (
        client.post(
            url(installations["mine"], step, "pause"), {"paused_on": "2017-06-05", "reason": "nonsense"}
        ).status_code
        == 400
    )
    resumed = client.post(url(installations["mine"], step, "resume"), {"resumed_on": "2017-07-05"})
    assert resumed.status_code == 200
    clock = resumed.json()["steps"][0]["clock"]
    assert clock["paused_days"] == 30 and clock["due_on"] == "2017-07-11"


def test_priority_and_confirmation_are_for_hq(api, people, installations, world):
    mine = installations["mine"]
    assert api(people["pm"]).post(f"{url(mine)}priority/", {"priority_rank": 1}).status_code == 403
    response = api(people["npm"]).post(f"{url(mine)}priority/", {"priority_rank": 1})
    assert response.status_code == 200 and response.json()["priority_rank"] == 1
    old = open_for(AgreementFactory(applied_on=dt.date(2014, 1, 1), signed_on=dt.date(2015, 1, 1)))
    assert old.status == InstallationStatus.UNCONFIRMED
    body = {"installations": [old.pk], "operational_since": "2015-08-01"}
    assert api(people["ocio"]).post("/api/v1/installations/confirm/", body, format="json").status_code == 403
    response = api(people["chief"]).post("/api/v1/installations/confirm/", body, format="json")
    assert response.status_code == 200 and response.json()[0]["status"] == "operational"
    again = api(people["chief"]).post("/api/v1/installations/confirm/", body, format="json")
    assert again.status_code == 409


def test_installers_read_by_all_written_by_ocio_and_hq(api, people, db):
    InstallerFactory(name="R. Ortiz")
    assert api(people["pm"]).get("/api/v1/installers/").json()["count"] == 1
    body = {"name": "Second installer", "days_per_week": "2.5"}
    assert api(people["pm"]).post("/api/v1/installers/", body).status_code == 403
    created = api(people["ocio"]).post("/api/v1/installers/", body)
    assert created.status_code == 201
    assert api(people["ocio"]).post("/api/v1/installers/", {"name": "", "days_per_week": "9"}).status_code == 400
    pk = created.json()["id"]
    away = api(people["ocio"]).post(
        f"/api/v1/installers/{pk}/unavailable/", {"starts_on": "2017-09-01", "ends_on": "2017-09-10"}
    )
    assert away.status_code == 200 and len(away.json()["unavailable_periods"]) == 1


def test_list_query_count_does_not_grow(api, people, installations, offices):
    def count(client):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/installations/?page_size=100").status_code == 200
        return len(ctx.captured_queries)

    client = api(people["pm"])
    client.get("/api/v1/installations/")
    few = count(client)
    for _ in range(15):
        agreement = AgreementFactory(signed_on=dt.date(2017, 7, 1))
        AssignmentFactory(agency=agreement.agency, program_manager=people["pm"])
        open_for(agreement)
    # The first read after a change stores the forecast afresh, once; reads after it use the stored one.
    assert count(client) > few
    assert count(client) == few


def test_list_rows_are_what_the_declared_fields_show(api, people, installations, frozen):
    """The list writes each installation from rows read once per page; every value, key
    and order is what the serializer's declared fields give on prefetched instances."""
    import json

    from rest_framework import serializers
    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIRequestFactory

    from itdeploy import selectors, services
    from itdeploy.api.serializers import InstallationSerializer
    from itdeploy.models import Installation, InstallationPause, InstallationSettings

    # given a step paused and resumed then paused still, a step done, and an installation's clock paused
    mine, miami = installations["mine"], installations["miami"]
    steps = steps_of(mine)
    services.step_pause(step=steps[1], paused_on=dt.date(2017, 6, 5), reason="site_access", acting_user=None)
    services.step_resume(step=steps[1], resumed_on=dt.date(2017, 6, 9), acting_user=None)
    services.step_pause(
        step=steps[1], paused_on=dt.date(2017, 7, 1), reason="waiting_on_agency", acting_user=None, note="Waiting"
    )
    services.step_complete(step=steps_of(miami)[1], completed_on=dt.date(2017, 6, 20), acting_user=None)
    InstallationPause.objects.create(installation=miami, started_on=dt.date(2017, 6, 10), ended_on=dt.date(2017, 6, 15))

    # when HQ reads the list
    body = api(people["chief"]).get("/api/v1/installations/").json()["results"]

    # then each row is the declared fields' representation
    request = APIRequestFactory().get("/api/v1/installations/")
    settings = InstallationSettings.current()
    context = {
        "request": request,
        "today": frozen,
        "settings": settings,
        "pipeline": selectors.stored_forecast(today=frozen),
    }
    serializer = InstallationSerializer(context=context)
    instances = (
        Installation.objects.select_related("agency")
        .prefetch_related(selectors.steps_prefetch(), "clock_pauses")
        .order_by("moa_signed_on", "pk")
    )
    declared = [serializers.ModelSerializer.to_representation(serializer, i) for i in instances]
    assert body == json.loads(JSONRenderer().render(declared))
    assert [s["paused"] for s in body[[r["id"] for r in body].index(mine.pk)]["steps"]][0] is True
    assert any(s["pauses"] for r in body for s in r["steps"])
