"""The list pages' filter panels: USWDS components, no "---------" or "Unknown", yes/no
filters as Any / Yes / No, choices limited to the reader's scope, the active filters as
removable tags, and the API still taking the same query parameters."""

from __future__ import annotations

import datetime as dt
import html
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django import forms

from agreements.geo import STATE_CHOICES
from agreements.models import Agency, Agreement, FieldOffice
from portal.audit.models import AuditEvent
from portal.compliance.sweep import sweep_run
from portal.models import StaffProfile

pytestmark = pytest.mark.django_db

LIST_PAGES = ["/agencies/", "/agreements/", "/officers/", "/findings/", "/audit/", "/installations/"]
ROLES = ["chief", "analyst", "fod", "pm", "ocio"]


def panel(response) -> str:
    html = response.content.decode()
    start = html.index('class="usa-form portal-filter-panel"')
    return html[start : html.index("</form>", start)]


def rows(response) -> set[str]:
    return {str(obj) for obj in response.context["object_list"]}


def choice_values(form, name) -> list[str]:
    return [str(value) for value, _ in form.fields[name].widget.choices if str(value) != ""]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", LIST_PAGES)
def test_no_raw_django_placeholders_in_any_filter_panel(client, world, people, role, url):
    client.force_login(people[role])
    response = client.get(url)
    if response.status_code == 403:  # the audit trail is HQ's
        return
    assert response.status_code == 200
    html = panel(response)
    assert "---------" not in html and "Unknown" not in html
    assert "multiple" not in html  # no Ctrl-click lists: checkboxes or a combo box
    for empty in re.findall(r'<option value="">([^<]*)</option>', html):
        assert empty == "Any" or empty.startswith("All ") or empty == "Anyone"
    for field in response.context["filter_form"]:
        kind = field.field.panel_kind
        assert kind in {"radios", "checkboxes", "combo", "select", "date", "input"}, field.name
        if isinstance(field.field, forms.NullBooleanField):
            assert kind == "radios"
        if isinstance(field.field, forms.DateField):
            assert kind == "date"


def test_long_lists_are_combo_boxes_and_dates_date_pickers(client, world, people):
    client.force_login(people["chief"])
    html = panel(client.get("/agreements/"))
    assert re.search(
        r'<div class="usa-combo-box" data-placeholder="All states" data-default-value="">\s*<select name="state"', html
    )
    assert re.search(
        r'<div class="usa-combo-box" data-placeholder="All field offices" data-default-value="">\s*<select name="field_office"',
        html,
    )
    audit = panel(client.get("/audit/", {"date_from": "2026-01-05"}))
    assert re.search(
        r'<div class="usa-date-picker" data-default-value="2026-01-05">\s*<input type="text" name="date_from"', audit
    )
    assert 'aria-describedby="id_date_from-hint"' in audit and 'id="id_date_from-hint">mm/dd/yyyy<' in audit


def test_a_date_filter_takes_what_the_picker_sends_and_what_links_write(client, world, people):
    client.force_login(people["chief"])
    AuditEvent.objects.all().delete()
    client.get("/agencies/")  # nothing journaled: the filter alone decides
    iso = client.get("/audit/", {"date_to": "2000-01-01"})
    shown = client.get("/audit/", {"date_to": "01/01/2000"})
    assert not iso.context["filter_form"].errors and not shown.context["filter_form"].errors
    assert list(iso.context["object_list"]) == list(shown.context["object_list"])
    later = client.get("/audit/", {"date_from": "01/01/2000"})
    assert later.context["paginator"].count == AuditEvent.objects.count()
    assert re.search(r'<div class="usa-date-picker" data-default-value="2000-01-01">', panel(shown))


def test_a_date_the_picker_cannot_read_is_shown_on_its_field(client, world, people):
    client.force_login(people["chief"])
    response = client.get("/audit/", {"date_from": "31/31/2026"})
    html = panel(response)
    assert 'id="id_date_from-error"' in html
    assert re.search(
        r'name="date_from" value="31/31/2026"[^>]*aria-describedby="id_date_from-hint id_date_from-error"', html
    )
    assert not response.context["object_list"]


