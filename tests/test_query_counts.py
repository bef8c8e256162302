"""List endpoints keep the same number of queries at page size 10 and 100."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.tests.factories import AgencyFactory, AgreementFactory
from portal.compliance.sweep import sweep_run
from staffing.tests.factories import AssignmentFactory

ENDPOINTS = ["agencies", "agreements", "assignments", "findings", "staff", "field-offices", "sweep-runs", "tokens"]


@pytest.fixture
def many(world, people, offices):
    for i in range(110):
        agency = AgencyFactory(field_office=offices["HOU"])
        AgreementFactory(agency=agency)
        AssignmentFactory(agency=agency, program_manager=people["pm"], starts_on=dt.date(2018, 1, 1))
    sweep_run(notify=False)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("person", ["chief", "pm"])
def test_list_query_count_does_not_grow_with_page_size(many, people, api, endpoint, person):
    client = api(people[person])
    client.get(f"/api/v1/{endpoint}/?page_size=1")  # warm per-user caches (the staff profile)
    small = count_queries(client, f"/api/v1/{endpoint}/?page_size=10")
    large = count_queries(client, f"/api/v1/{endpoint}/?page_size=100")
    assert large == small


@pytest.mark.parametrize("url", ["/agencies/", "/agreements/", "/findings/"])
def test_list_page_query_count_is_constant(many, people, client, url):
    client.force_login(people["chief"])
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        client.get(url + "?page=1")
    with CaptureQueriesContext(connection) as other:
        client.get(url + "?page=2")
    assert len(small.captured_queries) == len(other.captured_queries)


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
