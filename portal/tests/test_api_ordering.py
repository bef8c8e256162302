"""Paging through an API list ordered on a column many rows share gives every row once:
the primary key is the last key of every order (``portal.api.filters.StableOrderingFilter``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.tests.factories import AgencyFactory
from portal.compliance.models import Finding
from portal.tests.factories import AgencyFindingFactory

pytestmark = pytest.mark.django_db

SEEN = dt.datetime(2025, 3, 16, 6, 30, tzinfo=dt.UTC)  # one sweep: one moment for all it opened


@pytest.fixture
def tied(world):
    office = world["mine"].field_office
    return [
        AgencyFindingFactory(agency=AgencyFactory(field_office=office), first_seen_at=SEEN, last_seen_at=SEEN).pk
        for _ in range(7)
    ]


def _pages(client, ordering: str) -> list[list[int]]:
    pages, url = [], f"/api/v1/findings/?ordering={ordering}&page_size=3"
    while url:
        body = client.get(url).json()
        pages.append([row["id"] for row in body["results"]])
        url = body["next"]
    return pages


@pytest.mark.parametrize("ordering", ["-first_seen_at", "severity", "rule,-first_seen_at"])
def test_pages_of_rows_that_tie_hold_each_row_once_in_id_order(api, people, tied, ordering):
    client = api(people["chief"])
    with CaptureQueriesContext(connection) as queries:
        pages = _pages(client, ordering)
    ids = [pk for page in pages for pk in page]
    assert sorted(ids) == sorted(Finding.objects.values_list("pk", flat=True))
    assert len(ids) == len(set(ids))
    tied_in_list = [pk for pk in ids if pk in tied]
    assert tied_in_list == sorted(tied)  # the tie broken by id, ascending
    page_sql = [
        q["sql"] for q in queries.captured_queries if 'FROM "portal_finding"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert page_sql and all(
        sql.rstrip().split("ORDER BY")[-1].split("LIMIT")[0].rstrip().endswith('"portal_finding"."id" ASC')
        for sql in page_sql
    )


def test_the_default_order_breaks_its_ties_by_id_too(api, people, tied):
    client = api(people["chief"])
    pages, url = [], "/api/v1/findings/?page_size=3"
    while url:
        body = client.get(url).json()
        pages.append([row["id"] for row in body["results"]])
        url = body["next"]
    ids = [pk for page in pages for pk in page]
    assert len(ids) == len(set(ids)) == Finding.objects.count()
    assert [pk for pk in ids if pk in tied] == sorted(tied)
