"""The access matrix, generated from the policy (``portal/access.py``): every role against
every API route and action and every page.

Each cell's expected answer is worked out from the policy's data by evaluating its
conditions on the records in Python (following the records' attributes), independently
of the SQL filter the portal runs, then checked over HTTP:

- anonymous: 401 (API) or the login page; a user without a role: 403;
- a list: 200 with exactly the rows in view;
- one record outside what the role may view: 404, never a hint;
- one record in view, an action the role is not granted on it: 403;
- an action the role is granted: let through (200, 201, 204, or the service's own 400 /
  409 for the empty request the matrix sends), never 401, 403, 404 or 500.

Writes run inside a transaction that is rolled back, so every cell sees the same world.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from portal import access
from portal.access_docs import _router_registry
from portal.roles import role_of

PEOPLE = ["chief", "npm", "analyst", "fod", "fod_miami", "pm", "pm_other", "pm_miami", "ocio"]
LET_THROUGH = {200, 201, 204, 302, 400, 409}


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):
    """The shared world (conftest), with one of each record per agency (officers and their
    records, installations, workload, findings) and staff records of both offices, built
    once for the module inside a transaction rolled back at its end."""
    from agreements.field_offices import load_field_offices
    from agreements.models import FieldOffice, StateOffice
    from conftest import make_people, make_world

    with django_db_blocker.unblock(), transaction.atomic():
        if not FieldOffice.objects.exists():
            load_field_offices(FieldOffice, StateOffice)
        offices = {o.code: o for o in FieldOffice.objects.all()}
        people = make_people(offices)
        world = make_world(people, offices)
        _enrich(world, people)
        yield world, people
        transaction.set_rollback(True)


@pytest.fixture
def rich(matrix_world, db):
    return matrix_world[0]


@pytest.fixture
def people(matrix_world, db):
    return matrix_world[1]


def _enrich(world, people):
    from agreements.models import AgreementDocument
    from itdeploy.tests.factories import InstallerFactory, open_for
    from portal import services as portal_services
    from portal.compliance.models import Finding
    from portal.compliance.sweep import sweep_run
    from staffing.tests.factories import AbsenceFactory, OtherDutyFactory, ReportingLineFactory, WorkloadReportFactory
    from training.models import CardLogin, Enrollment, Waiver
    from training.tests.factories import AcademyClassFactory, OfficerFactory, course

    academy_class = AcademyClassFactory(starts_on=dt.date(2027, 2, 1))
    for key in ("mine", "houston_other", "miami"):
        agency, agreement = world[key], world["agreements"][key]
        officer = OfficerFactory(agency=agency)
        officer.completions.create(course=course("IADP"), completed_on=dt.date(2016, 5, 1))
        CardLogin.objects.create(officer=officer, logged_in_at=dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC))
        Waiver.objects.create(
            officer=officer,
            fiscal_year=2026,
            reason="Course retired",
            expires_on=dt.date(2027, 1, 1),
            granted_by=people["chief"],
            granted_on=dt.date(2026, 10, 1),
        )
        Enrollment.objects.create(officer=officer, academy_class=academy_class)
        WorkloadReportFactory(agency=agency, month=dt.date(2026, 9, 1))
        AgreementDocument.objects.create(
            agreement=agreement,
            kind="moa",
            dated_on=dt.date(2017, 1, 1),
            title="MOA",
            url="https://www.ice.gov/moa.pdf",
        )
        installation = open_for(agreement)
        if installation is not None:
            from django.contrib.contenttypes.models import ContentType

            Finding.objects.create(
                rule="itdeploy.installation_overdue",
                category="itdeploy",
                subject_type=ContentType.objects.get_for_model(installation),
                subject_id=installation.pk,
                subject_label=agency.name,
                agency=agency,
                field_office=agency.field_office,
                responsible=people["pm_miami"],
            )
    for pm in ("pm", "pm_miami"):
        AbsenceFactory(manager=people[pm], starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 3, 5))
        OtherDutyFactory(manager=people[pm], share_percent=10)
    ReportingLineFactory(manager=people["pm"], supervisor=people["npm"])
    ReportingLineFactory(manager=people["pm_miami"], supervisor=people["fod_miami"], kind="administrative")
    InstallerFactory()
    from pathlib import Path

    from agreements import services as agreement_services

    fixture = Path(__file__).resolve().parent.parent / "agreements/tests/fixtures/participatingAgencies07182025pm.xlsx"
    agreement_services.ice_import_preview(
        content=fixture.read_bytes(), file_name=fixture.name, acting_user=people["chief"]
    )
    for person in PEOPLE:
        portal_services.token_create(user=people[person], name=f"{person} client", expires_in_days=30)
    sweep_run(notify=False, rule_codes=["staffing.primary_without_backup", "agreements.no_primary_manager"])


def sees(user, target, action, obj) -> bool:
    """The policy's answer for one record, by evaluating its conditions in Python."""
    role = role_of(user)
    for scope in target.scopes_of(role, action) if role else ():
        conditions = target.conditions(scope, user)
        if conditions is not None and access._holds(obj, conditions):
            return True
    return False


