"""Browser journeys of acting where the record is, in headless Chromium, each on a fresh
demo database (``seed_demo --scale small``), with axe on each page and a screenshot kept
under var/test-artifacts/: the Houston manager completes an installation step from its
row, records a security-card login for an officer and enrols an officer in a class; OCIO
starts a step."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count, F, Q
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def open_step(user, action: str):
    """An installation the user sees and a step of it open to ``action`` now."""
    from itdeploy.models import Installation
    from itdeploy.services import step_action_refusal

    sites = (
        Installation.objects.visible_to(user)
        .filter(status="in_progress")
        .select_related("agency")
        .prefetch_related("steps__pauses", "steps__depends_on")
        .order_by("moa_signed_on", "pk")
    )
    for site in sites:
        for step in site.steps.all():
            if step_action_refusal(step, action, installation=site) is None:
                return site, step
    raise AssertionError(f"the demo gives {user.username} no step to {action}")


def test_the_houston_manager_completes_a_step_records_a_login_and_enrols_an_officer(
    page, live_server, axe, demo_site, demo_login, keep_screenshot
):
    from itdeploy.models import InstallationStep
    from training.choices import EnrollmentStatus, OfficerStatus
    from training.forms import EnrolForm
    from training.models import AcademyClass, CardLogin, Officer

    manager = demo_login(page, "pm.houston")

    # 1. an installation step, completed from its row
    site, step = open_step(manager, "complete")
    page.goto(f"{live_server.url}/installations/")
    page.get_by_role("link", name=site.agency.name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Installation at {site.agency.name}")
    complete = page.get_by_role("button", name=f"Complete: {step.name}")
    expect(complete).to_be_visible()
    axe(page)
    expect(page.get_by_label(f"Completion date: {step.name}")).to_have_value(demo_site.today.isoformat())
    complete.focus()  # from the keyboard
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("status").filter(has_text=f"Step {step.number}, {step.name}: completed.")).to_have_count(1)
    expect(page.get_by_role("button", name=f"Complete: {step.name}")).to_have_count(0)
    assert InstallationStep.objects.get(pk=step.pk).completed_on is not None
    axe(page)
    keep_screenshot(page, "actions-pm-houston-step-completed")

    # 2. a security-card login, recorded on the officer's page
    officer = (
        Officer.objects.visible_to(manager).filter(status=OfficerStatus.CERTIFIED).order_by("last_name", "pk").first()
    )
    before = CardLogin.objects.filter(officer=officer).count()
    page.goto(f"{live_server.url}/officers/")
    page.get_by_label("Search").fill(officer.officer_number)
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name=re.compile(re.escape(f"{officer.last_name}, {officer.first_name}"))).first.click()
    expect(page.get_by_role("heading", name="Record a security-card login")).to_be_visible()
    axe(page)
    when = page.get_by_label("Logged in at (Eastern time)")
    login_at = when.get_attribute("max")  # now, Eastern
    when.fill(login_at)
    page.get_by_role("button", name="Record the login").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status").filter(has_text="Security-card login recorded.")).to_have_count(1)
    assert CardLogin.objects.filter(officer=officer).count() == before + 1
    officer.refresh_from_db()
    assert officer.card_last_login_at is not None and officer.card_last_login_on.isoformat() == login_at[:10]
    axe(page)
    keep_screenshot(page, "actions-pm-houston-card-login")

    # 3. an officer enrolled in a class with seats left (the officers the class's course takes)
    academy_class, candidate = None, None
    classes = (
        AcademyClass.objects.filter(status="scheduled", starts_on__gt=demo_site.today)
        .annotate(seated=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ENROLLED)))
        .filter(seated__lt=F("capacity"))
        .order_by("starts_on", "pk")
    )
    for academy_class in classes:
        candidate = EnrolForm(user=manager, academy_class=academy_class).candidates.first()
        if candidate is not None:
            break
    assert candidate is not None, "the demo gives pm.houston an officer to enrol in a class with seats"
    page.goto(f"{live_server.url}{academy_class.get_absolute_url()}")
    axe(page)
    page.get_by_role("combobox", name=re.compile("^Officer")).select_option(str(candidate.pk))
    page.get_by_role("button", name="Enrol", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_have_text(
        f"{candidate.first_name} {candidate.last_name} has a seat in this class."
    )
    assert candidate.enrollments.filter(academy_class=academy_class, status=EnrollmentStatus.ENROLLED).exists()
    axe(page)
    keep_screenshot(page, "actions-pm-houston-enrolled")


def test_ocio_starts_a_step_from_its_row(page, live_server, axe, demo_site, demo_login, keep_screenshot):
    from itdeploy.models import InstallationStep

    ocio = demo_login(page, "ocio")
    site, step = open_step(ocio, "start")
    page.goto(f"{live_server.url}{site.get_absolute_url()}")
    start = page.get_by_role("button", name=f"Start: {step.name}")
    expect(start).to_be_visible()
    axe(page)
    # a date in the future is refused once, on that row's date
    date = page.get_by_label(f"Start date: {step.name}")
    date.evaluate("el => el.removeAttribute('max')")
    date.fill("2099-01-01")
    start.click()
    page.wait_for_load_state()
    error = page.locator(f"#step-{step.pk}-start-on-error")
    expect(error).to_have_text("The date cannot be in the future.")
    expect(page.get_by_text("The date cannot be in the future.")).to_have_count(1)
    assert InstallationStep.objects.get(pk=step.pk).started_on is None
    axe(page)
    # today's date: started
    page.get_by_label(f"Start date: {step.name}").fill(date.get_attribute("max") or "")
    page.get_by_role("button", name=f"Start: {step.name}").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status").filter(has_text=f"Step {step.number}, {step.name}: started.")).to_have_count(1)
    assert InstallationStep.objects.get(pk=step.pk).started_on is not None
    expect(page.get_by_role("button", name=f"Complete: {step.name}")).to_be_visible()  # what it offers now
    axe(page)
    keep_screenshot(page, "actions-ocio-step-started")
