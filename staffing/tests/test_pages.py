"""The staffing pages: scope, role checks, the plan's exports holding the page's figures."""

import csv
import io

import pytest
from openpyxl import load_workbook

from staffing.models import StaffingModel
from staffing.tests.conftest import months_back
from staffing.tests.factories import WorkloadReportFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def workload(world, officers):
    officers.update({world["mine"].pk: 40, world["miami"].pk: 12})
    for i, month in enumerate(months_back(24)):
        WorkloadReportFactory(agency=world["mine"], month=month, charging_documents_prepared=150 + 5 * i)
    return officers


def test_plan_workbook_holds_the_figures_shown_on_the_page(client, people, workload):
    client.force_login(people["chief"])
    page = client.get("/staffing/plan/", {"extra_agreements": 4, "years": 2})
    assert page.status_code == 200
    plan = page.context["plan"]
    response = client.get("/staffing/plan/", {"extra_agreements": 4, "years": 2, "export": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Plan", "Justification", "Monthly cases"]
    sheet = list(book["Plan"].iter_rows(values_only=True))
    header, rows = sheet[0], sheet[1:]
    assert len(rows) == len(plan.rows)
    html = page.content.decode()
    for row, values in zip(plan.rows, rows):
        shown = dict(zip(header, values))
        assert shown["Field office"] == row.name and shown["Fiscal year"] == row.fiscal_year
        assert shown["Required PMs"] == round(row.required, 1)
        assert shown["Positions requested"] == row.positions_requested
        assert shown["Cost (USD)"] == int(row.cost)
        assert f"{row.required:.1f}" in html
    nation = plan.nation_row(plan.fiscal_years[0])
    assert nation.positions_requested > 0
    assert f"{nation.positions_requested} position" in html
    justification = list(book["Justification"].iter_rows(values_only=True))[1:]
    assert len(justification) == sum(r.positions_requested for r in plan.rows if r.key is not None)
    assert "÷ 12" in justification[0][4] and "cases" in justification[0][4]
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Certified officers per PM"] == 12 and summary["Additional agreements (what-if)"] == 4


def test_plan_csv_and_director_sees_own_office_only(client, people, workload):
    client.force_login(people["fod"])
    response = client.get("/staffing/plan/", {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Field office"] for r in rows] == ["Houston", "Total"]
    client.force_login(people["pm"])
    assert client.get("/staffing/plan/").status_code == 403


def test_manager_load_puts_overloaded_first_and_scopes(client, people, workload, world):
    client.force_login(people["chief"])
    managers = client.get("/staffing/load/").context["managers"]
    assert managers[0].key == people["pm"].pk  # 40 officers: 333%
    client.force_login(people["pm_other"])
    assert [m.key for m in client.get("/staffing/load/").context["managers"]] == [people["pm_other"].pk]


def test_organisation_flags_missing_lines(client, people, world):
    from staffing.tests.factories import ReportingLineFactory

    ReportingLineFactory(manager=people["pm"], kind="program", supervisor=people["npm"])
    ReportingLineFactory(manager=people["pm"], kind="administrative", supervisor=people["fod"])
    client.force_login(people["fod"])
    rows = client.get("/staffing/organisation/").context["table_rows"]
    assert [(r["profile"].user.username, bool(r["missing"])) for r in rows] == [("pm_hou2", True), ("pm_hou", False)]


def test_coverage_page_lists_gap_days(client, people, world):
    import datetime as dt

    from staffing.tests.factories import AbsenceFactory

    AbsenceFactory(manager=people["pm_other"], starts_on=dt.date(2018, 3, 8), ends_on=dt.date(2018, 3, 9))
    client.force_login(people["fod"])
    page = client.get("/staffing/coverage/", {"month": "2018-03"})
    assert page.context["gap_days"] == 2
    gap_days = [d["day"].day for d in page.context["table_rows"] if d["gaps"]]
    assert gap_days == [8, 9]


def test_staffing_model_only_unit_chief_changes_it(client, people):
    client.force_login(people["npm"])
    assert client.post("/staffing/model/", {"officers_per_pm": 10}).status_code == 403
    client.force_login(people["chief"])
    response = client.post(
        "/staffing/model/", {"officers_per_pm": 10, "cases_per_pm_per_fy": 1800, "cost_per_position": 170000}
    )
    assert response.status_code == 302
    model = StaffingModel.current()
    assert (model.officers_per_pm, model.cases_per_pm_per_fy) == (10, 1800)
    assert model.history.first().history_user == people["chief"]


def test_workload_upload_page(client, people, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.models import Job

    client.force_login(people["pm"])
    text = f"agency_id,month,encounters_processed,charging_documents_prepared,detainers_issued\n{world['mine'].pk},2018-02,9,5,1\n"
    response = client.post("/staffing/workload/import/", {"file": SimpleUploadedFile("w.csv", text.encode())})
    job = Job.objects.get(kind="staffing.workload_import")
    assert response.url == job.get_absolute_url()  # the import runs as a job
    response = client.get(job.result_url)
    assert response.status_code == 200 and response.context["result"]["created"] == 1
    client.force_login(people["fod"])
    assert client.get("/staffing/workload/import/").status_code == 403