def client_for(api, people, person):
    client = api(None if person == "anonymous" else people[person])
    client.raise_request_exception = False
    return client


def rolled_back(call):
    with transaction.atomic():
        response = call()
        transaction.set_rollback(True)
    return response


def samples(user, target, objects):
    """One record the person may view and one they may not (where such exist)."""
    seen = [o for o in objects if sees(user, target, "view", o)]
    unseen = [o for o in objects if not sees(user, target, "view", o)]
    return seen[:1] + unseen[:1]


def _routes(viewset, basename, renames):
    """Every route of a viewset: (name, policy action, method, detail, url_name)."""
    allowed = set(getattr(viewset, "http_method_names", []))
    drf = {
        "list": ("get", False),
        "retrieve": ("get", True),
        "create": ("post", False),
        "partial_update": ("patch", True),
        "destroy": ("delete", True),
    }
    routes = [
        (n, access.DRF_ACTIONS[n], m, d, f"{basename}-{'detail' if d else 'list'}")
        for n, (m, d) in drf.items()
        if hasattr(viewset, n) and m in allowed
    ]
    for extra in viewset.get_extra_actions():
        method = next(iter(extra.mapping))
        routes.append(
            (
                extra.__name__,
                renames.get(extra.__name__, extra.__name__),
                method,
                extra.detail,
                f"{basename}-{extra.url_name}",
            )
        )
    return routes


REGISTRY = _router_registry()


@pytest.mark.parametrize("prefix, viewset, basename", REGISTRY, ids=[r[0] for r in REGISTRY])
def test_api_matrix(rich, people, api, prefix, viewset, basename):
    label, renames = access.API[basename]
    target = access.POLICY[label]
    model = target.model
    objects = list(model._base_manager.all()) if model is not None else []
    failures, cells = [], 0

    def expect(person, route, url, method, want, response):
        nonlocal cells
        cells += 1
        ok = response.status_code in LET_THROUGH - {302} if want == "through" else response.status_code == want
        if not ok:
            failures.append(f"{person} {method.upper()} {url} ({route}): {response.status_code}, expected {want}")

    for name, action, method, detail, url_name in _routes(viewset, basename, renames):
        for person in ["anonymous", "norole", *PEOPLE]:
            client = client_for(api, people, person)
            user = people.get(person)
            if detail and model is None:  # the capacity plan of a fiscal year
                url = reverse(f"api:{url_name}", kwargs={"pk": "2018"})
                want = 401 if person == "anonymous" else (200 if access.may(user, action, label) else 403)
                expect(person, name, url, method, want, rolled_back(lambda: getattr(client, method)(url, {})))
                continue
            if not detail:
                url = reverse(f"api:{url_name}")
                paged = method == "get" and getattr(viewset, "pagination_class", None) is not None
                response = rolled_back(lambda: getattr(client, method)(url, {"page_size": 1000} if paged else {}))
                if person == "anonymous":
                    expect(person, name, url, method, 401, response)
                elif person == "norole":
                    expect(person, name, url, method, 403, response)
                elif method == "get":
                    expect(person, name, url, method, 200, response)
                    rows = response.json().get("results", []) if response.status_code == 200 else []
                    if model is not None and rows and "id" in rows[0] and label != "portal.StaffProfile":
                        expected = {o.pk for o in objects if sees(user, target, "view", o)}
                        cells += 1
                        if {r["id"] for r in rows} != expected:
                            failures.append(
                                f"{person} GET {url}: rows {sorted(r['id'] for r in rows)}, expected {sorted(expected)}"
                            )
                else:
                    expect(person, name, url, method, "through" if access.may(user, action, label) else 403, response)
                continue
            for obj in samples(user, target, objects) if user else objects[:1]:
                kwargs = {"pk": obj.pk}
                if "step_id" in (getattr(getattr(viewset, name), "url_path", "") or ""):
                    kwargs["step_id"] = obj.steps.first().pk
                url = reverse(f"api:{url_name}", kwargs=kwargs)
                response = rolled_back(lambda: getattr(client, method)(url, {}))
                if person == "anonymous":
                    want = 401
                elif person == "norole":
                    want = 403
                elif not sees(user, target, "view", obj):
                    want = 404
                elif method == "get":
                    want = 200
                else:
                    want = "through" if sees(user, target, action, obj) else 403
                expect(person, name, url, method, want, response)
    assert cells > 0
    assert failures == [], "\n".join(failures)


