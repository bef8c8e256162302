"""Pages of agreements: list with filters and exports, detail with timeline and
transitions, and the import of ICE's lists."""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.models import Agreement, IceImport
from agreements.tests.factories import AgreementFactory
from portal.models import Job

pytestmark = pytest.mark.django_db
CSV = (
    "STATE,LAW ENFORCEMENT AGENCY,TYPE,COUNTY,SUPPORT TYPE,SIGNED,MOA,ADDENDUM\n"
    "TEXAS,Hays County Sheriff's Office,County,Hays County,Task Force Model,2017-12-01,link,\n"
    "TEXAS,Kerr County Sheriff's Office,County,Kerr County,Task Force Model,7/72017,link,\n"
)


def test_list_filters_by_ice_list_and_fiscal_year_and_exports(client, world, people):
    Agreement.objects.filter(pk=world["agreements"]["miami"].pk).update(not_listed_since=dt.date(2018, 3, 1))
    client.force_login(people["analyst"])
    page = client.get("/agreements/?not_on_ice_list=true").content.decode()
    table = page.split("<tbody>", 1)[1]  # the rows (the filter panel lists every agency)
    assert "Collier County" in table and "Harris County" not in table
    assert "Not on ICE" in page and "Flagged for HQ review" in page
    fy = client.get("/agreements/?signed_fiscal_year=2017").content.decode()
    assert "Harris County" in fy.split("<tbody>", 1)[1]  # signed 2017-06-01, in FY2017
    fy2018 = client.get("/agreements/?signed_fiscal_year=2018").content.decode()
    assert "Harris County" not in fy2018.split("<tbody>", 1)[1]
    export = client.get("/agreements/?export=csv&not_on_ice_list=true")
    text = b"".join(export.streaming_content).decode()
    assert "Collier County" in text and "Harris County" not in text
    assert client.get("/agreements/?export=xlsx").status_code == 200


def test_field_managers_see_only_their_agreements_and_no_forms(client, world, people):
    client.force_login(people["pm"])
    assert "Galveston" not in client.get("/agreements/").content.decode()
    assert client.get(f"/agreements/{world['agreements']['miami'].pk}/").status_code == 404
    page = client.get(f"/agreements/{world['agreements']['mine'].pk}/").content.decode()
    assert "Timeline" in page and "Record a change" not in page
    response = client.post(
        f"/agreements/{world['agreements']['mine'].pk}/",
        {"action": "suspend", "suspend-on": "2018-03-01", "suspend-reason": "x"},
    )
    assert response.status_code == 403


def test_list_page_query_count_does_not_grow(client, world, people, django_assert_max_num_queries):
    client.force_login(people["chief"])
    for _ in range(20):
        AgreementFactory()
    # the filter panel's lists (agencies, field offices, fiscal years) are a query each, the
    # reader's saved columns one more
    with django_assert_max_num_queries(15):
        assert client.get("/agreements/").status_code == 200


@time_machine.travel(dt.datetime(2018, 3, 15, 12, tzinfo=dt.UTC), tick=False)
def test_hq_suspends_from_the_detail_page_and_sees_the_timeline(client, world, people):
    agreement = world["agreements"]["mine"]
    client.force_login(people["chief"])
    page = client.get(f"/agreements/{agreement.pk}/").content.decode()
    for label in ("Suspend", "Terminate", "Record renewal", "Add document"):
        assert label in page
    bad = client.post(f"/agreements/{agreement.pk}/", {"action": "suspend", "suspend-on": "2018-03-01"})
    assert bad.status_code == 400
    client.post(
        f"/agreements/{agreement.pk}/",
        {"action": "suspend", "suspend-on": "2018-03-01", "suspend-reason": "Officers acted outside the MOA"},
    )
    agreement.refresh_from_db()
    assert agreement.status == "suspended"
    page = client.get(f"/agreements/{agreement.pk}/").content.decode()
    assert "Officers acted outside the MOA" in page and "Reinstate" in page
    refused = client.post(
        f"/agreements/{agreement.pk}/",
        {"action": "suspend", "suspend-on": "2018-03-02", "suspend-reason": "again"},
        follow=True,
    )
    assert "cannot be suspended" in refused.content.decode()
    future = client.post(
        f"/agreements/{agreement.pk}/", {"action": "reinstate", "reinstate-on": "2018-04-02"}, follow=True
    )
    assert "future" in future.content.decode()


@time_machine.travel(dt.datetime(2018, 3, 15, 12, tzinfo=dt.UTC), tick=False)
def test_upload_preview_and_apply(client, world, people):
    client.force_login(people["analyst"])
    assert client.get("/agreements/ice-imports/").status_code == 200
    assert client.post("/agreements/ice-imports/", {}).status_code == 403
    client.force_login(people["fod"])
    assert client.get("/agreements/ice-imports/").status_code == 403

    client.force_login(people["npm"])
    response = client.post("/agreements/ice-imports/", {"file": SimpleUploadedFile("list.csv", CSV.encode())})
    ice_import = IceImport.objects.get()
    job = Job.objects.get(kind="agreements.ice_preview")
    assert response.url == f"/jobs/{job.pk}/"  # the reading runs as a job, followed on its page
    assert job.result_url == f"/agreements/ice-imports/{ice_import.pk}/"
    preview = client.get(job.result_url).content.decode()
    assert "Preview of list.csv" in preview and "7/72017" in preview
    assert not Agreement.objects.filter(agency__name__startswith="Hays").exists()
    applied = client.post(job.result_url, {"choice": "apply"})
    assert applied.url == Job.objects.get(kind="agreements.ice_apply").get_absolute_url()
    response = SimpleNamespace(url=job.result_url)
    ice_import.refresh_from_db()
    assert ice_import.status == "applied" and ice_import.applied_by == people["npm"]
    assert Agreement.objects.filter(agency__name__startswith="Hays").exists()
    client.force_login(people["analyst"])
    assert client.post(response.url, {"choice": "discard"}).status_code == 403
    bad = client.post("/agreements/ice-imports/", {"file": SimpleUploadedFile("list.pdf", b"%PDF")})
    assert bad.status_code == 403
    client.force_login(people["chief"])
    bad = client.post("/agreements/ice-imports/", {"file": SimpleUploadedFile("list.csv", b"a,b\n1,2\n")})
    assert bad.status_code == 400 and "No header row" in bad.content.decode()


def test_agency_page_shows_all_its_agreements(client, world, people):
    AgreementFactory(agency=world["mine"], program_model="wso", status="under_review", signed_on=None)
    client.force_login(people["fod"])
    page = client.get(f"/agencies/{world['mine'].pk}/").content.decode()
    assert "Warrant Service Officer" in page and "Jail Enforcement Model" in page
