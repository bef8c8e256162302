"""The field policy (portal.access.FIELD_POLICY): OCIO sees an agency's name, type,
state, county, field office and installation, never its contacts or program managers,
in the API, on the agency page and in the export."""

from html import escape

import pytest

CONTACTS = {
    "contact_name": "Sheriff Ed Gonzalez",
    "contact_email": "ed.gonzalez@hcso.example.gov",
    "contact_phone": "713-555-0199",
    "address": "1200 Baker St, Houston, TX 77002",
}


@pytest.fixture
def contacts(world):
    agency = world["mine"]
    for name, value in CONTACTS.items():
        setattr(agency, name, value)
    agency.save()
    return agency


def test_ocio_gets_only_names_and_places_from_the_agency_api(contacts, people, api):
    body = api(people["ocio"]).get(f"/api/v1/agencies/{contacts.pk}/").json()
    assert set(body) == {"id", "url", "name", "agency_type", "state", "county", "field_office", "field_office_name"}
    assert body["name"] == contacts.name and body["county"] == "Harris"
    listed = api(people["ocio"]).get("/api/v1/agencies/").json()["results"]
    assert listed and all("contact_email" not in row and "address" not in row for row in listed)


def test_hq_and_the_assigned_pm_still_get_the_contacts(contacts, people, api):
    for person in ("chief", "analyst", "fod", "pm"):
        body = api(people[person]).get(f"/api/v1/agencies/{contacts.pk}/").json()
        assert body["contact_email"] == CONTACTS["contact_email"], person
        assert body["address"] == CONTACTS["address"], person


def test_agency_page_shows_ocio_no_contacts_and_no_program_managers(contacts, people, client):
    client.force_login(people["ocio"])
    page = client.get(f"/agencies/{contacts.pk}/").content.decode()
    assert escape(contacts.name) in page
    for value in CONTACTS.values():
        assert escape(value) not in page, value
    for pm in ("pm", "pm_other"):
        name = people[pm].get_full_name() or people[pm].username
        assert escape(name) not in page
    assert "Program managers" not in page


def test_agency_page_shows_the_assigned_pm_contacts_and_managers(contacts, people, client):
    client.force_login(people["pm"])
    page = client.get(f"/agencies/{contacts.pk}/").content.decode()
    assert escape(CONTACTS["contact_email"]) in page and escape(CONTACTS["address"]) in page
    assert "Program managers" in page
    assert escape(people["pm_other"].get_full_name() or people["pm_other"].username) in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_agency_export_leaves_out_the_contacts_for_ocio_only(contacts, people, client, fmt):
    def export(person):
        client.force_login(people[person])
        response = client.get("/agencies/", {"export": fmt})
        assert response.status_code == 200
        if fmt == "csv":
            return b"".join(response.streaming_content).decode()
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        return "\n".join(",".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True))

    ocio, hq = export("ocio"), export("chief")
    assert contacts.name in ocio and "Harris" in ocio
    for value in CONTACTS.values():
        assert value not in ocio, value
        assert value in hq, value
    assert "Main contact" in hq and "Main contact" not in ocio
