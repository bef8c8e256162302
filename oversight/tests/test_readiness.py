"""Site readiness: one reason per blocking cause, the list, its export and the API."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight.readiness import blocker_counts, site_readiness, sort_by_blockers

from .conftest import TODAY


@pytest.fixture
def ready_site(frozen, people, offices, plan):
    """A site meeting every condition: a signed JEM agreement, operational equipment, a
    primary and a backup manager, three certified officers able to act (certified this
    fiscal year, so recertified), cards active."""
    from agreements.tests.factories import AgencyFactory, AgreementFactory
    from staffing.choices import AssignmentKind
    from staffing.tests.factories import AssignmentFactory
    from training.tests.factories import OfficerFactory

    agency = AgencyFactory(
        name="Webb County Sheriff's Office",
        field_office=offices["HOU"],
        equipment_operational_since=dt.date(2017, 12, 1),
    )
    agreement = AgreementFactory(agency=agency)
    primary = AssignmentFactory(agency=agency, program_manager=people["pm"], kind=AssignmentKind.PRIMARY)
    backup = AssignmentFactory(agency=agency, program_manager=people["pm_other"], kind=AssignmentKind.BACKUP)
    officers = [
        OfficerFactory(agency=agency, certified_on=dt.date(2017, 11, 1), card_last_login_on=TODAY) for _ in range(3)
    ]
    return {"agency": agency, "agreement": agreement, "primary": primary, "backup": backup, "officers": officers}


def readiness_of(user, agency):
    (site,) = site_readiness(user, agency_ids=[agency.pk])
    return site


def test_a_site_meeting_every_condition_is_ready(ready_site, people):
    site = readiness_of(people["chief"], ready_site["agency"])
    assert (site.status, site.reasons, site.officers_able) == ("ready", {}, 3)


def _approved(s):
    s["agreement"].status = "approved"
    s["agreement"].save()


def _suspended(s):
    s["agreement"].status = "suspended"
    s["agreement"].save()


def _no_primary(s):
    s["primary"].ends_on = TODAY - dt.timedelta(days=1)
    s["primary"].save()


def _no_equipment(s):
    s["agency"].equipment_operational_since = None
    s["agency"].save()


def _no_officers(s):
    for officer in s["officers"]:
        officer.status = "left"
        officer.save()


def _one_officer(s):
    for officer in s["officers"][:2]:
        officer.status = "left"
        officer.save()


def _no_backup(s):
    s["backup"].delete()


def _lapsed_card(s):
    s["officers"][0].card_last_login_on = TODAY - dt.timedelta(days=31)
    s["officers"][0].save()


def _missed_recertification(s):
    officer = s["officers"][0]
    officer.certified_on = dt.date(2016, 6, 1)  # due in FY2017, no completion recorded
    officer.save()


@pytest.mark.parametrize(
    "change, reasons, status",
    [
        (_approved, ["agreement", "officers"], "not_ready"),  # officers act only under a signed one
        (_suspended, ["agreement", "officers"], "not_ready"),  # a suspended agreement stops its officers
        (_no_primary, ["primary"], "not_ready"),
        (_no_equipment, ["equipment", "officers"], "not_ready"),  # a JEM officer cannot act without it
        (_no_officers, ["officers"], "not_ready"),
        (_one_officer, ["officers"], "partly"),
        (_no_backup, ["backup"], "partly"),
        (_lapsed_card, ["cards"], "partly"),
        (_missed_recertification, ["recertification"], "partly"),
    ],
)
def test_each_blocking_cause_gives_its_reason(ready_site, people, change, reasons, status):
    change(ready_site)
    site = readiness_of(people["chief"], ready_site["agency"])
    assert sorted(site.reasons) == sorted(reasons)
    assert site.status == status


def test_equipment_is_not_needed_for_a_model_without_site_installation(ready_site, people):
    ready_site["agreement"].program_model = "tfm"
    ready_site["agreement"].save()
    _no_equipment(ready_site)
    assert readiness_of(people["chief"], ready_site["agency"]).status == "ready"


def test_the_program_reasons_and_the_order_by_what_blocks_most(program, people):
    sites = {s.agency_name: s for s in site_readiness(people["chief"])}
    assert "Brazoria County Sheriff's Office" not in sites  # an application is not assessed yet
    harris = sites["Harris County Sheriff's Office"]
    assert (harris.status, sorted(harris.reasons)) == ("partly", ["cards", "recertification"])
    assert "1 certified officer(s) with a lapsed security card." in harris.reasons["cards"]
    collier = sites["Collier County Sheriff's Office"]
    assert collier.status == "not_ready" and {"equipment", "officers", "backup", "recertification"} == set(
        collier.reasons
    )
    lee = sites["Lee County Sheriff's Office"]
    assert lee.reasons["agreement"] == "The agreement is suspended."
    counts = {b["code"]: b["sites"] for b in blocker_counts(list(sites.values()))}
    assert counts["officers"] == 4 and counts["backup"] == 3
    ordered = [s.status for s in sort_by_blockers(list(sites.values()))]
    assert ordered == sorted(ordered, key=["not_ready", "partly", "ready"].index)


def test_readiness_is_scoped(program, people):
    assert {s.agency_name for s in site_readiness(people["pm_miami"])} == {"Collier County Sheriff's Office"}
    assert {s.field_office_name for s in site_readiness(people["fod"])} == {"Houston"}
    assert site_readiness(people["ocio"]) == []  # agencies' names and places only


def test_queries_do_not_grow_with_the_number_of_agencies(ready_site, people, offices):
    from agreements.tests.factories import AgencyFactory, AgreementFactory
    from training.tests.factories import OfficerFactory

    def count():
        with CaptureQueriesContext(connection) as ctx:
            site_readiness(people["chief"])
        return len(ctx.captured_queries)

    def grow(n):
        for _ in range(n):
            agency = AgencyFactory(field_office=offices["HOU"])
            AgreementFactory(agency=agency)
            OfficerFactory(agency=agency, card_last_login_on=TODAY)

    count()
    before = count()
    grow(1)
    # The first read after a change stores the officers' standing afresh, set-based.
    refreshed_small = count()
    grow(10)
    assert count() == refreshed_small > before
    assert count() == before


def test_page_filters_and_exports(program, people, client):
    client.force_login(people["chief"])
    page = client.get("/readiness/").content.decode()
    assert "What blocks the most sites" in page and "Collier County" in page
    filtered = client.get("/readiness/", {"blocker": "equipment"}).content.decode()
    assert "Collier County" in filtered and "Harris County" not in filtered
    assert "Harris County" not in client.get("/readiness/", {"status": "not_ready"}).content.decode()
    response = client.get("/readiness/", {"export": "csv", "status": "partly"})
    body = b"".join(response.streaming_content).decode()
    assert "Harris County Sheriff's Office" in body and "Collier" not in body
    assert client.get("/readiness/", {"export": "xlsx"})["Content-Type"].startswith("application/vnd.openxml")
    assert client.get("/readiness/", {"status": "bogus"}).status_code == 400


def test_agency_page_shows_the_readiness_panel(program, people, client):
    client.force_login(people["pm"])
    page = client.get(program["mine"].get_absolute_url()).content.decode()
    assert "Site readiness" in page and "partly ready" in page


def test_api_lists_scoped_readiness_with_reasons(program, people, api):
    body = api(people["fod"]).get("/api/v1/readiness/").json()
    names = {row["agency_name"] for row in body["results"]}
    assert names == {
        "Harris County Sheriff's Office",
        "Galveston County Sheriff's Office",
        "Montgomery County Constable",
    }
    harris = next(r for r in body["results"] if r["agency_name"].startswith("Harris"))
    assert harris["status"] == "partly" and {r["code"] for r in harris["reasons"]} == {"cards", "recertification"}
    client = api(people["pm_miami"])
    (collier,) = client.get("/api/v1/readiness/", {"agency": program["miami"].pk}).json()["results"]
    assert collier["status"] == "not_ready"
    outside = client.get("/api/v1/readiness/", {"agency": program["mine"].pk})
    assert outside.status_code == 400 and "agency" in outside.json()  # not in the caller's scope
    assert api(people["ocio"]).get("/api/v1/readiness/").json()["results"] == []
    assert client.get("/api/v1/readiness/", {"status": "bogus"}).status_code == 400
    assert api().get("/api/v1/readiness/").status_code in (401, 403)
