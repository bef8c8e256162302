"""Conventions every endpoint keeps (shared/api.md)."""

from portal.api.urls import router
from portal.api.viewsets import ScopedViewSetMixin

#: Every resource of shared/api.md, and the dashboard.
REQUIRED = [
    "field-offices",
    "agencies",
    "agreements",
    "agreement-documents",
    "staff",
    "assignments",
    "absences",
    "workload-reports",
    "staffing-figures",
    "installations",
    "installers",
    "officers",
    "courses",
    "classes",
    "enrollments",
    "completions",
    "card-logins",
    "waivers",
    "capacity-plans",
    "findings",
    "sweep-runs",
    "tokens",
    "readiness",
    "impact-assessments",
    "dashboard",
]


def test_every_api_viewset_narrows_its_queryset_to_the_caller():
    unscoped = [prefix for prefix, viewset, _ in router.registry if not issubclass(viewset, ScopedViewSetMixin)]
    assert unscoped == []


def test_resource_names_are_those_field_clients_depend_on():
    prefixes = {prefix for prefix, _, _ in router.registry}
    assert set(REQUIRED) <= prefixes
    assert all(p == p.lower() and "_" not in p for p in prefixes)


def test_openapi_schema_lists_every_resource(world, people, api):
    response = api(people["analyst"]).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for resource in REQUIRED:
        assert any(path.startswith(f"/api/v1/{resource}/") for path in paths), resource
    for verb in ("review", "approve", "sign", "suspend", "reinstate", "renew", "terminate", "withdraw"):
        assert f"/api/v1/agreements/{{id}}/{verb}/" in paths, verb
    for action in ("start", "complete", "pause", "resume"):
        assert any(p.startswith("/api/v1/installations/{id}/steps/") and p.endswith(f"/{action}/") for p in paths), (
            action
        )
    for action in ("acknowledge", "resolve", "waive"):
        assert f"/api/v1/findings/{{id}}/{action}/" in paths, action
    assert "tokenAuth" in response.json()["components"]["securitySchemes"]


def test_lists_are_paginated_with_results_and_next(world, people, api):
    body = api(people["chief"]).get("/api/v1/agencies/", {"page_size": 2}).json()
    assert set(body) >= {"results", "next", "count"}
    assert len(body["results"]) == 2 and body["next"]


def test_bad_input_is_400_with_field_messages(world, people, api):
    response = api(people["chief"]).post("/api/v1/agencies/", {"name": "", "state": "ZZ", "agency_type": "county"})
    assert response.status_code == 400
    assert set(response.json()) >= {"name", "state"}


def test_throttled_caller_gets_429_with_retry_after(world, people, api, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import UserRateThrottle

    cache.clear()
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    client = api(people["pm"])
    statuses = [client.get("/api/v1/agencies/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/agencies/")
    assert int(response["Retry-After"]) > 0
    cache.clear()


def test_detail_urls_of_a_list_are_those_the_router_reverses(api, people, offices):
    """The lists build each row's ``url`` from a prefix (no reverse per row): the same
    absolute address as the router's detail route, which answers."""
    from django.urls import reverse

    from agreements.tests.factories import AgencyFactory, AgreementFactory

    agreement = AgreementFactory(agency=AgencyFactory(field_office=offices["HOU"]))
    client = api(people["chief"])
    for name, route, pk in (
        ("agencies", "api:agency-detail", agreement.agency_id),
        ("agreements", "api:agreement-detail", agreement.pk),
    ):
        row = next(r for r in client.get(f"/api/v1/{name}/?page_size=500").json()["results"] if r["id"] == pk)
        assert row["url"] == "http://testserver" + reverse(route, args=[pk])
        assert client.get(row["url"]).status_code == 200