def test_a_combo_box_of_several_choices_keeps_every_value_of_the_address(client, world, people):
    client.force_login(people["chief"])
    response = client.get("/agreements/", {"state": ["TX", "FL"]})
    assert rows(response) == {str(a) for a in Agreement.objects.filter(agency__state__in=["TX", "FL"])}
    html = panel(response)
    assert re.search(r'data-default-value="TX">\s*<select name="state"', html)
    assert '<input type="hidden" name="state" value="FL">' in html


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", {"mine", "houston_other", "miami"}), ("true", {"miami"}), ("false", {"mine", "houston_other"})],
)
def test_yes_no_filters_take_any_yes_and_no(client, world, people, value, expected):
    Agreement.objects.filter(pk=world["agreements"]["miami"].pk).update(not_listed_since=dt.date(2018, 3, 1))
    client.force_login(people["analyst"])
    response = client.get("/agreements/", {"not_on_ice_list": value})
    assert rows(response) == {str(world["agreements"][key]) for key in expected}
    checked = re.search(r'<input type="radio" name="not_on_ice_list" value="([a-z]*)"[^>]*checked>', panel(response))
    assert checked and checked.group(1) == value


def test_yes_no_filters_read_the_api_spellings(client, world, people):
    Agreement.objects.filter(pk=world["agreements"]["miami"].pk).update(not_listed_since=dt.date(2018, 3, 1))
    client.force_login(people["analyst"])
    for spelling in ("True", "1"):
        assert rows(client.get("/agreements/", {"not_on_ice_list": spelling})) == {str(world["agreements"]["miami"])}
    assert len(rows(client.get("/agreements/", {"not_on_ice_list": "unknown"}))) == 3  # the old "Unknown": any


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/agreements/", "/agencies/", "/officers/", "/installations/"])
def test_choices_are_what_the_role_sees(client, world, people, offices, role, url):
    user = people[role]
    client.force_login(user)
    response = client.get(url)
    if response.status_code in (403, 404):  # OCIO sees no agreements or officers
        return
    form = response.context["filter_form"]
    visible = Agency.objects.visible_to(user)
    everything = visible.count() == Agency.objects.count()
    if "agency" in form.fields:
        assert sorted(choice_values(form, "agency")) == sorted(str(pk) for pk in visible.values_list("pk", flat=True))
    if "state" in form.fields:
        states = {code for code, _ in STATE_CHOICES} if everything else set(visible.values_list("state", flat=True))
        assert set(choice_values(form, "state")) == states
    field_offices = (
        FieldOffice.objects.all() if everything else FieldOffice.objects.filter(agencies__in=visible).distinct()
    )
    assert set(choice_values(form, "field_office")) == {str(pk) for pk in field_offices.values_list("pk", flat=True)}


def test_a_houston_manager_is_offered_houston_only(client, world, people, offices):
    client.force_login(people["pm_other"])
    form = client.get("/officers/").context["filter_form"]
    assert dict(form.fields["agency"].widget.choices) == {
        "": "All agencies",
        world["mine"].pk: str(world["mine"]),
        world["houston_other"].pk: str(world["houston_other"]),
    }
    assert choice_values(form, "field_office") == [str(offices["HOU"].pk)]
    agreements = client.get("/agreements/").context["filter_form"]
    assert choice_values(agreements, "state") == ["TX"]
    assert "agency_name" not in form.fields  # the free-text agency box gave way to the list
    sweep_run(notify=False)
    findings = client.get("/findings/").context["filter_form"]
    seen = StaffProfile.objects.visible_to(people["pm_other"]).values_list("user_id", flat=True)
    assert sorted(choice_values(findings, "responsible")) == sorted(str(pk) for pk in seen)
    assert str(people["pm_miami"].pk) not in choice_values(findings, "responsible")


