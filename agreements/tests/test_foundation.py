"""Agencies and agreements: database constraints, matching keys, create and sign."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction

from agreements.models import Agency, agency_match_key
from agreements.services import field_office_for
from agreements.tests.factories import AgencyFactory, AgreementFactory


def test_match_key_folds_case_spaces_and_apostrophes():
    assert agency_match_key("St. Lucie County Sheriff’s Office ") == agency_match_key(
        "st lucie  county sheriff's office"
    )


@pytest.mark.django_db
def test_one_agency_per_state_and_normalised_name(offices):
    AgencyFactory(name="Lee County Sheriff's Office", state="FL", field_office=offices["MIA"])
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyFactory(name="LEE COUNTY SHERIFF’S OFFICE", state="FL", field_office=offices["MIA"])
    AgencyFactory(name="Lee County Sheriff's Office", state="AL", field_office=offices["NOL"])  # another state
    assert Agency.objects.filter(match_key=agency_match_key("Lee County Sheriff's Office")).count() == 2


@pytest.mark.django_db
def test_one_agreement_per_agency_and_model(offices):
    agreement = AgreementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementFactory(agency=agreement.agency)


@pytest.mark.django_db
def test_database_refuses_signing_before_application(offices):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementFactory(applied_on=dt.date(2018, 5, 1), signed_on=dt.date(2018, 4, 1))


@pytest.mark.django_db
def test_split_states_use_the_county_table_or_flag_the_default(offices):
    assert field_office_for(state="TX", county="El Paso County") == (offices["ELP"], True)
    assert field_office_for(state="TX", county="Nowhere") == (offices["HOU"], False)
    assert field_office_for(state="FL", county="Nowhere") == (offices["MIA"], True)
    assert field_office_for(state="GU") == (offices["SFR"], True)
    assert field_office_for(state="PR") == (offices["MIA"], True)


@pytest.mark.django_db
def test_field_offices_cover_every_state_and_territory(offices):
    from agreements.geo import STATES
    from agreements.models import StateOffice

    assert len(offices) == 25
    assert set(StateOffice.objects.filter(county="").values_list("state", flat=True)) == set(STATES)


@time_machine.travel(dt.datetime(2018, 3, 15, 12, tzinfo=dt.UTC), tick=False)
def test_sign_over_the_api_records_who_and_refuses_bad_dates(world, people, api):
    agreement = AgreementFactory(
        status="under_review", signed_on=None, applied_on=dt.date(2018, 1, 5), agency=world["mine"], program_model="tfm"
    )
    url = f"/api/v1/agreements/{agreement.pk}/sign/"
    assert api(people["pm"]).post(url, {"signed_on": "2018-03-01"}).status_code == 403
    future = api(people["chief"]).post(url, {"signed_on": "2018-04-01"})
    assert future.status_code == 400 and "signed_on" in future.json()
    early = api(people["chief"]).post(url, {"signed_on": "2017-12-31"})
    assert early.status_code == 400 and "signed_on" in early.json()
    ok = api(people["chief"]).post(url, {"signed_on": "2018-03-01"})
    assert ok.status_code == 200 and ok.json()["status"] == "signed"
    assert agreement.history.first().history_user == people["chief"]
    again = api(people["chief"]).post(url, {"signed_on": "2018-03-01"})
    assert again.status_code == 409


def test_agreement_created_over_the_api_is_an_application(world, people, api):
    response = api(people["npm"]).post(
        "/api/v1/agreements/", {"agency": world["miami"].pk, "program_model": "wso", "applied_on": "2018-01-02"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "application_received"
    duplicate = api(people["npm"]).post("/api/v1/agreements/", {"agency": world["miami"].pk, "program_model": "wso"})
    assert duplicate.status_code == 400 and "program_model" in duplicate.json()


def test_changes_are_kept_with_who_and_before_after(client, world, people, api):
    api(people["chief"]).patch(f"/api/v1/agencies/{world['mine'].pk}/", {"contact_name": "Sheriff Ed Gonzalez"})
    record = world["mine"].history.first()
    assert record.history_user == people["chief"]
    delta = record.diff_against(record.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("contact_name", "", "Sheriff Ed Gonzalez")]
    client.force_login(people["fod"])
    page = client.get(f"/agencies/{world['mine'].pk}/").content.decode()
    assert "Sheriff Ed Gonzalez" in page and "Main contact" in page
