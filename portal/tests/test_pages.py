"""The shell's pages: home per role, findings list and actions."""

import pytest

from portal.compliance.models import Finding
from portal.compliance.sweep import sweep_run


@pytest.fixture
def swept(world):
    sweep_run(notify=False, rule_codes=["staffing.primary_without_backup", "agreements.no_primary_manager"])
    return world


def test_home_lists_the_findings_the_person_is_responsible_for(client, swept, people):
    client.force_login(people["pm_miami"])
    page = client.get("/").content.decode()
    assert "Findings you are responsible for (1)" in page
    assert "Collier County Sheriff&#x27;s Office (FL)" in page
    assert "Primary program manager without a backup" in page


def test_home_counts_by_rule_follow_scope(client, swept, people):
    client.force_login(people["chief"])
    page = client.get("/").content.decode()
    assert "Findings you are responsible for (0)" in page
    assert (
        '?rule=staffing.primary_without_backup&amp;is_open=true">Primary program manager without a backup</a></th><td class="numeric">2</td>'
        in page
    )


def test_findings_list_defaults_to_open_and_filters(client, swept, people):
    client.force_login(people["fod"])
    page = client.get("/findings/").content.decode()
    assert "Galveston County" in page and "Collier" not in page
    resolved = client.get("/findings/", {"status": "resolved"}).content.decode()
    assert "Galveston County" not in resolved.split("<tbody>", 1)[1]  # the table (the filters list the agency)


def test_responsible_manager_acknowledges_and_a_colleague_cannot(client, swept, people):
    finding = Finding.objects.get(subject_id=swept["houston_other"].pk)
    client.force_login(people["pm"])  # pm does not see houston_other
    assert client.post(f"/findings/{finding.pk}/", {"action": "acknowledge"}).status_code == 404
    client.force_login(people["pm_other"])
    client.post(f"/findings/{finding.pk}/", {"action": "acknowledge", "note": "Backup named Monday"})
    finding.refresh_from_db()
    assert finding.status == "acknowledged" and finding.acknowledged_by == people["pm_other"]
    # only HQ waives
    client.post(f"/findings/{finding.pk}/", {"action": "waive", "note": "no"})
    finding.refresh_from_db()
    assert finding.status == "acknowledged"


def test_director_resolves_a_finding_of_their_office_and_hq_waives(api, swept, people):
    finding = Finding.objects.get(subject_id=swept["houston_other"].pk)
    assert api(people["fod_miami"]).post(f"/api/v1/findings/{finding.pk}/resolve/").status_code == 404
    assert api(people["analyst"]).post(f"/api/v1/findings/{finding.pk}/acknowledge/").status_code == 403
    assert api(people["pm_other"]).post(f"/api/v1/findings/{finding.pk}/waive/", {"reason": "x"}).status_code == 403
    other = Finding.objects.get(subject_id=swept["miami"].pk)
    response = api(people["npm"]).post(f"/api/v1/findings/{other.pk}/waive/", {"reason": ""})
    assert response.status_code == 400 and "reason" in response.json()
    assert (
        api(people["npm"]).post(f"/api/v1/findings/{other.pk}/waive/", {"reason": "One-officer agency"}).status_code
        == 200
    )
    assert api(people["npm"]).post(f"/api/v1/findings/{other.pk}/waive/", {"reason": "again"}).status_code == 409
    # Resolving re-checks the rule for this one agency: refused (409) while it still has no backup.
    refused = api(people["fod"]).post(f"/api/v1/findings/{finding.pk}/resolve/", {"note": "Backup assigned"})
    assert refused.status_code == 409
    assert "condition still holds" in str(refused.json()) and "No backup program manager" in str(refused.json())
    finding.refresh_from_db()
    assert finding.is_open
    from staffing.tests.factories import AssignmentFactory

    AssignmentFactory(agency=swept["houston_other"], program_manager=people["pm"], kind="backup")
    resolved = api(people["fod"]).post(f"/api/v1/findings/{finding.pk}/resolve/", {"note": "Backup assigned"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    finding.refresh_from_db()
    assert finding.resolution == "Backup assigned"


def test_resolving_on_the_page_while_the_condition_holds_shows_the_error_on_the_form(client, swept, people):
    finding = Finding.objects.get(subject_id=swept["houston_other"].pk)
    client.force_login(people["fod"])
    response = client.post(f"/findings/{finding.pk}/", {"action": "resolve", "note": "Done, I think"})
    page = response.content.decode()
    assert response.status_code == 400  # the page form pattern: a refusal re-shows the form with 400
    # The refusal concerns no single field: said once, at the form's top, the note kept.
    assert page.count("The condition still holds") == 1
    assert "Done, I think</textarea>" in page
    finding.refresh_from_db()
    assert finding.is_open


def test_not_found_page_does_not_hint_at_existence(client, world, people, settings):
    settings.DEBUG = False
    client.force_login(people["pm"])
    response = client.get(f"/agencies/{world['miami'].pk}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "outside what your role lets you see" in body
    assert world["miami"].name not in body  # (a person may be named Collier: the agency is what must not show)


def test_history_names_a_changed_relation_not_its_id(client, world, people, offices, api):
    api(people["chief"]).patch(f"/api/v1/agencies/{world['mine'].pk}/", {"field_office": offices["SNA"].pk})
    client.force_login(people["chief"])
    page = client.get(f"/agencies/{world['mine'].pk}/").content.decode()
    assert "Houston</del>" in page.replace('<span class="usa-sr-only">from </span>', "")
    assert "San Antonio</ins>" in page.replace('<span class="usa-sr-only">to </span>', "")


def test_home_lists_the_most_urgent_findings_first(client, swept, people):
    Finding.objects.filter(subject_id=swept["miami"].pk).update(severity="critical")
    Finding.objects.filter(subject_id=swept["houston_other"].pk).update(severity="info", responsible=people["pm_miami"])
    client.force_login(people["pm_miami"])
    page = client.get("/").content.decode()
    assert page.index("Collier County") < page.index("Galveston County")
