"""The API's pagination: a page and the list's total read in one statement, with the
same pages, counts and links as Django's paginator."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agency, Agreement
from agreements.tests.factories import AgencyFactory, AgreementFactory
from portal.api.pagination import CountingPaginator


@pytest.fixture
def ten_agencies(world, offices):
    """The world's three agencies and seven more in Houston's area, one without an agreement."""
    for n in range(7):
        agency = AgencyFactory(name=f"Agency {n}", county=f"County {n}", state="TX", field_office=offices["HOU"])
        if n:
            AgreementFactory(agency=agency)
    return Agency.objects.all()


def agency_statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "agreements_agency"' in q["sql"]]


def test_a_page_and_the_lists_total_are_one_statement(api, people, ten_agencies):
    # given the Unit Chief and ten agencies
    client = api(people["chief"])
    # when they read the first page of three
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/agencies/?page_size=3").json()
    # then the total is all ten, the page three, and one statement read both
    assert body["count"] == 10
    assert len(body["results"]) == 3
    assert body["next"].endswith("/api/v1/agencies/?page=2&page_size=3") and body["previous"] is None
    assert len(agency_statements(queries)) == 1
    assert not [q for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]


def test_pages_and_links_are_those_of_djangos_paginator(api, people, ten_agencies):
    client = api(people["chief"])
    seen = []
    for number in (1, 2, 3, 4):
        body = client.get(f"/api/v1/agencies/?page_size=3&page={number}").json()
        assert body["count"] == 10
        assert (body["next"] is None) == (number == 4) and (body["previous"] is None) == (number == 1)
        seen += [row["id"] for row in body["results"]]
    assert len(body["results"]) == 1  # the last page holds the tenth agency
    assert seen == list(Agency.objects.order_by("state", "name").values_list("pk", flat=True))


def test_a_page_past_the_end_still_answers_404(api, people, ten_agencies):
    response = api(people["chief"]).get("/api/v1/agencies/?page_size=3&page=5")
    assert response.status_code == 404


def test_an_empty_list_counts_zero_in_the_same_statement(api, people, ten_agencies):
    client = api(people["chief"])
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/agencies/?state=AK").json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}
    assert len(agency_statements(queries)) == 1


def test_the_total_is_the_callers_scope_and_filters(api, people, ten_agencies):
    assert api(people["pm"]).get("/api/v1/agencies/?page_size=1").json()["count"] == 1
    assert api(people["fod"]).get("/api/v1/agencies/?page_size=1").json()["count"] == 9
    assert api(people["chief"]).get("/api/v1/agencies/?page_size=1&state=FL").json()["count"] == 1
    assert api(people["chief"]).get("/api/v1/agencies/?page_size=1&q=County 3").json()["count"] == 1


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(lambda: Agency.objects.order_by("name", "pk"), id="plain"),
        pytest.param(lambda: Agency.objects.filter(agreements__isnull=False).order_by("pk"), id="joined"),
        pytest.param(lambda: Agency.objects.filter(state="TX").distinct().order_by("pk"), id="distinct"),
        pytest.param(lambda: Agreement.objects.select_related("agency").order_by("agency__name", "pk"), id="related"),
        pytest.param(lambda: list(Agency.objects.order_by("pk")), id="a list"),
    ],
)
def test_counting_paginator_gives_djangos_pages(ten_agencies, rows):
    ours, django = CountingPaginator(rows(), 4), Paginator(rows(), 4)
    for number in range(1, django.num_pages + 1):
        mine, theirs = ours.page(number), django.page(number)
        assert list(mine) == list(theirs) and mine.has_next() == theirs.has_next()
    assert ours.count == django.count
    assert CountingPaginator(rows(), 4).page(1).paginator.count == django.count


@pytest.mark.parametrize("path", ["/api/v1/agencies/", "/api/v1/reporting-lines/"])
def test_a_page_far_past_the_end_answers_404_not_a_database_error(api, people, ten_agencies, path):
    """A page whose first row would be beyond any 64-bit offset (schemathesis sent
    page=248162586152234208) is past the end, as any page past the end: 404."""
    response = api(people["chief"]).get(path, {"page": 248162586152234208})
    assert response.status_code == 404