def test_a_choice_outside_the_scope_is_refused_on_its_field_and_the_api_still_answers(client, api, world, people):
    client.force_login(people["pm"])
    miami = world["miami"].pk
    response = client.get("/agreements/", {"agency": miami})
    assert not response.context["object_list"]
    assert 'id="id_agency-error"' in panel(response)
    answer = api(people["pm"]).get("/api/v1/agreements/", {"agency": miami})
    assert answer.status_code == 200 and answer.json()["results"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"state": ["TX"]},
        {"state": ["TX", "FL"], "not_on_ice_list": "false"},
        {"needs_review": "true"},
        {"field_office": "HOU"},
        {"agency": "mine", "status": ["signed", "suspended"]},
    ],
)
def test_the_page_and_the_api_take_the_same_query(client, api, world, people, offices, query):
    query = dict(query)
    if "field_office" in query:
        query["field_office"] = offices[query["field_office"]].pk
    if "agency" in query:
        query["agency"] = world[query["agency"]].pk
    client.force_login(people["analyst"])
    page = {obj.pk for obj in client.get("/agreements/", query).context["object_list"]}
    answer = api(people["analyst"]).get("/api/v1/agreements/", query)
    assert answer.status_code == 200
    assert page == {row["id"] for row in answer.json()["results"]}


def tag_links(response) -> list[tuple[str, str]]:
    page = response.content.decode()
    section = page[page.index('aria-labelledby="filter-tags-heading"') :]
    section = section[: section.index("</section>")]
    return [
        (html.unescape(href), html.unescape(re.sub(r"<[^>]+>", "", text)).replace("×", "").strip())
        for href, text in re.findall(r'<a class="usa-tag portal-filter-tag" href="([^"]*)">(.*?)</a>', section)
    ]


def test_active_filters_are_tags_each_removing_only_itself(client, world, people, offices):
    client.force_login(people["analyst"])
    query = {
        "state": ["TX", "FL"],
        "field_office": offices["HOU"].pk,
        "not_on_ice_list": "false",
        "q": "",
        "sort": "-agency__name",
        "page": "1",
    }
    response = client.get("/agreements/", query)
    tags = tag_links(response)
    assert [text for _, text in tags] == [
        "Remove filter State: Texas",
        "Remove filter State: Florida",
        f"Remove filter Field office: {offices['HOU']}",
        "Remove filter Not on ICE's latest list: No",
    ]
    applied = {key: value if isinstance(value, list) else [str(value)] for key, value in query.items() if value}
    applied.pop("page")
    removed = [("state", "TX"), ("state", "FL"), ("field_office", str(offices["HOU"].pk)), ("not_on_ice_list", "false")]
    for (href, _), (name, value) in zip(tags, removed, strict=True):
        left = {k: [x for x in v if x] for k, v in parse_qs(urlsplit(href).query, keep_blank_values=True).items()}
        expected = {k: [x for x in v if not (k == name and x == value)] for k, v in applied.items()}
        assert {k: v for k, v in left.items() if v} == {k: v for k, v in expected.items() if v}
        assert client.get("/agreements/" + href).status_code == 200
    html = response.content.decode()
    assert '<h2 class="usa-sr-only" id="filter-tags-heading">Active filters</h2>' in html
    assert 'href="/agreements/?sort=-agency__name">Clear all' in html


def test_no_tags_without_filters_and_removing_the_last_shows_everything(client, world, people):
    client.force_login(people["chief"])
    assert "filter-tags-heading" not in client.get("/agreements/").content.decode()
    sweep_run(notify=False)
    default = client.get("/findings/")  # the default view: open findings only
    [(href, text)] = tag_links(default)
    assert text == "Remove filter Open or acknowledged: Yes"
    everything = client.get("/findings/" + href)
    assert "filter-tags-heading" not in everything.content.decode()
    assert everything.context["paginator"].count >= default.context["paginator"].count


def test_the_pipeline_board_has_the_panel_and_tags(client, world, people):
    client.force_login(people["chief"])
    response = client.get("/installations/", {"ranked": "true"})
    assert response.status_code == 200
    assert [text for _, text in tag_links(response)] == ["Remove filter Has an HQ priority rank: Yes"]
    form = response.context["filter_form"]
    assert form.fields["current_step"].panel_kind in {"select", "combo"}
    assert "---------" not in panel(response)


# --- the type-ahead of a long list (agencies, staff) -------------------------------------


@pytest.fixture
def long_lists(monkeypatch):
    """Every list of agencies or staff longer than two rows is a type-ahead (the world
    holds three agencies; at national scale HQ sees 5,000)."""
    from portal import filter_panel

    monkeypatch.setattr(filter_panel, "LONG_LIST", 2)


