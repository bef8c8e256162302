"""Fixtures shared by every app's tests: people of each role, a small scoped world, API
clients, and headless Chromium (Debian's, at /usr/bin/chromium) for browser tests.

Browser tests skip with a clear message where Chromium is missing, and Celery-worker
tests where REDIS_URL is not set; with REQUIRE_BROWSER=1 / REQUIRE_REDIS=1 (as .ci/run
sets on its PostgreSQL pass) they fail instead, so nothing is skipped there.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from rest_framework.test import APIClient

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
#: Where browser journeys keep their screenshots (git-ignored; CI keeps them as artefacts).
ARTIFACTS = Path(__file__).resolve().parent / "var" / "test-artifacts"


def _require(flag: str) -> bool:
    return os.environ.get(flag, "").lower() in {"1", "true", "yes"}


def skip_or_fail(message: str, flag: str):
    if _require(flag):
        pytest.fail(f"{message} ({flag} is set, so this cannot be skipped)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """API throttle counts live in the cache (Redis in CI): each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _celery_tasks_in_process():
    """Tasks a test enqueues (the digests after a sweep) run in the test's process, also
    where REDIS_URL is set; the Celery-worker tests switch to a real worker themselves."""
    from portal.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


# --- people and a small world -------------------------------------------------------


@pytest.fixture
def offices(db):
    from agreements.field_offices import load_field_offices
    from agreements.models import FieldOffice, StateOffice

    if not FieldOffice.objects.exists():  # a transactional test flushed the migration's data
        load_field_offices(FieldOffice, StateOffice)
    return {o.code: o for o in FieldOffice.objects.all()}


@pytest.fixture
def people(db, offices):
    """One user per role; two field PMs in Houston, one in Miami; a user without a role."""
    return make_people(offices)


def make_people(offices):
    from portal.roles import Role
    from portal.tests.factories import UserFactory, staff

    return {
        "chief": staff(Role.UNIT_CHIEF, username="chief"),
        "npm": staff(Role.NATIONAL_PM, username="npm"),
        "analyst": staff(Role.HQ_ANALYST, username="analyst"),
        "ocio": staff(Role.OCIO, username="ocio"),
        "fod": staff(Role.FIELD_OFFICE_DIRECTOR, offices["HOU"], username="fod_hou"),
        "fod_miami": staff(Role.FIELD_OFFICE_DIRECTOR, offices["MIA"], username="fod_mia"),
        "pm": staff(Role.FIELD_PM, offices["HOU"], username="pm_hou"),
        "pm_other": staff(Role.FIELD_PM, offices["HOU"], username="pm_hou2"),
        "pm_miami": staff(Role.FIELD_PM, offices["MIA"], username="pm_mia"),
        "norole": UserFactory(username="norole"),
    }


@pytest.fixture
def world(db, people, offices):
    """Three agencies, each with a signed agreement: ``mine`` (Houston, assigned to
    ``pm`` as primary and ``pm_other`` as backup), ``houston_other`` (Houston, assigned
    to ``pm_other``) and ``miami`` (Miami, assigned to ``pm_miami``)."""
    return make_world(people, offices)


def make_world(people, offices):
    import datetime as dt

    from agreements.tests.factories import AgencyFactory, AgreementFactory
    from staffing.choices import AssignmentKind
    from staffing.tests.factories import AssignmentFactory

    mine = AgencyFactory(
        name="Harris County Sheriff's Office", county="Harris", state="TX", field_office=offices["HOU"]
    )
    houston_other = AgencyFactory(
        name="Galveston County Sheriff's Office", county="Galveston", state="TX", field_office=offices["HOU"]
    )
    miami = AgencyFactory(
        name="Collier County Sheriff's Office", county="Collier", state="FL", field_office=offices["MIA"]
    )
    agreements = {
        key: AgreementFactory(agency=agency)
        for key, agency in {"mine": mine, "houston_other": houston_other, "miami": miami}.items()
    }
    AssignmentFactory(agency=mine, program_manager=people["pm"], kind=AssignmentKind.PRIMARY)
    AssignmentFactory(agency=mine, program_manager=people["pm_other"], kind=AssignmentKind.BACKUP)
    AssignmentFactory(agency=houston_other, program_manager=people["pm_other"], kind=AssignmentKind.PRIMARY)
    AssignmentFactory(agency=miami, program_manager=people["pm_miami"], kind=AssignmentKind.PRIMARY)
    # An ended assignment gives no access.
    AssignmentFactory(
        agency=miami,
        program_manager=people["pm"],
        kind=AssignmentKind.BACKUP,
        starts_on=dt.date(2016, 1, 1),
        ends_on=dt.date(2016, 12, 31),
    )
    return {"mine": mine, "houston_other": houston_other, "miami": miami, "agreements": agreements}


@pytest.fixture
def api():
    """``api(user)``: an API client authenticated as ``user`` (None: anonymous)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


# --- headless Chromium ----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        skip_or_fail(f"Browser tests need Chromium at {CHROMIUM} (apt-get install chromium)", "REQUIRE_BROWSER")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        skip_or_fail("Browser tests need the playwright package", "REQUIRE_BROWSER")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    """``login(page, user)``: sign in through the login form, as a person does."""
    from portal.tests.factories import PASSWORD

    def do_login(page, user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return do_login


@pytest.fixture
def demo_site(offices):
    """A fresh demo database, as ``make run`` seeds it (``seed_demo --scale small``):
    the demo accounts of every role; returns the seed's context."""
    from itdeploy.models import InstallationSettings, ProgramModelSetting, StepTemplate
    from itdeploy.plan import load_default_plan
    from portal import demo

    load_default_plan(StepTemplate, ProgramModelSetting, InstallationSettings)
    return demo.run("small", log=lambda message: None)


@pytest.fixture
def demo_login(live_server):
    """``demo_login(page, username)``: sign in as a demo account through the login form,
    with the demo's password; returns the user."""
    from django.contrib.auth import get_user_model

    from portal.demo import DEMO_PASSWORD

    def do_login(page, username):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))
        page.wait_for_load_state()
        return get_user_model().objects.get(username=username)

    return do_login


@pytest.fixture
def keep_screenshot():
    """``keep_screenshot(page, name)``: save the page as ``var/test-artifacts/<name>.png``."""

    def keep(page, name: str, *, full_page: bool = True):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)

    return keep


@pytest.fixture
def axe():
    """``axe(page)``: run axe-core on the page and fail on serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    checker = Axe()

    def check(page):
        results = checker.run(page)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        assert not bad, "axe found serious/critical violations:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in bad
        )
        return results

    return check


# --- Redis and a real Celery worker ----------------------------------------------------


@pytest.fixture
def redis_url():
    from django.conf import settings

    if not settings.REDIS_URL:
        skip_or_fail("Celery worker tests need REDIS_URL (a running Redis)", "REQUIRE_REDIS")
    return settings.REDIS_URL
