"""The expansion impact check: an expansion that fits, one that does not, and the
justification an approval over a red assessment needs."""

import datetime as dt

import pytest

from oversight import services
from oversight.models import ApprovalRecord, ImpactAssessment


@pytest.fixture
def academy(program):
    """A basic class with 24 free seats from 2 April 2018."""
    from training.tests.factories import AcademyClassFactory

    return AcademyClassFactory(starts_on=dt.date(2018, 4, 2))


def test_an_expansion_that_fits_is_green(program, people, academy, offices):
    from agreements.tests.factories import AgencyFactory

    what_if = AgencyFactory(name="Fort Bend County Sheriff's Office", field_office=offices["HOU"])
    assessment = services.impact_assessment_create(acting_user=people["chief"], agencies=[what_if], program_model="tfm")
    result = assessment.result
    assert assessment.rating == "green" and assessment.reasons == []
    # Houston: 3 able officers + 5/3 per agreement; 3,000 + 750 cases = 1.875 PMs against 2 assigned.
    (houston,) = result["managers"]
    assert houston["field_office_name"] == "Houston"
    assert (houston["required_before"], houston["required_after"], houston["available"]) == (1.5, 1.88, 2.0)
    assert houston["positions_to_request"] == 0 and houston["cost"] == "0"
    (site,) = result["installations"]
    assert site["needs_installation"] is False and site["meets_goal"] is True
    (training,) = result["training"]
    assert (training["officers"], training["shortfall"]) == (2, 0)
    assert training["trained_on"] == academy.ends_on.isoformat() and training["before_goal"]
    assert list(assessment.field_offices.all()) == [offices["HOU"]]


def test_an_expansion_that_does_not_fit_is_red_with_its_reasons(program, people, academy, offices):
    from itdeploy.tests.factories import InstallerFactory

    InstallerFactory(name="The one installer")
    assessment = services.impact_assessment_create(acting_user=people["chief"], counts={offices["MIA"]: 3})
    result = assessment.result
    assert assessment.rating == "red"
    (miami,) = result["managers"]
    # Miami: 5 officers and 2,250 cases after = 1.125 PMs against the 1 assigned: one position.
    assert (miami["required_after"], miami["available"], miami["positions_to_request"]) == (1.12, 1.0, 1)
    from staffing.models import StaffingModel

    assert miami["cost"] == str(StaffingModel.current().cost_per_position * 1)
    assert result["totals"]["positions_to_request"] == 1
    # The plan's critical path (1-3-4-6) is 190 days: a new jail site misses the 180-day goal.
    assert all(not s["meets_goal"] and s["days"] >= 190 for s in result["installations"])
    assert any("Miami: 1 program manager position(s) to request" in r for r in assessment.reasons)
    assert any("past the goal" in r for r in assessment.reasons)
    assert result["totals"]["seats_needed"] == 6 and result["totals"]["seats_short"] == 0


def test_seats_beyond_the_academy_calendar_are_a_shortfall(program, people, offices):
    assessment = services.impact_assessment_create(
        acting_user=people["chief"], counts={offices["HOU"]: 2}, program_model="tfm"
    )
    assert assessment.rating == "red"
    assert assessment.result["totals"]["seats_short"] == 4
    assert any("find no seat" in r for r in assessment.reasons)


def test_the_cost_per_position_setting_prices_the_positions(program, people, academy, offices, settings):
    settings.OVERSIGHT_COST_PER_POSITION = "150000"
    assessment = services.impact_assessment_create(acting_user=people["chief"], counts={offices["MIA"]: 3})
    assert assessment.result["managers"][0]["cost"] == "150000"


def test_approving_over_a_red_assessment_needs_a_justification_kept_in_history(program, people, api):
    from agreements.models import AgreementEvent

    application = program["application"]
    assessment = services.impact_assessment_create(acting_user=people["chief"], agreements=[application])
    assert assessment.rating == "red"
    client = api(people["chief"])
    refused = client.post(f"/api/v1/agreements/{application.pk}/approve/", {})
    assert refused.status_code == 400 and "justification" in refused.json()
    application.refresh_from_db()
    assert application.status == "under_review" and not ApprovalRecord.objects.exists()

    done = client.post(
        f"/api/v1/agreements/{application.pk}/approve/",
        {"justification": "The Sheriff funds a detailed PM for the first year."},
    )
    assert done.status_code == 200 and done.json()["status"] == "approved"
    record = ApprovalRecord.objects.get()
    assert (record.assessment, record.rating, record.approved_by) == (assessment, "red", people["chief"])
    assert record.justification == "The Sheriff funds a detailed PM for the first year."
    event = AgreementEvent.objects.get(agreement=application, transition="approve")
    assert f"impact assessment {assessment.pk} (red)" in event.reason and "detailed PM" in event.reason
    assert "detailed PM" in application.history.latest().history_change_reason
    assert record.history.count() == 1


