"""Every list endpoint and list page runs the same number of SQL statements at two sizes
of data (the page size fixed): nothing is loaded per row or per record of the program.
tests/test_query_counts.py varies the page size; this varies the data under it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.tests.factories import AgencyFactory, AgreementFactory
from itdeploy.tests.factories import open_for
from portal.api.urls import router
from portal.compliance.sweep import sweep_run
from staffing.tests.factories import AssignmentFactory
from training.tests.factories import OfficerFactory, recertify

#: Lists that need a parameter or are not lists of rows (a plan per fiscal year, the
#: staffing figures computed per office), left to their own tests.
NOT_ROW_LISTS = {"capacity-plans", "staffing-figures", "dashboard"}
LIST_ENDPOINTS = sorted({prefix for prefix, _viewset, _basename in router.registry} - NOT_ROW_LISTS)
LIST_PAGES = [
    "/agencies/",
    "/agreements/",
    "/findings/",
    "/officers/",
    "/installations/",
    "/dashboard/",
    "/readiness/",
]


def grow(people, offices, n: int) -> None:
    """``n`` more agencies of the Houston office in the manager's scope, each with a
    signed agreement, an open installation, two officers (one recertified) and, after a
    sweep, its findings."""
    for _ in range(n):
        agency = AgencyFactory(field_office=offices["HOU"])
        agreement = AgreementFactory(agency=agency, signed_on=dt.date(2017, 7, 1))
        AssignmentFactory(agency=agency, program_manager=people["pm"], starts_on=dt.date(2017, 1, 1))
        open_for(agreement)
        recertify(OfficerFactory(agency=agency), dt.date(2017, 3, 1))
        OfficerFactory(agency=agency)
    sweep_run(notify=False)


def statements(client, url: str) -> int:
    client.get(url)  # the first read after a change may store derived data (the forecast) once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("person", ["chief", "pm"])
def test_list_endpoints_run_the_same_statements_at_two_sizes_of_data(world, people, offices, api, person):
    client = api(people[person])
    grow(people, offices, 3)
    small = {name: statements(client, f"/api/v1/{name}/?page_size=50") for name in LIST_ENDPOINTS}
    grow(people, offices, 12)
    large = {name: statements(client, f"/api/v1/{name}/?page_size=50") for name in LIST_ENDPOINTS}
    assert large == small


def test_list_pages_run_the_same_statements_at_two_sizes_of_data(world, people, offices, client):
    client.force_login(people["chief"])
    grow(people, offices, 3)
    small = {url: statements(client, url) for url in LIST_PAGES}
    grow(people, offices, 12)
    large = {url: statements(client, url) for url in LIST_PAGES}
    assert large == small


def rule_statements() -> dict:
    """Statements of each rule's first run (its findings set aside) and steady run."""
    from django.db import transaction

    from portal import dates
    from portal.compliance.models import Finding, SweepRun
    from portal.compliance.registry import registry
    from portal.compliance.sweep import apply_rule

    counts = {}
    run = SweepRun.objects.create(as_of=dates.today(), triggered_by="test", status="succeeded")
    for rule in registry.all():
        for phase in ("first", "steady"):
            sid = transaction.savepoint()
            if phase == "first":
                Finding.objects.filter(rule=rule.code).update(rule=rule.code + ".set-aside")
            with CaptureQueriesContext(connection) as ctx:
                apply_rule(rule, run, dates.today())
            counts[(rule.code, phase)] = len(ctx.captured_queries)
            transaction.savepoint_rollback(sid)
    return counts


def test_every_sweep_rule_runs_a_fixed_number_of_statements_whatever_the_rows(world, people, offices):
    grow(people, offices, 3)
    small = rule_statements()
    grow(people, offices, 12)
    large = rule_statements()
    assert large == small
