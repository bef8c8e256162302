"""Long work as jobs (``portal.jobs``): progress seen while the work runs, jobs scoped to
who started them (and HQ), a failure that keeps its error and writes nothing, and every
long-work entry point answering with its job's page."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from celery import current_app
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements.models import Agency, Agreement, IceImport
from agreements.tests.test_pages import CSV
from portal import jobs
from portal.models import Job

TODAY = dt.datetime(2018, 3, 15, 12, tzinfo=dt.UTC)


@pytest.fixture
def worker_mode():
    """Tasks handed to a broker (as with REDIS_URL) rather than run in-process."""
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    yield
    current_app.conf.task_always_eager = eager


@pytest.fixture
def kinds():
    """Kinds of work registered for a test only."""
    added = []

    def add(name, function, **options):
        jobs.register(name, title=f"Test work {name}", **options)(function)
        added.append(name)

    yield add
    for name in added:
        jobs.REGISTRY.pop(name, None)


def test_progress_is_seen_on_the_status_while_the_work_runs(client, people, kinds):
    client.force_login(people["pm"])
    seen = []

    def work(job, *, rows):
        for done in range(rows):
            jobs.progress(done, rows, f"Row {done + 1} of {rows}")
            if done == 3:  # what the page's script reads while the work runs
                seen.append(client.get(f"/jobs/{job.pk}/status/").json())
        return jobs.Outcome(url="/findings/", message=f"{rows} rows done")

    kinds("test.rows", work)
    job = jobs.start("test.rows", user=people["pm"], params={"rows": 10})

    running = seen[0]
    assert (running["status"], running["finished"]) == ("running", False)
    assert (running["done"], running["total"], running["percent"]) == (3, 10, 30)
    assert running["message"] == "Row 4 of 10" and running["result_url"] == ""
    state = client.get(f"/jobs/{job.pk}/status/").json()
    assert (state["status"], state["done"], state["total"], state["percent"]) == ("done", 10, 10, 100)
    assert (state["message"], state["result_url"]) == ("10 rows done", "/findings/")
    page = client.get(job.get_absolute_url()).content.decode()
    assert '<progress id="job-progress"' in page and 'aria-live="polite"' in page and "10 rows done" in page


def test_a_job_handed_to_a_worker_waits_then_runs(
    client, people, kinds, worker_mode, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("portal.tasks._send", lambda name, args, kwargs: sent.append((name, list(args))))
    kinds("test.noop", lambda job: jobs.Outcome(url="/findings/"))
    client.force_login(people["pm"])

    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start("test.noop", user=people["pm"])
    assert sent == [("portal.run_job", [job.pk])]
    state = client.get(f"/jobs/{job.pk}/status/").json()
    assert (state["status"], state["status_label"], state["finished"]) == ("queued", "Waiting to start", False)
    assert "Refresh this page" in client.get(job.get_absolute_url()).content.decode()

    assert jobs.run(job.pk) == "done"  # what the worker does
    assert jobs.run(job.pk) == "done"  # delivered twice: the work ran once
    assert client.get(f"/jobs/{job.pk}/status/").json()["result_url"] == "/findings/"


def test_a_job_is_seen_by_who_started_it_and_by_hq_only(client, people, kinds):
    kinds("test.noop", lambda job: jobs.Outcome(url="/findings/"))
    job = jobs.start("test.noop", user=people["pm"])
    for person, status in [("pm", 200), ("npm", 200), ("analyst", 200), ("pm_other", 404), ("fod", 404), ("ocio", 404)]:
        client.force_login(people[person])
        for url in (job.get_absolute_url(), f"/jobs/{job.pk}/status/"):
            assert client.get(url).status_code == status, (person, url)
    client.logout()
    assert client.get(job.get_absolute_url()).status_code == 302


def test_a_failing_job_reports_its_error_and_writes_nothing(client, people, world, kinds):
    agency = world["mine"]
    before = agency.name

    def work(job):
        Agency.objects.filter(pk=agency.pk).update(name="Renamed by the job")
        jobs.progress(1, 2, "Half way")
        raise RuntimeError("The list server went away")

    kinds("test.fails", work)
    job = jobs.start("test.fails", user=people["pm"], content=b"the upload", input_name="w.csv", back_url="/findings/")

    agency.refresh_from_db()
    assert agency.name == before
    job.refresh_from_db()
    assert (job.status, job.error, job.done, job.total) == ("failed", "The list server went away", 1, 2)
    assert bytes(job.input) == b"the upload"  # the input is kept with the job
    client.force_login(people["pm"])
    page = client.get(job.get_absolute_url()).content.decode()
    assert "nothing was saved" in page and "The list server went away" in page
    assert 'href="/findings/"' in page and "w.csv is kept with this job" in page
    assert client.get(f"/jobs/{job.pk}/status/").json()["status"] == "failed"


@time_machine.travel(TODAY, tick=False)
def test_an_ice_apply_that_fails_half_way_applies_nothing(client, people, world, monkeypatch):
    client.force_login(people["npm"])
    client.post("/agreements/ice-imports/", {"file": SimpleUploadedFile("list.csv", CSV.encode())})
    edition = IceImport.objects.get()

    def digest_fails(**kwargs):
        raise RuntimeError("The mail server refused the digest")

    monkeypatch.setattr("agreements.services.edition_digest_send", digest_fails)  # after the rows are written
    response = client.post(edition.get_absolute_url(), {"choice": "apply"})

    job = Job.objects.get(kind="agreements.ice_apply")
    assert job.status == "failed" and "mail server" in job.error
    edition.refresh_from_db()
    assert edition.status == "previewed"
    assert not Agreement.objects.filter(agency__name__startswith="Hays").exists()
    assert "The mail server refused the digest" in client.get(response.url, follow=True).content.decode()


def _job_of(response) -> Job:
    assert response.status_code == 302 and response.url.startswith("/jobs/"), response
    job = Job.objects.get(pk=int(response.url.strip("/").split("/")[1]))
    return job


@time_machine.travel(TODAY, tick=False)
def test_each_long_work_entry_point_answers_with_its_job_page(client, people, world, settings):
    from training.tests.factories import OfficerFactory

    client.force_login(people["chief"])
    # An ICE edition's upload, then its apply.
    upload = _job_of(client.post("/agreements/ice-imports/", {"file": SimpleUploadedFile("list.csv", CSV.encode())}))
    edition = IceImport.objects.get()
    assert (upload.kind, upload.status, upload.result_url) == (
        "agreements.ice_preview",
        "done",
        edition.get_absolute_url(),
    )
    apply = _job_of(client.post(edition.get_absolute_url(), {"choice": "apply"}))
    assert (apply.kind, apply.status, apply.message) == ("agreements.ice_apply", "done", "Import applied.")
    # The sweep started by HQ.
    assert client.get("/findings/sweep/").status_code == 200
    sweep = _job_of(client.post("/findings/sweep/"))
    assert (sweep.kind, sweep.status, sweep.result_url) == ("portal.sweep", "done", "/findings/")
    assert sweep.message.startswith(f"Sweep run #{sweep.result['run']} succeeded")
    from portal.compliance.registry import registry

    assert (sweep.done, sweep.total) == (len(registry.all()), len(registry.all()))  # the bar counts the rules
    # The workload import (a field manager's, for their agency).
    client.force_login(people["pm"])
    text = f"agency_id,month,encounters_processed,charging_documents_prepared,detainers_issued\n{world['mine'].pk},2018-02,9,5,1\n"
    workload = _job_of(client.post("/staffing/workload/import/", {"file": SimpleUploadedFile("w.csv", text.encode())}))
    assert workload.status == "done" and workload.result["created"] == 1
    assert "Imported: 1 new" in client.get(workload.result_url).content.decode()
    # The training import: its preview, then its apply.
    OfficerFactory(agency=world["mine"], officer_number="HC-1")
    logins = "officer_number,logged_in_at\nHC-1,2018-03-01T09:00\nNOBODY,2018-03-01T09:00\n"
    check = _job_of(
        client.post("/training/import/card-logins/", {"file": SimpleUploadedFile("c.csv", logins.encode())})
    )
    assert "Rows with errors" in client.get(check.result_url).content.decode()
    applied = _job_of(
        client.post("/training/import/card-logins/", {"step": "apply", "content": logins, "apply_valid": "on"})
    )
    assert applied.result["applied"] and applied.result["created"] == 1
    # A large export.
    client.force_login(people["chief"])
    settings.EXPORT_JOB_ROWS = 1
    export = _job_of(client.get("/agreements/?export=csv"))
    assert export.status == "done" and export.output_name == "agreements.csv"
    assert export.result["rows"] == Agreement.objects.count() > 1
    for job in (upload, apply, sweep, workload, check, applied, export):
        page = client.get(job.get_absolute_url())
        assert page.status_code == 200 and '<progress id="job-progress"' in page.content.decode(), job.kind


@time_machine.travel(TODAY, tick=False)
def test_a_large_export_is_offered_for_download_and_a_small_one_answers_at_once(client, people, world, settings):
    client.force_login(people["fod"])
    immediate = client.get("/agreements/?export=csv")
    assert immediate.status_code == 200 and immediate["Content-Type"].startswith("text/csv")
    settings.EXPORT_JOB_ROWS = 0
    job = _job_of(client.get("/agreements/?export=csv"))
    state = client.get(f"/jobs/{job.pk}/status/").json()
    assert state["download_url"] == f"/jobs/{job.pk}/download/" and state["result_url"] == ""
    download = client.get(state["download_url"])
    assert download["Content-Disposition"] == 'attachment; filename="agreements.csv"'
    streamed = b"".join(immediate.streaming_content).decode()
    assert download.content.decode() == streamed  # the same rows, in the director's scope
    assert (
        len(list(csv.reader(io.StringIO(streamed.lstrip("\ufeff")))))
        == 1 + Agreement.objects.visible_to(people["fod"]).count()
    )
    client.force_login(people["pm_other"])
    assert client.get(state["download_url"]).status_code == 404
    xlsx = _job_of(client.get("/agreements/?export=xlsx"))
    assert xlsx.output_name == "agreements.xlsx" and bytes(xlsx.output)[:2] == b"PK"


def test_only_hq_writers_are_offered_and_may_run_the_sweep(client, people, world):
    for person, offered in [("chief", True), ("npm", True), ("analyst", False), ("fod", False), ("pm", False)]:
        client.force_login(people[person])
        assert ("Run the compliance sweep now" in client.get("/findings/").content.decode()) == offered, person
        assert client.post("/findings/sweep/").status_code == (302 if offered else 403), person
    assert Job.objects.filter(kind="portal.sweep").count() == 2
