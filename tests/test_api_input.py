"""Bad input never reaches a 500: each case of issue 15 (item 1) answers 400 with field
messages and writes nothing; unknown fields, out-of-window dates and token expiries are
refused (item 3); the schema declares what the server answers (item 2)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.utils import timezone

from agreements.models import Agency
from portal.api.urls import router
from portal.models import ApiToken
from training.choices import OfficerStatus
from training.models import AcademyClass, Officer, Waiver
from training.tests.factories import AcademyClassFactory, OfficerFactory, course

pytestmark = pytest.mark.django_db

BIG = str(2**63)  # one more than the largest id a row can have


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2018, 3, 15, 16, 0, tzinfo=dt.UTC), tick=False):
        yield dt.date(2018, 3, 15)


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def list_operations(schema):
    """(path, operation) of every GET list of the schema (no path parameter)."""
    for path, item in schema["paths"].items():
        if "{" not in path and "get" in item and path.startswith("/api/v1/"):
            yield path, item["get"]


# --- item 1: each 500 of the issue ---------------------------------------------------------


def test_agency_created_with_only_the_fields_the_schema_requires(world, people, api, schema):
    required = schema["components"]["schemas"]["AgencyRequest"]["required"]
    values = {"name": "Brazos County Sheriff's Office", "state": "TX"}
    body = {field: values[field] for field in required}

    response = api(people["chief"]).post("/api/v1/agencies/", body)

    assert response.status_code == 201, response.json()
    assert response.json()["agency_type"] == "county"


def test_class_patch_with_an_empty_body_is_400_on_capacity(world, people, api, frozen):
    academy_class = AcademyClassFactory(starts_on=dt.date(2018, 4, 2))

    response = api(people["chief"]).patch(f"/api/v1/classes/{academy_class.pk}/", {}, format="json")

    assert response.status_code == 400
    assert "capacity" in response.json()
    academy_class.refresh_from_db()
    assert academy_class.capacity == 24


@pytest.mark.parametrize("value", ["1e30", "99999999999999999999", "-5", "2018.5", "NaN", "Infinity"])
def test_signed_fiscal_year_out_of_range_is_400(world, people, api, value):
    response = api(people["chief"]).get("/api/v1/agreements/", {"signed_fiscal_year": value})

    assert response.status_code == 400
    assert "signed_fiscal_year" in response.json()


def test_signed_fiscal_year_in_range_filters(world, people, api):
    response = api(people["chief"]).get("/api/v1/agreements/", {"signed_fiscal_year": 2017})

    assert response.status_code == 200
    assert response.json()["count"] == 3  # the factories sign on 2017-06-01


def test_every_integer_filter_above_the_64_bit_range_is_400(world, people, api, schema):
    tried = []
    for path, operation in list_operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query" or parameter["name"] in ("page", "page_size"):
                continue
            if parameter["schema"].get("type") not in ("integer", "number"):
                continue
            response = api(people["chief"]).get(path, {parameter["name"]: BIG})
            tried.append(f"{path}?{parameter['name']}")
            assert response.status_code == 400, (path, parameter["name"], response.status_code)
            assert parameter["name"] in response.json(), (path, response.json())
    assert "/api/v1/agreements/?agency" in tried and "/api/v1/findings/?field_office" in tried
    assert len(tried) >= 10


@pytest.mark.parametrize("value", ["", "1.5", "abc", "-9223372036854775809"])
def test_agency_filter_refuses_what_is_not_an_id(world, people, api, value):
    response = api(people["chief"]).get("/api/v1/agreements/", {"agency": value})

    assert response.status_code == 400 and "agency" in response.json()


def test_every_path_id_above_the_64_bit_range_is_404(world, people, api, schema):
    tried = 0
    for path, item in schema["paths"].items():
        if not path.endswith("/{id}/") or "get" not in item:
            continue
        response = api(people["chief"]).get(path.replace("{id}", BIG))
        assert response.status_code in (400, 404), (path, response.status_code)
        tried += 1
    assert tried >= 20


def test_json_nested_three_thousand_levels_is_400(world, people, api):
    body = "[" * 3000 + "]" * 3000

    response = api(people["chief"]).generic("POST", "/api/v1/agencies/", body, content_type="application/json")

    assert response.status_code == 400
    assert "deeper" in response.json()["detail"]
    assert Agency.objects.count() == 3


def test_json_nested_beyond_the_limit_is_400_and_a_bulk_import_is_not(world, people, api, settings):
    settings.API_JSON_MAX_DEPTH = 5
    deep = {"name": {"a": {"b": {"c": {"d": {"e": 1}}}}}}
    response = api(people["chief"]).post("/api/v1/agencies/", deep, format="json")
    assert response.status_code == 400 and "deeper" in response.json()["detail"]

    settings.API_JSON_MAX_DEPTH = 20
    rows = {"rows": [{"officer_number": "X-1", "logged_in_at": "2018-02-28T08:00:00"}], "dry_run": True}
    assert api(people["pm"]).post("/api/v1/card-logins/", rows, format="json").status_code in (200, 201)


# --- item 2: pagination, search, declared statuses ---------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"page": ""},
        {"page": "0"},
        {"page": "-1"},
        {"page": "two"},
        {"page": "last"},
        {"page_size": "true"},
        {"page_size": ""},
        {"page_size": "0"},
        {"page_size": "1001"},
    ],
)
def test_invalid_page_or_page_size_is_400(world, people, api, query):
    response = api(people["chief"]).get("/api/v1/agencies/", query)

    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_typed_filters_refuse_empty_values_and_non_booleans(world, people, api):
    chief = api(people["chief"])
    assert chief.get("/api/v1/assignments/", {"kind": ""}).status_code == 400
    assert chief.get("/api/v1/agreements/", {"not_on_ice_list": "null"}).json() == {
        "not_on_ice_list": ["Give true or false."]
    }
    assert chief.get("/api/v1/agreements/", {"not_on_ice_list": "false"}).status_code == 200
    assert chief.get("/api/v1/agencies/", {"q": ""}).status_code == 200  # free text may be empty


def test_search_is_declared_only_where_it_works(world, people, api, schema):
    chief = api(people["chief"])
    declared = [
        path
        for path, operation in list_operations(schema)
        if any(p["name"] == "search" for p in operation.get("parameters", []))
    ]
    assert {"/api/v1/agencies/", "/api/v1/agreements/", "/api/v1/officers/", "/api/v1/findings/"} <= set(declared)
    for path in declared:
        everything = chief.get(path).json()["count"]
        nothing = chief.get(path, {"search": "zz-no-such-thing-zz"})
        assert nothing.status_code == 200, path
        if everything:
            assert nothing.json()["count"] == 0, path
    viewsets = {f"/api/v1/{prefix}/": viewset for prefix, viewset, _ in router.registry}
    for path, viewset in viewsets.items():
        if path in declared:
            continue
        assert not getattr(viewset, "search_fields", None), path


def test_search_is_an_alias_of_q_on_agencies(world, people, api):
    chief = api(people["chief"])
    by_search = chief.get("/api/v1/agencies/", {"search": "Harris"}).json()
    by_q = chief.get("/api/v1/agencies/", {"q": "Harris"}).json()

    assert [a["name"] for a in by_search["results"]] == ["Harris County Sheriff's Office"]
    assert by_search["results"] == by_q["results"]


def test_every_operation_declares_its_error_statuses(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            declared = set(operation["responses"])
            assert {"400", "401", "403", "404", "429"} <= declared, (method, path)
            if method != "get":
                assert "409" in declared, (method, path)
            assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_staffing_figures_are_declared_as_the_page_they_are(schema):
    response = schema["paths"]["/api/v1/staffing-figures/"]["get"]["responses"]["200"]
    body = response["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert {"count", "next", "previous", "on", "results"} <= set(component["properties"])


def test_blank_suspension_cause_and_missing_office_name_are_in_the_schema(world, people, api, schema):
    officer_cause = schema["components"]["schemas"]["Officer"]["properties"]["suspension_cause"]
    assert any(ref.get("$ref", "").endswith("BlankEnum") for ref in officer_cause.get("oneOf", []))
    assert schema["components"]["schemas"]["Staff"]["properties"]["field_office_name"].get("nullable") is True


# --- item 3: unknown fields, dates, token expiry ------------------------------------------


def test_unknown_body_field_is_400_and_nothing_is_written(world, people, api):
    body = {"name": "Brazos County Sheriff's Office", "state": "TX", "agency_type": "county", "colour": "blue"}

    response = api(people["chief"]).post("/api/v1/agencies/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"colour": ["Unknown field: this operation does not take it."]}
    assert not Agency.objects.filter(name__startswith="Brazos").exists()


def test_read_only_body_field_is_400(world, people, api):
    agency = world["mine"]

    response = api(people["chief"]).patch(f"/api/v1/agencies/{agency.pk}/", {"id": 1, "created_at": "x"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"id", "created_at"}


def test_unknown_field_of_an_action_is_400(world, people, api):
    agreement = world["agreements"]["mine"]

    response = api(people["chief"]).post(
        f"/api/v1/agreements/{agreement.pk}/suspend/",
        {"effective_on": "2018-03-01", "reason": "x", "effectiv_on": "2018-03-02"},
        format="json",
    )

    assert response.status_code == 400 and "effectiv_on" in response.json()
    agreement.refresh_from_db()
    assert agreement.status == "signed"


@pytest.mark.parametrize(
    "resource, body",
    [
        ("absences", {"kind": "leave", "starts_on": "5025-03-20", "ends_on": "5025-03-22"}),
        ("absences", {"kind": "leave", "starts_on": "2018-03-20", "ends_on": "5025-03-22"}),
        ("other-duties", {"share_percent": 10, "description": "Duty officer", "starts_on": "5025-03-01"}),
        ("assignments", {"kind": "backup", "starts_on": "5025-01-01"}),
    ],
)
def test_staffing_dates_in_the_year_5025_are_400(world, people, api, frozen, resource, body):
    body = (
        {**body, "manager": people["pm"].pk}
        if resource != "assignments"
        else {**body, "program_manager": people["pm_other"].pk, "agency": world["houston_other"].pk}
    )

    response = api(people["chief"]).post(f"/api/v1/{resource}/", body, format="json")

    assert response.status_code == 400
    field = (
        "ends_on"
        if body.get("ends_on", "").startswith("5025") and not body["starts_on"].startswith("5025")
        else "starts_on"
    )
    assert field in response.json(), response.json()
    assert "between" in response.json()[field][0]


def test_absence_a_year_ahead_is_accepted(world, people, api, frozen):
    body = {"manager": people["pm"].pk, "kind": "training", "starts_on": "2019-03-04", "ends_on": "2019-03-08"}

    assert api(people["chief"]).post("/api/v1/absences/", body, format="json").status_code == 201


@pytest.mark.parametrize("starts_on", ["5025-04-07", "9999-12-30", "1925-04-06"])
def test_class_dates_outside_their_window_are_400(world, people, api, frozen, starts_on):
    response = api(people["chief"]).post(
        "/api/v1/classes/", {"course": course("IADP").pk, "starts_on": starts_on}, format="json"
    )

    assert response.status_code == 400 and "starts_on" in response.json()
    assert not AcademyClass.objects.exists()


def test_waiver_expiring_more_than_a_year_after_its_fiscal_year_is_400(world, people, api, frozen):
    officer = OfficerFactory(agency=world["mine"], status=OfficerStatus.SUSPENDED, suspended_on=dt.date(2017, 10, 2))
    body = {"officer": officer.pk, "reason": "Deployed overseas", "fiscal_year": 2017}

    too_late = api(people["chief"]).post("/api/v1/waivers/", {**body, "expires_on": "2018-10-01"}, format="json")
    far = api(people["chief"]).post("/api/v1/waivers/", {**body, "expires_on": "5025-01-01"}, format="json")
    odd_year = api(people["chief"]).post(
        "/api/v1/waivers/", {**body, "fiscal_year": 5025, "expires_on": "2018-06-30"}, format="json"
    )
    in_time = api(people["chief"]).post("/api/v1/waivers/", {**body, "expires_on": "2018-09-30"}, format="json")

    assert too_late.status_code == 400 and "at most a year after" in too_late.json()["expires_on"][0]
    assert far.status_code == 400 and "expires_on" in far.json()
    assert odd_year.status_code == 400 and "fiscal_year" in odd_year.json()
    assert in_time.status_code == 201
    assert Waiver.objects.filter(officer=officer).count() == 1
    assert Officer.objects.get(pk=officer.pk).status == OfficerStatus.SUSPENDED


def test_token_expires_at_is_honoured_within_the_maximum(people, api):
    client = api(people["pm"])
    wanted = timezone.now() + dt.timedelta(days=10)

    response = client.post("/api/v1/tokens/", {"name": "Field client", "expires_at": wanted.isoformat()}, format="json")

    assert response.status_code == 201
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert abs((token.expires_at - wanted).total_seconds()) < 1


@pytest.mark.parametrize(
    "expires_at",
    [
        lambda now: now + dt.timedelta(days=366),
        lambda now: now - dt.timedelta(minutes=1),
    ],
)
def test_token_expires_at_beyond_the_maximum_or_past_is_400(people, api, expires_at):
    body = {"name": "Field client", "expires_at": expires_at(timezone.now()).isoformat()}

    response = api(people["pm"]).post("/api/v1/tokens/", body, format="json")

    assert response.status_code == 400 and "expires_at" in response.json()
    assert not ApiToken.objects.exists()


def test_token_with_both_expiries_is_400(people, api):
    body = {"name": "x", "expires_in_days": 5, "expires_at": (timezone.now() + dt.timedelta(days=5)).isoformat()}

    assert api(people["pm"]).post("/api/v1/tokens/", body, format="json").status_code == 400


def test_parse_errors_are_400_not_500(world, people, api):
    chief = api(people["chief"])
    for body in ["{", "NaN", '{"name": Infinity}', "1" * 5000]:
        response = chief.generic("POST", "/api/v1/agencies/", body, content_type="application/json")
        assert response.status_code == 400, body[:20]
    assert json.loads(chief.get("/api/v1/agencies/").content)["count"] == 3


def test_any_date_of_the_api_in_the_year_5025_is_400(world, people, api, frozen):
    agreement = world["agreements"]["mine"]

    response = api(people["chief"]).post(
        f"/api/v1/agreements/{agreement.pk}/suspend/", {"effective_on": "5025-03-01", "reason": "x"}, format="json"
    )

    assert response.status_code == 400 and "effective_on" in response.json()
    agreement.refresh_from_db()
    assert agreement.status == "signed"


def test_a_null_character_in_search_is_400_on_the_parameter(world, people, api):
    response = api(people["chief"]).get("/api/v1/findings/", {"search": "a\x00b"})

    assert response.status_code == 400
    assert response.json() == {"search": ["Null characters are not allowed."]}


def test_a_validation_error_with_bare_messages_is_still_an_object(rf):
    from rest_framework.exceptions import ValidationError

    from portal.api.errors import exception_handler

    response = exception_handler(ValidationError(["Something is wrong."]), {})

    assert response.status_code == 400 and response.data == {"non_field_errors": ["Something is wrong."]}


def test_every_create_operation_refuses_an_unknown_field(world, people, api, schema):
    refused = []
    for path, item in schema["paths"].items():
        if "{" in path or "post" not in item or "requestBody" not in item["post"]:
            continue
        response = api(people["chief"]).post(path, {"zz_not_a_field": 1}, format="json")
        assert response.status_code in (400, 403), (path, response.status_code)
        if response.status_code == 400:
            assert "zz_not_a_field" in response.json(), (path, response.json())
            refused.append(path)
    assert {
        "/api/v1/agencies/",
        "/api/v1/agreements/",
        "/api/v1/absences/",
        "/api/v1/classes/",
        "/api/v1/waivers/",
        "/api/v1/tokens/",
    } <= set(refused)


@pytest.mark.parametrize("suffix", ["%09", "%20", "+0", ".0"])
def test_a_record_id_is_digits_only(api, people, world, suffix):
    """``/agencies/3%09/`` is no address of agency 3 (schemathesis: a tab after the id was
    read as the id); the plain id still is."""
    agency = world["mine"]
    client = api(people["chief"])
    assert client.get(f"/api/v1/agencies/{agency.pk}/").status_code == 200
    response = client.get(f"/api/v1/agencies/{agency.pk}{suffix}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json() == {"detail": "Not found."}
