"""The training pages: scope, content, exports, uploads and query counts."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from training.models import Completion

from .factories import AcademyClassFactory, OfficerFactory, course, equip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2018, 3, 1, 17, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_officer_list_is_scoped_and_exports(client, people, world):
    equip(world["mine"])
    OfficerFactory(agency=world["mine"], last_name="Mineofficer", card_last_login_on=dt.date(2018, 2, 28))
    OfficerFactory(agency=world["miami"], last_name="Miamiofficer")
    client.force_login(people["pm"])
    page = client.get("/officers/").content.decode()
    assert "Mineofficer" in page and "Miamiofficer" not in page
    csv = b"".join(client.get("/officers/?export=csv").streaming_content).decode()
    assert "Can act today" in csv and "Mineofficer" in csv and "Miamiofficer" not in csv
    assert client.get("/officers/?export=xlsx").status_code == 200
    assert "Mineofficer" not in client.get("/officers/?can_act=false").content.decode()
    assert "Mineofficer" in client.get("/officers/?card_state=active&recertified=false").content.decode()


def test_officer_page_says_why_the_officer_cannot_act(client, people, world):
    o = OfficerFactory(agency=world["mine"], card_last_login_on=dt.date(2018, 1, 2))
    other = OfficerFactory(agency=world["miami"])
    client.force_login(people["pm"])
    page = client.get(f"/officers/{o.pk}/").content.decode()
    assert "The security card has lapsed" in page and "Transcript" in page
    assert client.get(f"/officers/{other.pk}/").status_code == 404
    response = client.post(f"/officers/{o.pk}/", {"action": "suspend", "reason": "Conduct review"})
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.status == "suspended"
    client.force_login(people["analyst"])
    assert client.post(f"/officers/{o.pk}/", {"action": "reinstate", "reason": "x"}).status_code == 403


def test_agency_panel_lists_who_can_act(client, people, world):
    equip(world["mine"])
    OfficerFactory(agency=world["mine"], last_name="Panelofficer", card_last_login_on=dt.date(2018, 2, 28))
    client.force_login(people["pm"])
    page = client.get(world["mine"].get_absolute_url()).content.decode()
    assert "Panelofficer" in page and "1 of 1 officer can act today" in page


def test_calendar_recertification_and_capacity_pages(client, people, world):
    AcademyClassFactory(starts_on=dt.date(2018, 4, 2))
    OfficerFactory(agency=world["mine"], certified_on=dt.date(2016, 1, 1))
    client.force_login(people["pm"])
    assert "IADP" in client.get("/training/classes/?fy=2018").content.decode()
    assert "Harris County" in client.get("/training/recertification/").content.decode()
    assert client.get("/training/capacity/").status_code == 403
    client.force_login(people["chief"])
    assert "Shortfall" in client.get("/training/capacity/?fy=2018&allow_q1=1").content.decode()
    assert client.get("/training/capacity/?fy=2018&export=xlsx").status_code == 200


def test_upload_preview_then_apply(client, people, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.models import Job

    OfficerFactory(agency=world["mine"], officer_number="HC-1")
    course("IADP")
    text = "officer_number,course_code,completed_on\nHC-1,PALMS-INA,2018-02-01\nXX,PALMS-INA,2018-02-01\n"
    client.force_login(people["pm"])
    response = client.post("/training/import/completions/", {"file": SimpleUploadedFile("p.csv", text.encode())})
    assert response.url.startswith("/jobs/")  # the preview runs as a job, its report comes back to the page
    page = client.get(Job.objects.get().result_url).content.decode()
    assert "Rows with errors" in page and Completion.objects.count() == 0
    client.post("/training/import/completions/", {"step": "apply", "content": text})
    assert Completion.objects.count() == 0  # all or nothing
    client.post("/training/import/completions/", {"step": "apply", "content": text, "apply_valid": "on"})
    assert Completion.objects.count() == 1
    client.force_login(people["analyst"])
    assert client.get("/training/import/completions/").status_code == 403


def test_officer_list_query_count_is_constant(client, people, world):
    for _ in range(60):
        OfficerFactory(agency=world["mine"])
    client.force_login(people["chief"])
    client.get("/officers/")
    with CaptureQueriesContext(connection) as first:
        client.get("/officers/?page=1")
    with CaptureQueriesContext(connection) as second:
        client.get("/officers/?page=2")
    assert len(first.captured_queries) == len(second.captured_queries)
    with CaptureQueriesContext(connection) as calendar:
        client.get("/training/classes/")
    AcademyClassFactory.create_batch(5, starts_on=dt.date(2018, 5, 7), course=course("IADRP"))
    with CaptureQueriesContext(connection) as more:
        client.get("/training/classes/")
    assert len(calendar.captured_queries) == len(more.captured_queries)