def suggestions(client, path, q=""):
    response = client.get(path, {"q": q})
    assert response.status_code == 200, response.content[:300]
    return [row["label"] for row in response.json()["results"]]


ALL_THREE = [
    "Collier County Sheriff's Office (FL)",
    "Galveston County Sheriff's Office (TX)",
    "Harris County Sheriff's Office (TX)",
]


@pytest.mark.parametrize(
    "role, expected",
    [
        ("chief", ALL_THREE),
        ("analyst", ALL_THREE),
        ("ocio", ALL_THREE),  # OCIO sees every agency's name and place
        ("fod", ALL_THREE[1:]),  # the Houston office's
        ("pm", ALL_THREE[2:]),  # the agency assigned to the manager
        ("pm_miami", ALL_THREE[:1]),
    ],
)
def test_agency_suggestions_are_the_agencies_the_reader_sees(client, world, people, role, expected):
    client.force_login(people[role])
    assert suggestions(client, "/filters/agencies/", "county") == expected
    assert suggestions(client, "/filters/agencies/", "") == expected
    assert suggestions(client, "/filters/agencies/", "Collier") == [a for a in expected if a.startswith("Collier")]


def test_agency_suggestions_start_with_the_typed_text_first_and_say_when_there_are_more(
    client, world, people, monkeypatch
):
    from agreements.tests.factories import AgencyFactory
    from portal import filter_panel

    AgencyFactory(name="Sheriff of Harrison County", state="TX")
    client.force_login(people["chief"])
    assert suggestions(client, "/filters/agencies/", "harris") == [
        "Harris County Sheriff's Office (TX)",
        "Sheriff of Harrison County (TX)",
    ]
    monkeypatch.setattr(filter_panel, "SUGGESTED", 2)
    answer = client.get("/filters/agencies/", {"q": "sheriff"}).json()
    assert len(answer["results"]) == 2 and answer["more"] is True
    assert client.get("/filters/agencies/", {"q": "harris"}).json()["more"] is False


def test_suggestions_need_a_role_that_sees_the_source(client, world, people):
    assert client.get("/filters/agencies/").status_code == 302  # to the sign-in page
    client.force_login(people["norole"])
    for source in ("agencies", "staff", "managers"):
        assert client.get(f"/filters/{source}/").status_code == 403


def _name(user):
    return user.get_full_name() or user.username


def _staff_seen(user):
    from portal import access

    return [p.user for p in access.restrict(StaffProfile.objects.select_related("user"), user)]


def test_staff_suggestions_are_the_staff_the_reader_sees(client, world, people):
    client.force_login(people["pm"])
    seen = {_name(u) for u in _staff_seen(people["pm"])}
    listed = set(suggestions(client, "/filters/staff/", ""))
    assert listed == seen and listed < {_name(u) for u in people.values() if hasattr(u, "staff_profile")}
    client.force_login(people["chief"])
    assert set(suggestions(client, "/filters/staff/", "")) >= seen


def test_a_long_agency_list_is_a_type_ahead_and_a_short_one_stays_a_list(client, world, people, long_lists):
    client.force_login(people["chief"])
    response = client.get("/officers/")
    field = response.context["filter_form"]["agency"]
    assert field.field.panel_kind == "typeahead"
    html = panel(response)
    assert 'data-source="/filters/agencies/"' in html and "Harris County" not in html  # no options on the page
    assert '<input type="hidden" name="agency" value=""' in html
    assert 'id="id_agency" name="agency_search"' in html or 'name="agency_search"' in html
    # a field office list (25 rows, not a source of suggestions) stays a combo box
    assert response.context["filter_form"]["field_office"].field.panel_kind == "combo"

    client.force_login(people["pm"])  # one agency
    response = client.get("/officers/")
    assert response.context["filter_form"]["agency"].field.panel_kind != "typeahead"
    assert "Harris County Sheriff&#x27;s Office" in panel(response)