def test_approval_names_the_assessment_it_was_made_on_and_without_one_says_so(program, people, academy, api):
    from agreements import services as agreement_services
    from agreements.tests.factories import AgencyFactory, AgreementFactory

    other = AgreementFactory(agency=AgencyFactory(), status="under_review", signed_on=None, program_model="tfm")
    green = services.impact_assessment_create(acting_user=people["chief"], agreements=[other])
    response = api(people["chief"]).post(f"/api/v1/agreements/{other.pk}/approve/", {"impact_assessment": 999999})
    assert response.status_code == 400 and "impact_assessment" in response.json()
    agreement_services.agreement_approve(agreement=other, acting_user=people["chief"], impact_assessment=green.pk)
    assert ApprovalRecord.objects.get(agreement=other).assessment == green

    bare = AgreementFactory(agency=AgencyFactory(), status="under_review", signed_on=None)
    agreement_services.agreement_approve(agreement=bare, acting_user=people["chief"])
    record = ApprovalRecord.objects.get(agreement=bare)
    assert record.assessment is None
    assert "without an impact assessment" in bare.events.get(transition="approve").reason


def test_page_runs_a_check_on_chosen_applications(program, people, client):
    client.force_login(people["chief"])
    page = client.get("/impact/").content.decode()
    assert "Brazoria County Sheriff&#x27;s Office" in page
    response = client.post("/impact/", {"agreements": [program["application"].pk], "program_model": "jem"})
    assessment = ImpactAssessment.objects.get()
    assert response.status_code == 302 and response["Location"] == assessment.get_absolute_url()
    detail = client.get(assessment.get_absolute_url()).content.decode()
    assert "Red: the expansion does not fit" in detail and "Brazoria County" in detail
    assert client.post("/impact/", {"program_model": "jem"}).status_code == 400  # nothing chosen
    assert ImpactAssessment.objects.count() == 1


def test_page_approval_over_red_without_justification_shows_the_error(program, people, client):
    services.impact_assessment_create(acting_user=people["chief"], agreements=[program["application"]])
    client.force_login(people["chief"])
    url = program["application"].get_absolute_url()
    response = client.post(url, {"action": "approve", "approve-on": "2018-03-15"}, follow=True)
    assert "needs a written justification" in response.content.decode()
    response = client.post(
        url,
        {
            "action": "approve",
            "approve-on": "2018-03-15",
            "approve-justification": "Approved by the Director after review.",
        },
    )
    program["application"].refresh_from_db()
    assert program["application"].status == "approved"


def test_api_creates_reads_and_refuses(program, people, api, offices):
    chief = api(people["chief"])
    created = chief.post(
        "/api/v1/impact-assessments/",
        {"counts": [{"field_office": offices["MIA"].pk, "new_agreements": 3}]},
        format="json",
    )
    assert created.status_code == 201 and created.json()["rating"] == "red"
    assert created.json()["result"]["managers"][0]["positions_to_request"] == 1
    assert chief.post("/api/v1/impact-assessments/", {}, format="json").status_code == 400
    both = chief.post(
        "/api/v1/impact-assessments/",
        {
            "agreements": [program["application"].pk],
            "counts": [{"field_office": offices["MIA"].pk, "new_agreements": 1}],
        },
        format="json",
    )
    assert both.status_code == 400 and "non_field_errors" in both.json()
    bad = chief.post(
        "/api/v1/impact-assessments/",
        {"counts": [{"field_office": offices["MIA"].pk, "new_agreements": -1}]},
        format="json",
    )
    assert bad.status_code == 400
    signed = chief.post(
        "/api/v1/impact-assessments/", {"agreements": [program["agreements"]["mine"].pk]}, format="json"
    )
    assert signed.status_code == 400 and "agreements" in signed.json()
    assert api(people["analyst"]).post("/api/v1/impact-assessments/", {"counts": []}, format="json").status_code == 403
    fod = api(people["fod"])
    assert (
        fod.post(
            "/api/v1/impact-assessments/",
            {"counts": [{"field_office": offices["MIA"].pk, "new_agreements": 1}]},
            format="json",
        ).status_code
        == 403
    )
    assert fod.get("/api/v1/impact-assessments/").json()["results"] == []  # Miami's is not theirs
    assert fod.get(f"/api/v1/impact-assessments/{created.json()['id']}/").status_code == 404
    assert ImpactAssessment.objects.count() == 1
    assert api().get("/api/v1/impact-assessments/").status_code in (401, 403)
