"""The scoping matrix: each role against each endpoint and page (401 / 404 / 403 / 200)."""

from html import escape

import pytest

from portal.compliance.sweep import sweep_run

#: Which of the world's agencies each person sees.
SEES = {
    "chief": {"mine", "houston_other", "miami"},
    "npm": {"mine", "houston_other", "miami"},
    "analyst": {"mine", "houston_other", "miami"},
    "fod": {"mine", "houston_other"},
    "fod_miami": {"miami"},
    "pm": {"mine"},
    "pm_other": {"mine", "houston_other"},
    "pm_miami": {"miami"},
    "ocio": {"mine", "houston_other", "miami"},  # agencies' names and places
}
AGENCY_SCOPED = ["agencies", "agreements", "assignments"]
ALL_LIST_ENDPOINTS = AGENCY_SCOPED + ["field-offices", "staff", "findings", "sweep-runs", "tokens"]


def agency_ids(world, keys):
    return {world[k].pk for k in keys}


def listed_agency_ids(response, endpoint):
    rows = response.json()["results"]
    return {row["id"] if endpoint == "agencies" else row["agency"] for row in rows}


@pytest.mark.parametrize("endpoint", ALL_LIST_ENDPOINTS)
def test_anonymous_gets_401(world, api, endpoint):
    assert api().get(f"/api/v1/{endpoint}/").status_code == 401


@pytest.mark.parametrize("endpoint", ALL_LIST_ENDPOINTS)
def test_user_without_a_role_gets_403(world, people, api, endpoint):
    assert api(people["norole"]).get(f"/api/v1/{endpoint}/").status_code == 403


@pytest.mark.parametrize("person", sorted(SEES))
@pytest.mark.parametrize("endpoint", AGENCY_SCOPED)
def test_each_role_lists_exactly_its_scope(world, people, api, person, endpoint):
    response = api(people[person]).get(f"/api/v1/{endpoint}/", {"page_size": 100})
    assert response.status_code == 200
    expected = SEES[person]
    if person == "ocio" and endpoint != "agencies":
        expected = set()  # OCIO sees agencies' names and places, not their agreements or managers
    assert listed_agency_ids(response, endpoint) == agency_ids(world, expected)


@pytest.mark.parametrize("person", sorted(SEES))
def test_detail_outside_scope_is_404_inside_is_200(world, people, api, person):
    client = api(people[person])
    for key in ("mine", "houston_other", "miami"):
        agency_status = client.get(f"/api/v1/agencies/{world[key].pk}/").status_code
        agreement_status = client.get(f"/api/v1/agreements/{world['agreements'][key].pk}/").status_code
        visible = key in SEES[person]
        assert agency_status == (200 if visible else 404), key
        if person != "ocio":
            assert agreement_status == (200 if visible else 404), key


@pytest.mark.parametrize(
    "person, expected",
    [
        ("chief", 200),
        ("npm", 200),
        ("analyst", 403),
        ("fod", 403),
        ("pm", 403),
        ("ocio", 403),
    ],
)
def test_changing_a_visible_agency_depends_on_role(world, people, api, person, expected):
    response = api(people[person]).patch(f"/api/v1/agencies/{world['mine'].pk}/", {"contact_name": "Sheriff Ed"})
    assert response.status_code == expected


@pytest.mark.parametrize("person", ["pm", "pm_miami", "fod_miami"])
def test_changing_an_agency_outside_scope_is_404_not_403(world, people, api, person):
    target = "miami" if person == "pm" else "mine"
    response = api(people[person]).patch(f"/api/v1/agencies/{world[target].pk}/", {"contact_name": "x"})
    assert response.status_code == 404


def test_findings_follow_the_agency(world, people, api):
    sweep_run(notify=False, rule_codes=["staffing.primary_without_backup", "agreements.no_primary_manager"])
    seen = {row["agency"] for row in api(people["pm_other"]).get("/api/v1/findings/").json()["results"]}
    assert seen == {world["houston_other"].pk}
    seen = {row["agency"] for row in api(people["fod_miami"]).get("/api/v1/findings/").json()["results"]}
    assert seen == {world["miami"].pk}
    assert api(people["chief"]).get("/api/v1/findings/").json()["count"] == 2


def test_staff_directory_is_narrowed_for_field_staff(world, people, api):
    usernames = {
        row["username"] for row in api(people["pm_miami"]).get("/api/v1/staff/", {"page_size": 100}).json()["results"]
    }
    assert "fod_mia" in usernames and "chief" in usernames
    assert "pm_hou" not in usernames and "fod_hou" not in usernames


# --- pages ------------------------------------------------------------------------------

PAGES = ["/", "/agencies/", "/agreements/", "/findings/", "/tokens/"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_the_login_page(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("person", sorted(SEES))
def test_agency_pages_follow_scope(client, world, people, person):
    client.force_login(people[person])
    listing = client.get("/agencies/").content.decode()
    for key in ("mine", "houston_other", "miami"):
        visible = key in SEES[person]
        assert (escape(world[key].name) in listing) == visible, key
        assert client.get(f"/agencies/{world[key].pk}/").status_code == (200 if visible else 404)


@pytest.mark.parametrize("person", sorted(SEES))
def test_agreement_pages_follow_scope(client, world, people, person):
    client.force_login(people[person])
    for key in ("mine", "houston_other", "miami"):
        visible = key in SEES[person] and person != "ocio"
        assert client.get(f"/agreements/{world['agreements'][key].pk}/").status_code == (200 if visible else 404)


def test_csv_export_holds_only_the_scope(client, world, people):
    client.force_login(people["pm"])
    response = client.get("/agencies/", {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert "Harris County Sheriff's Office" in body
    assert "Collier" not in body and "Galveston" not in body