def test_a_chosen_agency_is_shown_by_name_submitted_by_id_and_tagged(client, world, people, long_lists):
    from training.tests.factories import OfficerFactory

    OfficerFactory(agency=world["mine"], last_name="Harrisson")
    OfficerFactory(agency=world["miami"], last_name="Colliers")
    client.force_login(people["chief"])
    response = client.get("/officers/", {"agency": world["mine"].pk})
    html = panel(response)
    assert f'<input type="hidden" name="agency" value="{world["mine"].pk}"' in html
    assert 'value="Harris County Sheriff&#x27;s Office (TX)"' in html
    assert {o.last_name for o in response.context["object_list"]} == {"Harrisson"}
    tags = response.context["filter_tags"]["tags"]
    assert [(t["label"], t["value"]) for t in tags] == [("Agency", "Harris County Sheriff's Office (TX)")]
    assert "agency=" not in tags[0]["remove"].replace("agency_search", "")


def test_an_agency_outside_the_scope_is_refused_on_the_type_ahead(client, world, people, monkeypatch):
    from portal import filter_panel

    monkeypatch.setattr(filter_panel, "LONG_LIST", 0)
    client.force_login(people["pm"])
    response = client.get("/officers/", {"agency": world["miami"].pk})
    assert response.context["filter_form"]["agency"].field.panel_kind == "typeahead"
    assert "is not one of the available choices" in panel(response)
    assert "Collier" not in panel(response)  # the name of an agency the manager does not see
    assert list(response.context["object_list"]) == []


def test_without_javascript_the_typed_name_is_read_as_its_agency(client, world, people, long_lists):
    from training.tests.factories import OfficerFactory

    OfficerFactory(agency=world["mine"], last_name="Harrisson")
    OfficerFactory(agency=world["miami"], last_name="Colliers")
    client.force_login(people["chief"])
    # one agency contains the text: it is chosen
    response = client.get("/officers/", {"agency_search": "harris", "agency": ""})
    assert {o.last_name for o in response.context["object_list"]} == {"Harrisson"}
    assert [t["value"] for t in response.context["filter_tags"]["tags"]] == ["Harris County Sheriff's Office (TX)"]
    assert f'name="agency" value="{world["mine"].pk}"' in panel(response)
    # the chosen agency's name sent back with its id keeps it
    again = client.get(
        "/officers/", {"agency_search": "Harris County Sheriff's Office (TX)", "agency": world["mine"].pk}
    )
    assert {o.last_name for o in again.context["object_list"]} == {"Harrisson"}
    # emptied, the filter is gone
    cleared = client.get("/officers/", {"agency_search": "", "agency": world["mine"].pk})
    assert {o.last_name for o in cleared.context["object_list"]} == {"Harrisson", "Colliers"}
    assert cleared.context["filter_tags"]["tags"] == []
    # several match: the field says so and links each
    several = client.get("/officers/", {"agency_search": "county"})
    html = panel(several)
    assert "More than one of your agencies match “county”" in html
    assert list(several.context["object_list"]) == []
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', html)
    assert [unescape(name) for _, name in links] == ALL_THREE
    picked = client.get("/officers/" + unescape(links[2][0]))
    assert {o.last_name for o in picked.context["object_list"]} == {"Harrisson"}
    # none match
    none = client.get("/officers/", {"agency_search": "Travis"})
    assert "None of your agencies match “Travis”" in panel(none)


def test_removing_the_type_ahead_tag_drops_the_typed_name_too(client, world, people, long_lists):
    client.force_login(people["chief"])
    response = client.get("/findings/", {"agency_search": "Harris", "is_open": "true"})
    tag = next(t for t in response.context["filter_tags"]["tags"] if t["label"] == "Agency")
    assert "agency" not in parse_qs(urlsplit(tag["remove"]).query)
    assert "agency_search" not in parse_qs(urlsplit(tag["remove"]).query)
    assert "agency_search" not in response.context["filter_tags"]["clear"]


def test_a_type_ahead_page_runs_the_same_statements_whatever_the_number_of_agencies(
    client, world, people, long_lists, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agreements.tests.factories import AgencyFactory

    client.force_login(people["chief"])
    url = f"/findings/?agency={world['mine'].pk}&is_open=true"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(5):
        AgencyFactory(name=f"Travis County Constable {i}", state="TX")
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert response.context["filter_form"]["agency"].field.panel_kind == "typeahead"
    assert len(after) == len(before)
