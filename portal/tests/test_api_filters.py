"""The API's filter backend: a list without a filter parameter is not filtered (and
builds no FilterSet); every parameter that names a filter still filters or is refused."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from agreements.api.views import AgencyViewSet, AgreementDocumentViewSet
from agreements.models import AgreementDocument
from portal.api.filters import asks_to_filter


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", False),
        ("page=2&page_size=10", False),
        ("ordering=name&format=json", False),
        ("unknown=1", False),
        ("state=TX", True),
        ("state=", True),  # an empty typed value is still refused (400)
        ("search=Harris", True),  # the alias of q
        ("field_office_confirmed=maybe", True),
    ],
)
def test_agency_filters_named_by_the_query(query, expected):
    assert asks_to_filter(AgencyViewSet, QueryDict(query)) is expected


def test_filterset_fields_are_filters_too():
    assert asks_to_filter(AgreementDocumentViewSet, QueryDict("kind=moa"))
    assert asks_to_filter(AgreementDocumentViewSet, QueryDict("agreement__in=1"))
    assert not asks_to_filter(AgreementDocumentViewSet, QueryDict("page=1"))


def test_unfiltered_and_unknown_parameters_list_every_row(world, people, api):
    chief = api(people["chief"])
    everything = chief.get("/api/v1/agencies/").json()
    assert everything["count"] == 3
    assert chief.get("/api/v1/agencies/", {"unknown": "1", "page_size": "2"}).json()["count"] == 3


def test_filters_still_filter_and_refuse(world, people, api):
    chief = api(people["chief"])
    assert [a["name"] for a in chief.get("/api/v1/agencies/", {"state": "FL"}).json()["results"]] == [
        "Collier County Sheriff's Office"
    ]
    assert chief.get("/api/v1/agencies/", {"state": ""}).status_code == 400
    assert chief.get("/api/v1/agencies/", {"field_office_confirmed": "maybe"}).status_code == 400
    documents = chief.get("/api/v1/agreement-documents/", {"kind": "no-such-kind"})
    assert documents.status_code == 400 and "kind" in documents.json()
    assert AgreementDocument.objects.count() == chief.get("/api/v1/agreement-documents/").json()["count"]