# --- pages ------------------------------------------------------------------------------


def _page_objects(rich, people, label):
    if label == "staffing.ProgramManager":
        return list(get_user_model().objects.filter(staff_profile__role="field_pm").select_related("staff_profile"))
    if label in ("staffing.Absence", "staffing.OtherDuty", "staffing.ReportingLine"):
        return [people["pm"], people["pm_miami"]]
    model = access.POLICY[label].model
    return list(model._base_manager.all()) if model is not None else []


MANAGER_POSTS = {
    "staffing:manager-absence",
    "staffing:manager-duty",
    "staffing:manager-line",
    "staffing:manager-absence-end",
}


@pytest.mark.parametrize("name", sorted(access.PAGES))
def test_page_matrix(rich, people, client, name):
    from staffing.models import Absence, OtherDuty, ReportingLine

    label, action = access.PAGES[name]
    target = access.POLICY[label]
    objects = _page_objects(rich, people, label)
    manager_target = access.POLICY["staffing.ProgramManager"]
    failures = []
    client.raise_request_exception = False
    for person in ["anonymous", "norole", *PEOPLE]:
        client.logout()
        user = people.get(person)
        if user is not None:
            client.force_login(user)
        cases = []  # (url, method, expected)
        if name in MANAGER_POSTS:
            for manager in samples(user, manager_target, objects) if user else objects[:1]:
                if name == "staffing:manager-absence-end":
                    absence = Absence.objects.filter(manager=manager).first()
                    url = reverse(name, kwargs={"user_id": manager.pk, "absence_id": absence.pk})
                    allowed = sees(user, target, "change", absence) if user else False
                else:
                    kwargs = {"user_id": manager.pk, **({"kind": "program"} if name == "staffing:manager-line" else {})}
                    url = reverse(name, kwargs=kwargs)
                    record = {
                        "staffing:manager-absence": Absence,
                        "staffing:manager-duty": OtherDuty,
                        "staffing:manager-line": ReportingLine,
                    }[name](manager=manager)
                    allowed = sees(user, target, "add", record) if user else False
                if person == "anonymous":
                    want = "login"
                elif person == "norole" or not sees(user, manager_target, "view", manager):
                    want = 404
                else:
                    want = "through" if allowed else 403
                cases.append((url, "post", want))
        else:
            from django.urls import NoReverseMatch

            try:
                urls = [(reverse(name, kwargs={"kind": "roster"} if name == "training:import" else None), None)]
            except NoReverseMatch:
                key = "user_id" if name == "staffing:manager" else "pk"
                urls = [
                    (reverse(name, kwargs={key: o.pk}), o)
                    for o in (samples(user, target, objects) if user else objects[:1])
                ]
            for url, obj in urls:
                if person == "anonymous":
                    want = "login"
                elif obj is not None:
                    want = 200 if sees(user, target, "view", obj) else 404
                else:
                    want = 200 if access.may(user, action, label) else 403
                cases.append((url, "get", want))
        for url, method, want in cases:
            response = rolled_back(lambda: getattr(client, method)(url, {}))
            status = response.status_code
            if want == "login":
                ok = status == 302 and response["Location"].startswith(reverse("login"))
            elif want == "through":
                ok = status in LET_THROUGH
            else:
                ok = status == want
            if not ok:
                failures.append(f"{person} {method.upper()} {url}: {status}, expected {want}")
    assert failures == [], "\n".join(failures)
