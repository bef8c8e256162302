"""API scope of the staffing endpoints: 401, 404 outside scope, 403 role, 201/200, 400, 409."""

import datetime as dt

import pytest

from staffing.choices import ReportingLineKind
from staffing.models import Absence, WorkloadReport
from staffing.tests.conftest import TODAY
from staffing.tests.factories import (
    AbsenceFactory,
    OtherDutyFactory,
    ReportingLineFactory,
    WorkloadReportFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

ENDPOINTS = [
    "staff",
    "assignments",
    "absences",
    "workload-reports",
    "staffing-figures",
    "reporting-lines",
    "other-duties",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_gets_401(api, world, endpoint):
    assert api().get(f"/api/v1/{endpoint}/").status_code == 401


def test_staff_lists_current_supervisors_and_other_duty(api, world, people):
    ReportingLineFactory(manager=people["pm"], kind=ReportingLineKind.PROGRAM, supervisor=people["npm"])
    ReportingLineFactory(
        manager=people["pm"],
        kind=ReportingLineKind.ADMINISTRATIVE,
        supervisor=people["fod"],
        starts_on=dt.date(2016, 1, 1),
        ends_on=dt.date(2016, 12, 31),
    )
    OtherDutyFactory(manager=people["pm"], share_percent=25)
    body = api(people["fod"]).get("/api/v1/staff/", {"role": "field_pm"}).json()
    pm = next(r for r in body["results"] if r["username"] == "pm_hou")
    assert [(s["kind"], s["supervisor"]) for s in pm["supervisors"]] == [("program", people["npm"].pk)]
    assert pm["other_duty_percent"] == 25
    assert "pm_mia" not in {r["username"] for r in body["results"]}


def test_absences_director_records_for_own_office_only(api, world, people):
    body = {"manager": people["pm"].pk, "kind": "leave", "starts_on": "2018-03-20", "ends_on": "2018-03-22"}
    assert api(people["fod"]).post("/api/v1/absences/", body).status_code == 201
    outside = api(people["fod"]).post("/api/v1/absences/", {**body, "manager": people["pm_miami"].pk})
    assert outside.status_code == 400 and "manager" in outside.json()
    assert api(people["pm"]).post("/api/v1/absences/", body).status_code == 403
    assert api(people["analyst"]).post("/api/v1/absences/", body).status_code == 403
    bad = api(people["chief"]).post("/api/v1/absences/", {**body, "ends_on": "2018-03-01"})
    assert bad.status_code == 400 and "ends_on" in bad.json()
    overlap = api(people["chief"]).post("/api/v1/absences/", body)
    assert overlap.status_code == 400 and "starts_on" in overlap.json()
    miami = AbsenceFactory(manager=people["pm_miami"], starts_on=TODAY, ends_on=TODAY)
    assert api(people["fod"]).get(f"/api/v1/absences/{miami.pk}/").status_code == 404
    assert api(people["fod"]).patch(f"/api/v1/absences/{miami.pk}/", {"note": "x"}).status_code == 404
    assert api(people["fod_miami"]).patch(f"/api/v1/absences/{miami.pk}/", {"note": "x"}).status_code == 200
    assert Absence.objects.get(pk=miami.pk).history.first().history_user == people["fod_miami"]


def test_other_duties_by_director(api, world, people):
    body = {"manager": people["pm"].pk, "share_percent": 30, "description": "Duty officer", "starts_on": "2018-03-01"}
    assert api(people["fod"]).post("/api/v1/other-duties/", body).status_code == 201
    too_much = api(people["fod"]).post("/api/v1/other-duties/", {**body, "share_percent": 80})
    assert too_much.status_code == 400 and "share_percent" in too_much.json()
    assert api(people["fod_miami"]).post("/api/v1/other-duties/", body).status_code == 400  # not their manager


def test_workload_reports_by_field_pm_for_assigned_agencies(api, world, people):
    body = {
        "agency": world["mine"].pk,
        "month": "2018-02-01",
        "encounters_processed": 40,
        "charging_documents_prepared": 30,
        "detainers_issued": 12,
    }
    client = api(people["pm"])
    created = client.post("/api/v1/workload-reports/", body)
    assert created.status_code == 201
    again = client.post("/api/v1/workload-reports/", body)
    assert again.status_code == 400 and "month" in again.json()
    other = client.post("/api/v1/workload-reports/", {**body, "agency": world["houston_other"].pk})
    assert other.status_code == 400 and "agency" in other.json()
    future = client.post("/api/v1/workload-reports/", {**body, "month": "2018-05-01"})
    assert future.status_code == 400 and "month" in future.json()
    assert api(people["fod"]).post("/api/v1/workload-reports/", {**body, "month": "2018-01-01"}).status_code == 403
    miami = WorkloadReportFactory(agency=world["miami"], month=dt.date(2018, 2, 1))
    assert client.patch(f"/api/v1/workload-reports/{miami.pk}/", {"detainers_issued": 1}).status_code == 404
    report_id = created.json()["id"]
    assert client.patch(f"/api/v1/workload-reports/{report_id}/", {"detainers_issued": 11}).status_code == 200
    assert client.delete(f"/api/v1/workload-reports/{report_id}/").status_code == 409
    assert [r["agency"] for r in client.get("/api/v1/workload-reports/").json()["results"]] == [world["mine"].pk]


def test_workload_import_endpoint(api, world, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv_text = (
        "agency_id,month,encounters_processed,charging_documents_prepared,detainers_issued\n"
        f"{world['mine'].pk},2018-02,40,30,10\n{world['miami'].pk},2018-02,40,30,10\n"
    )
    upload = lambda: SimpleUploadedFile("w.csv", csv_text.encode(), content_type="text/csv")  # noqa: E731
    refused = api(people["pm"]).post("/api/v1/workload-reports/import/", {"file": upload()}, format="multipart")
    assert refused.status_code == 400 and refused.json()["errors"][0]["row"] == 3
    partial = api(people["pm"]).post(
        "/api/v1/workload-reports/import/", {"file": upload(), "apply_valid": "true"}, format="multipart"
    )
    assert partial.status_code == 200 and partial.json()["created"] == 1
    assert WorkloadReport.objects.count() == 1


def test_staffing_figures_scope(api, world, people, officers):
    officers[world["mine"].pk] = 18
    pm_rows = api(people["pm"]).get("/api/v1/staffing-figures/").json()["results"]
    assert [(r["level"], r["id"]) for r in pm_rows] == [("manager", people["pm"].pk)]
    assert pm_rows[0]["load_percent"] == 150 and pm_rows[0]["required_pms"] == 1.5
    fod_rows = api(people["fod"]).get("/api/v1/staffing-figures/").json()["results"]
    assert {(r["level"], r["name"]) for r in fod_rows if r["level"] != "manager"} == {("office", "Houston")}
    assert {r["id"] for r in fod_rows if r["level"] == "manager"} == {people["pm"].pk, people["pm_other"].pk}
    hq = api(people["analyst"]).get("/api/v1/staffing-figures/", {"level": "nation"}).json()["results"]
    assert len(hq) == 1 and hq[0]["officers"] == 18
    assert api(people["ocio"]).get("/api/v1/staffing-figures/").json()["results"] == []
    assert api(people["chief"]).get("/api/v1/staffing-figures/", {"level": "planet"}).status_code == 400
    assert api(people["chief"]).post("/api/v1/staffing-figures/", {}).status_code in (403, 405)


def test_reporting_lines_hq_writes_field_reads_own_office(api, world, people):
    body = {
        "manager": people["pm"].pk,
        "kind": "administrative",
        "supervisor": people["fod"].pk,
        "starts_on": "2018-01-01",
    }
    assert api(people["fod"]).post("/api/v1/reporting-lines/", body).status_code == 403
    assert api(people["npm"]).post("/api/v1/reporting-lines/", body).status_code == 201
    wrong = api(people["npm"]).post("/api/v1/reporting-lines/", {**body, "kind": "program", "starts_on": "2018-02-01"})
    assert wrong.status_code == 400 and "supervisor" in wrong.json()
    miami_line = ReportingLineFactory(manager=people["pm_miami"], supervisor=people["npm"])
    assert api(people["fod"]).get(f"/api/v1/reporting-lines/{miami_line.pk}/").status_code == 404
    assert len(api(people["pm"]).get("/api/v1/reporting-lines/").json()["results"]) == 1


def test_assignment_handover_action(api, world, people):
    body = {"manager": people["pm"].pk, "on": "2018-03-15"}
    assert api(people["fod"]).post("/api/v1/assignments/handover/", body).status_code == 403
    response = api(people["chief"]).post("/api/v1/assignments/handover/", body)
    assert response.status_code == 200 and response.json() == {"ended": 2, "created": 1}
    again = api(people["chief"]).post("/api/v1/assignments/handover/", body)
    assert again.status_code == 400 and "manager" in again.json()


def test_staff_list_query_count_is_constant(api, world, people, django_assert_max_num_queries):
    from portal.roles import Role
    from portal.tests.factories import staff

    client = api(people["chief"])
    client.get("/api/v1/staff/?page_size=1")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/staff/?page_size=100")
    for i in range(15):
        pm = staff(Role.FIELD_PM, world["mine"].field_office, username=f"extra{i}")
        ReportingLineFactory(manager=pm, supervisor=people["npm"])
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/staff/?page_size=100")
    assert len(many.captured_queries) == len(few.captured_queries)
