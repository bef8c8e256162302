"""HQ's journey with long work in headless Chromium, on a fresh demo database: upload an
edition of ICE's list and apply it, watching each on its job page (a progress bar and an
announced status) until the result page opens; axe on each page, screenshots kept under
var/test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WORKBOOK = Path("/work/shared/data/ice-287g/participatingAgencies07182025pm.xlsx")
if not WORKBOOK.exists():  # the same file, kept with the tests
    WORKBOOK = Path(__file__).resolve().parents[1] / "agreements/tests/fixtures/participatingAgencies07182025pm.xlsx"


def watch_job(page, axe, keep_screenshot, start, screenshot: str):
    """Start the work and stay on its job page: the page's polls of the job's status are
    held until axe has checked the page and the screenshot is taken, then let through,
    and the page opens the result."""
    held = []

    def hold(route):
        held.append(route)

    page.route(re.compile(r".*/jobs/\d+/status/$"), hold)
    start()
    page.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    page.wait_for_load_state()
    bar = page.locator("progress#job-progress")
    assert bar.is_visible()
    assert page.get_by_label("Progress of the work").count() == 1
    status = page.locator("#job-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    axe(page)
    keep_screenshot(page, screenshot)
    page.wait_for_timeout(500)  # the page's first poll reaches the route and waits there
    assert held, "the job's page polls its status"
    for route in held:
        route.continue_()
    page.unroute(re.compile(r".*/jobs/\d+/status/$"))
    page.wait_for_url(re.compile(r".*/agreements/ice-imports/\d+/$"))
    page.wait_for_load_state()
    return bar


def test_hq_uploads_an_ice_edition_and_applies_it_watching_the_progress(
    page, live_server, axe, demo_site, demo_login, keep_screenshot
):
    from agreements.models import IceImport
    from portal.models import Job

    demo_login(page, "npm")
    page.goto(f"{live_server.url}/agreements/ice-imports/")
    axe(page)
    page.locator("input[type=file]").set_input_files(str(WORKBOOK))

    watch_job(
        page,
        axe,
        keep_screenshot,
        lambda: page.get_by_role("button", name="Read and preview").click(),
        "ice-upload-job",
    )
    upload = Job.objects.get(kind="agreements.ice_preview")
    assert (upload.status, upload.done, upload.total) == ("done", 4, 4)
    edition = IceImport.objects.get(file_name=WORKBOOK.name)
    assert page.url.endswith(edition.get_absolute_url())
    assert page.get_by_role("heading", level=1).inner_text() == f"Preview of {WORKBOOK.name}"
    axe(page)

    watch_job(
        page,
        axe,
        keep_screenshot,
        lambda: page.get_by_role("button", name="Apply", exact=True).click(),
        "ice-apply-job",
    )
    edition.refresh_from_db()
    assert edition.status == "applied" and edition.applied_by.username == "npm"
    assert "Applied" in page.locator(".usa-intro").inner_text()
    axe(page)
    keep_screenshot(page, "ice-applied")


def test_hq_runs_the_sweep_from_the_findings_page_and_lands_on_the_findings(
    page, live_server, login, axe, world, people
):
    from portal.compliance.models import SweepRun

    login(page, people["npm"])
    page.goto(f"{live_server.url}/findings/")
    page.get_by_role("link", name="Run the compliance sweep now").click()
    page.wait_for_load_state()
    axe(page)
    page.get_by_role("button", name="Run the sweep now").click()
    page.wait_for_url(re.compile(r".*/findings/$"))  # by way of the job's page
    run = SweepRun.objects.get()
    assert run.status == "succeeded" and run.triggered_by == "HQ: npm"
    assert page.get_by_role("heading", level=1).inner_text() == "Compliance findings"
