"""The national dashboard's figures against the hand-counted program of conftest.py."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight.dashboard import DashboardFilters, dashboard

from .conftest import NOW, make_finding


def figures(user, **filters):
    return dashboard(user, DashboardFilters(**filters))


def test_agreement_figures_by_month_fiscal_year_model_and_state(program, people):
    a = figures(people["chief"])["agreements"]
    assert a["fiscal_year"] == 2018
    by_month = {m["month"]: m["signed"] for m in a["signed_by_month"]}
    assert len(by_month) == 12 and by_month["2017-10"] == 0
    assert by_month["2017-11"] == 1 and by_month["2018-01"] == 1 and sum(by_month.values()) == 2
    assert a["signed_in_fiscal_year"] == 2
    assert [(r["fiscal_year"], r["signed"]) for r in a["signed_by_fiscal_year"]] == [(2017, 3), (2018, 2)]
    in_force = {r["program_model"]: r["in_force"] for r in a["in_force_by_model"]}
    assert in_force == {"jem": 4, "tfm": 1, "wso": 0}  # three signed JEM + the suspended one; one TFM
    assert a["in_force"] == 5
    states = {s["state"]: s["in_force"] for s in a["by_state"]}
    assert states["TX"] == 3 and states["FL"] == 2 and states["CA"] == 0
    assert a["in_force_url"] == "/agreements/?status=signed&status=suspended"


def test_site_figures_median_and_share_within_goal(program, people):
    s = figures(people["chief"])["sites"]
    assert (s["operational"], s["waiting"], s["operational_in_fiscal_year"]) == (2, 1, 2)
    assert s["median_days_to_operational"] == (141 + 214) / 2
    assert (s["within_goal"], s["measured"], s["share_within_goal"]) == (1, 2, 50.0)
    # FY2017: nothing became operational then.
    assert figures(people["chief"], fiscal_year=2017)["sites"]["median_days_to_operational"] is None


def test_officer_figures(program, people):
    o = figures(people["chief"])["officers"]
    assert o["certified"] == 4
    assert o["able_to_act"] == 3  # the lapsed card cannot act
    assert o["cards_lapsed"] == 1
    assert (o["recertified"], o["share_recertified"]) == (1, 25.0)
    assert o["able_to_act_url"] == "/officers/?can_act=true"


def test_manager_figures_required_by_the_model_against_assigned(program, people):
    m = figures(people["chief"])["managers"]
    # Harris: 3,000 cases a year = 1.5 PMs (more than 3 able officers / 12); three field PMs assigned.
    assert (m["required"], m["assigned"], m["gap"]) == (1.5, 3.0, -1.5)


def test_finding_figures_by_rule_severity_and_trend(program, people):
    from portal.compliance.models import SweepRun

    first = SweepRun.objects.create(
        as_of=dt.date(2018, 3, 13),
        status="succeeded",
        started_at=NOW - dt.timedelta(days=2),
        finished_at=NOW - dt.timedelta(days=2),
    )
    second = SweepRun.objects.create(
        as_of=dt.date(2018, 3, 14),
        status="succeeded",
        started_at=NOW - dt.timedelta(days=1),
        finished_at=NOW - dt.timedelta(days=1),
    )
    make_finding("staffing.primary_without_backup", program["miami"], first_seen_at=NOW - dt.timedelta(days=3))
    make_finding(
        "agreements.no_primary_manager",
        program["suspended"],
        severity="high",
        first_seen_at=NOW - dt.timedelta(days=3),
        status="resolved",
        resolved_at=NOW - dt.timedelta(hours=36),
    )
    make_finding(
        "agreements.no_primary_manager",
        program["houston_other"],
        severity="high",
        first_seen_at=NOW - dt.timedelta(hours=30),
    )
    make_finding(
        "staffing.primary_without_backup",
        program["houston_other"],
        severity="warning",
        first_seen_at=NOW - dt.timedelta(hours=30),
    )
    f = figures(people["chief"])["findings"]
    assert f["open"] == 3
    rows = {r["rule"]: (r["open"], r["by_severity"]) for r in f["by_rule"]}
    assert rows == {
        "staffing.primary_without_backup": (2, {"warning": 2}),
        "agreements.no_primary_manager": (1, {"high": 1}),
    }
    assert {s["code"]: s["open"] for s in f["severities"]} == {"critical": 0, "high": 1, "warning": 2, "info": 0}
    # End of the first run: Collier and Lee open; end of the second: Lee resolved, Galveston's two seen.
    assert [(t["run"], t["open"]) for t in f["trend"]] == [(first.pk, 2), (second.pk, 3)]


def test_field_office_filter_narrows_the_whole_page(program, people, offices):
    d = figures(people["chief"], field_office=offices["MIA"])
    assert d["agreements"]["in_force"] == 2 and d["agreements"]["signed_in_fiscal_year"] == 1
    assert (d["sites"]["operational"], d["sites"]["waiting"]) == (0, 1)
    assert (d["officers"]["certified"], d["officers"]["able_to_act"]) == (0, 0)
    assert d["managers"]["assigned"] == 1.0
    assert d["agreements"]["in_force_url"].startswith(f"/agreements/?field_office={offices['MIA'].pk}&")


def test_program_model_and_fiscal_year_filters(program, people):
    tfm = figures(people["chief"], program_model="tfm")
    assert tfm["agreements"]["in_force"] == 1 and [
        r["program_model"] for r in tfm["agreements"]["in_force_by_model"]
    ] == ["tfm"]
    assert tfm["sites"]["operational"] == 0 and tfm["officers"]["certified"] == 0
    fy2017 = figures(people["chief"], fiscal_year=2017)
    assert fy2017["agreements"]["signed_in_fiscal_year"] == 3
    assert {m["month"]: m["signed"] for m in fy2017["agreements"]["signed_by_month"]}["2017-06"] == 3


def test_a_field_office_director_sees_their_office_only(program, people):
    d = figures(people["fod"])
    assert d["agreements"]["in_force"] == 3  # Harris, Galveston, Montgomery
    assert d["officers"]["certified"] == 4
    assert d["managers"]["assigned"] == 2.0 and d["managers"]["required"] == 1.5


def test_query_count_does_not_grow_with_the_data(program, people, offices):
    from agreements.tests.factories import AgencyFactory, AgreementFactory
    from training.tests.factories import OfficerFactory

    def count():
        with CaptureQueriesContext(connection) as ctx:
            dashboard(people["chief"])
        return len(ctx.captured_queries)

    def grow(n):
        for i in range(n):
            agency = AgencyFactory(field_office=offices["HOU"], state=["TX", "FL", "CA"][i % 3])
            AgreementFactory(agency=agency, signed_on=dt.date(2017, 2 + i % 10, 3))
            OfficerFactory(agency=agency, card_last_login_on=dt.date(2018, 3, 10))
            make_finding("staffing.primary_without_backup", agency)

    count()  # settings rows and the stored figures created on first use
    before = count()
    grow(1)
    # The first read after a change stores the national figures afresh, set-based: as
    # many statements after one new agency as after fifteen.
    refreshed_small = count()
    grow(15)
    refreshed_large = count()
    assert refreshed_large == refreshed_small > before
    assert count() == before


def test_page_renders_the_figures_map_and_links(program, people, client):
    client.force_login(people["chief"])
    page = client.get("/dashboard/").content.decode()
    assert "Agreements in force per state" in page and "<svg" in page
    assert 'aria-label="Texas: 3 agreements in force"' in page
    assert 'href="/officers/?can_act=true"' in page
    assert client.get("/dashboard/", {"fiscal_year": "x"}).status_code == 400


def test_hq_home_page_is_the_dashboard_and_others_keep_theirs(program, people, client):
    client.force_login(people["analyst"])
    assert "National dashboard" in client.get("/").content.decode()
    client.force_login(people["pm"])
    page = client.get("/").content.decode()
    assert "Welcome" in page and "National dashboard" not in page
    mine = client.get("/dashboard/").content.decode()  # a field PM's dashboard: their agencies
    assert 'aria-label="Florida: 0 agreements in force"' in mine and "Quarterly oversight report" not in mine
    client.force_login(people["ocio"])
    assert client.get("/reports/oversight/").status_code == 403


def test_api_returns_the_same_figures_scoped_and_validated(program, people, api, offices):
    body = api(people["fod"]).get("/api/v1/dashboard/").json()
    assert body == dashboard(people["fod"], DashboardFilters())
    assert api(people["chief"]).get("/api/v1/dashboard/", {"program_model": "zzz"}).status_code == 400
    # Filtering on another office shows the Houston director nothing of it: the scope still applies.
    other = api(people["fod"]).get("/api/v1/dashboard/", {"field_office": offices["MIA"].pk}).json()
    assert other["agreements"]["in_force"] == 0 and other["sites"]["waiting"] == 0
    assert api(people["fod"]).get("/api/v1/dashboard/", {"field_office": 99999}).status_code == 400
    empty = api(people["chief"]).get("/api/v1/dashboard/?field_office=")  # an id, as the schema says
    assert empty.status_code == 400 and "field_office" in empty.json()
    assert api(people["chief"]).get("/api/v1/readiness/?agency=").status_code == 400
    assert api().get("/api/v1/dashboard/").status_code in (401, 403)
