"""Query guards: every list API endpoint and every list/table page runs the same number
of SQL statements at two sizes of data, for an HQ user and a field program manager; and
the findings table does not grow when sweeps find nothing new.

The lists are enumerated from the API router and from ``portal.access.PAGES`` (pages
whose URL takes no argument), so a list added later is guarded without editing this
module; a page or endpoint that is not a list is excused in ``EXCUSED`` with its reason.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from portal import access
from portal.api.urls import router

TODAY = dt.datetime(2018, 3, 15, 16, 0, tzinfo=dt.UTC)  # noon in Washington

ONE_RECORD = "one record's page (its own tables are bounded by the record), not a list"

#: Pages that are not lists, and why they are not guarded. Every other page of the
#: policy takes no URL argument and is guarded.
EXCUSED_PAGES: dict[str, str] = {
    "finding-detail": ONE_RECORD,
    "job": "one job's progress page",
    "job-status": "one job's progress, as JSON",
    "job-download": "one job's export file",
    "agreements:agency-detail": ONE_RECORD,
    "agreements:agreement-detail": ONE_RECORD,
    "agreements:ice-import-detail": ONE_RECORD,
    "staffing:manager": ONE_RECORD,
    "staffing:manager-absence": "a form to record one manager's absence",
    "staffing:manager-absence-end": "a form to end one absence",
    "staffing:manager-duty": "a form to record one manager's other duty",
    "staffing:manager-line": "a form to set one manager's reporting line",
    "itdeploy:installation-detail": ONE_RECORD,
    "training:officer-detail": ONE_RECORD,
    "training:class-detail": ONE_RECORD,
    "training:import": "an upload form (per kind of roster)",
    "oversight:impact-detail": ONE_RECORD,
    "oversight:inbox-finding": ONE_RECORD,
    "settings": "a form of program settings, no rows",
    "lockouts": "an account form: unlock a locked-out sign-in, no list of records",
    "agreements:ice-digest": "a subscription form, no rows",
    "staffing:workload-import": "an upload form",
    "staffing:handover": "a handover form (choose two managers)",
    "staffing:model": "the staffing model's settings form",
    "itdeploy:confirm": "a bulk-confirmation form reached from the board",
    "oversight:preferences": "the reader's own digest preferences form",
    "oversight:report": "a report form; its download is generated on request",
}

#: API list routes (router basename) that are not guarded, and why.
EXCUSED_API: dict[str, str] = {
    "capacity-plan": "one fiscal year's plan (a retrieve route only); its page training:capacity is guarded",
}


def api_lists() -> dict[str, str]:
    """Every viewset's list route: basename -> URL."""
    return {
        basename: f"/api/v1/{prefix}/"
        for prefix, viewset, basename in router.registry
        if hasattr(viewset, "list") and basename not in EXCUSED_API
    }


def page_lists() -> dict[str, str]:
    """Every policy page not excused: URL name -> URL (it must take no argument)."""
    return {name: reverse(name) for name in access.PAGES if name not in EXCUSED_PAGES}


def test_every_list_is_guarded_or_excused():
    """A new page must be guarded (a URL without arguments) or excused with a reason; a
    new viewset must have a list route or be excused; a stale excuse fails."""
    basenames = {basename for _, _, basename in router.registry}
    assert set(EXCUSED_API) <= basenames
    assert set(EXCUSED_PAGES) <= set(access.PAGES)
    without_list = {b for _, viewset, b in router.registry if not hasattr(viewset, "list")}
    assert without_list <= set(EXCUSED_API), f"viewsets without a list route, not excused: {without_list}"
    needs_arguments = []
    for name in access.PAGES:
        if name not in EXCUSED_PAGES:
            try:
                reverse(name)
            except NoReverseMatch:
                needs_arguments.append(name)
    assert not needs_arguments, f"pages neither guarded (they take URL arguments) nor excused: {needs_arguments}"
    assert {"agency", "officer", "installation", "finding", "agreement"} <= set(api_lists())
    assert {"home", "findings", "audit", "itdeploy:pipeline", "oversight:dashboard"} <= set(page_lists())
    for basename in api_lists():
        assert basename in access.API, f"{basename} is not in the access policy's API map"


# --- data at two sizes ----------------------------------------------------------------


_serial = itertools.count(1)


def grow(people, offices, n: int, *, sweep: bool = True) -> None:
    """Add ``n`` units of every record type the lists show, in the field PM's scope and
    outside it: agencies with signed agreements (so installations open), assignments, a
    backup manager with a reporting line, officers with completions, card logins, waivers
    and enrollments, ICE editions with changes, fetches and onboarding entries, documents,
    impact assessments, API tokens, absences, other duties, workload reports, installers,
    classes, audit events; then (``sweep``) a sweep opens their findings."""
    from agreements import services as agreement_services
    from agreements.choices import (
        AgreementStatus,
        ChangeKind,
        DocumentKind,
        FetchStatus,
        IceEdition,
        ImportStatus,
        ProgramModel,
    )
    from agreements.models import Agreement, AgreementDocument, EditionChange, IceFetch, IceImport, OnboardingEntry
    from agreements.tests.factories import AgencyFactory
    from itdeploy.tests.factories import InstallerFactory, InstallerUnavailabilityFactory
    from oversight.choices import AssessmentBasis, Rating
    from oversight.models import ImpactAssessment
    from portal.compliance.sweep import sweep_run
    from portal.models import ApiToken
    from portal.roles import Role
    from portal.tests.factories import staff
    from staffing.choices import AssignmentKind, ReportingLineKind
    from staffing.tests.factories import (
        AbsenceFactory,
        AssignmentFactory,
        OtherDutyFactory,
        ReportingLineFactory,
        WorkloadReportFactory,
    )
    from training.choices import EnrollmentStatus, OfficerStatus
    from training.models import CardLogin, Completion, Enrollment, Waiver
    from training.tests.factories import AcademyClassFactory, OfficerFactory, course

    chief, pm = people["chief"], people["pm"]
    iadp = course("IADP")
    for _ in range(n):
        i = next(_serial)
        backup = staff(Role.FIELD_PM, offices["HOU"])  # another manager in the office
        ReportingLineFactory(
            manager=backup,
            supervisor=people["fod"],
            kind=ReportingLineKind.ADMINISTRATIVE,
            starts_on=dt.date(2017, 1, 1),
        )
        for office, manager in ((offices["HOU"], pm), (offices["MIA"], people["pm_miami"])):
            agency = AgencyFactory(field_office=office)
            agreement = Agreement.objects.create(
                agency=agency, program_model=ProgramModel.JAIL_ENFORCEMENT, status=AgreementStatus.APPROVED
            )
            agreement_services.agreement_sign(agreement=agreement, acting_user=chief, signed_on=dt.date(2018, 1, 2))
            agreement_services.agency_update(agency=agency, acting_user=chief, county=f"Guard {i}")
            AssignmentFactory(agency=agency, program_manager=manager, starts_on=dt.date(2017, 1, 1))
            AssignmentFactory(
                agency=agency, program_manager=backup, kind=AssignmentKind.BACKUP, starts_on=dt.date(2017, 1, 1)
            )
            WorkloadReportFactory(
                agency=agency, month=dt.date(2018, 1, 1), charging_documents_prepared=1000
            )  # above the model
            officers = [
                OfficerFactory(agency=agency, status=OfficerStatus.CERTIFIED),
                OfficerFactory(agency=agency, status=OfficerStatus.NOMINATED, certified_on=None, status_since=None),
            ]
            Completion.objects.bulk_create(
                [Completion(officer=o, course=iadp, completed_on=dt.date(2016, 5, 20)) for o in officers]
            )
            CardLogin.objects.bulk_create(
                [CardLogin(officer=o, logged_in_at=dt.datetime(2018, 1, 3, 9, tzinfo=dt.UTC)) for o in officers]
            )
            Waiver.objects.create(
                officer=officers[0],
                fiscal_year=2018,
                reason="Deployed",
                expires_on=dt.date(2018, 9, 30),
                granted_by=chief,
                granted_on=dt.date(2018, 1, 5),
            )
            klass = AcademyClassFactory(starts_on=dt.date(2018, 4, 2 + i % 20))
            Enrollment.objects.create(academy_class=klass, officer=officers[1], status=EnrollmentStatus.ENROLLED)
            IceImport.objects.create(
                file_name=f"participating-{i}-{office.code}.xlsx",
                edition=IceEdition.PARTICIPATING,
                status=ImportStatus.APPLIED,
                import_date=dt.date(2018, 1, 2),
                sha256=ApiToken.hash_key(f"edition {i} {office.pk}"),
            )
            edition = IceImport.objects.latest("pk")
            EditionChange.objects.create(
                edition=edition,
                kind=ChangeKind.NEW,
                state=agency.state,
                agency_name=agency.name,
                match_key=agency.name.lower(),
                program_model=ProgramModel.JAIL_ENFORCEMENT,
                agreement=agreement,
            )
            IceFetch.objects.create(
                url="https://www.ice.gov/participating.xlsx",
                started_at=dt.datetime(2018, 1, 2, 6, tzinfo=dt.UTC),
                status=FetchStatus.NEW_EDITION,
                edition=edition,
            )
            OnboardingEntry.objects.create(agency=agency, edition=edition, entered_on=dt.date(2018, 1, 2))
            AgreementDocument.objects.create(
                agreement=agreement,
                kind=DocumentKind.MOA,
                dated_on=dt.date(2018, 1, 2),
                title="MOA",
                url="https://example.gov/moa.pdf",
            )
            assessment = ImpactAssessment.objects.create(
                basis=AssessmentBasis.AGREEMENTS, rating=Rating.GREEN, as_of=dt.date(2018, 1, 2), created_by=chief
            )
            assessment.agreements.add(agreement)
            assessment.field_offices.add(office)
        for user in (chief, pm):
            ApiToken.objects.create(
                user=user, name=f"Token {i}", prefix=f"{i:08d}", digest=ApiToken.hash_key(f"{user.pk}-{i}")
            )
        ReportingLineFactory(
            manager=pm,
            supervisor=people["npm"],
            starts_on=dt.date(2010, 1, i),
            ends_on=dt.date(2010, 1, i),
        )
        AbsenceFactory(manager=pm, starts_on=dt.date(2018, 2, 1 + i % 25), ends_on=dt.date(2018, 2, 1 + i % 25))
        OtherDutyFactory(manager=pm, share_percent=1, starts_on=dt.date(2017, 1, 1))
        InstallerUnavailabilityFactory(installer=InstallerFactory())
    if sweep:
        sweep_run(notify=False)


def count(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(url).status_code
    return status, len(ctx.captured_queries)


def measure(client, urls: dict[str, str]) -> dict[str, tuple[int, int]]:
    return {name: count(client, url) for name, url in urls.items()}


@pytest.fixture
def at_program_date(settings):
    """The program date, frozen; and the cache in process, so that nothing cached (the
    training settings, for 60 s) expires between the two counts: Redis expires keys on
    its own clock, which time-machine does not stop, and a survey on a loaded machine
    took longer than 60 s (one statement more, by chance, in the second count)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with time_machine.travel(TODAY, tick=False):
        yield


def test_lists_run_as_many_statements_at_two_sizes(at_program_date, world, people, offices, api, client):
    """Each list, as HQ (the Unit Chief) and as a Houston field PM, at 1 and at 3 units
    of every record type (and the small world besides)."""
    apis, pages = api_lists(), page_lists()
    readers = {}
    for person in ("chief", "pm"):
        page_client = client.__class__()
        page_client.force_login(people[person])
        readers[person] = (api(people[person]), page_client)

    def survey():
        return {
            (person, name): result
            for person, (api_client, page_client) in readers.items()
            for name, result in {**measure(api_client, apis), **measure(page_client, pages)}.items()
        }

    grow(people, offices, 1)
    survey()  # warm per-user and per-process caches (the staff profile, content types, settings)
    small = survey()
    grow(people, offices, 2)
    large = survey()

    assert all(status in (200, 403) for status, _ in small.values()), small
    grew = {key: (small[key][1], large[key][1]) for key in small if small[key] != large[key]}
    assert not grew, f"statements at 1 and 3 units of data ((reader, list): (small, large)): {grew}"


# --- the sweep: nothing new, nothing written ---------------------------------------------


def sweep_tables():
    from portal.audit.models import AuditEvent
    from portal.compliance.models import Finding

    return {
        "findings": Finding.objects.count(),
        "finding history": Finding.history.count(),
        "finding journal events": AuditEvent.objects.filter(content_type__model="finding").count(),
    }


@pytest.fixture
def swept(at_program_date, world, people, offices):
    """The world with some violations (officers without training, installations), swept once."""
    from portal.compliance.models import Finding
    from portal.compliance.sweep import sweep_run

    grow(people, offices, 2)  # sweeps once
    sweep_run(notify=False)
    assert Finding.objects.exists()


def test_ten_sweeps_that_find_nothing_new_add_no_finding_rows(swept):
    from portal.compliance.sweep import sweep_run

    before = sweep_tables()
    for _ in range(10):
        sweep_run(notify=False)
    assert sweep_tables() == before


def test_ten_sweeps_that_find_nothing_new_write_no_finding_row(swept):
    """Each row left as it was (on PostgreSQL an update writes a new row version, which
    is what grew the table from 17 to 80 MB in 15 sweeps), the sweeps ten minutes apart."""
    from portal.compliance.models import Finding
    from portal.compliance.sweep import sweep_run

    before = list(Finding.objects.order_by("pk").values())
    for minutes in range(1, 11):
        with time_machine.travel(TODAY + dt.timedelta(minutes=minutes), tick=False):
            sweep_run(notify=False)
    after = list(Finding.objects.order_by("pk").values())
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    fields = sorted({key for old, new in changed for key in old if old[key] != new[key]})
    assert not changed, f"{len(changed)} of {len(before)} findings rewritten (columns {fields})"


def test_every_sweep_rule_runs_as_many_statements_at_two_sizes(at_program_date, world, people, offices):
    """Each registered rule, alone: the sweep that opens its new findings (and rewrites
    the details of older ones, whose figures moved) and the steady sweep after it run as
    many statements after 1 new unit of data as after 2. A first round of growth, not
    measured, gives every rule older findings, so that both rounds take the same paths."""
    from portal.compliance.registry import registry
    from portal.compliance.sweep import sweep_run

    def statements(code):
        with CaptureQueriesContext(connection) as ctx:
            sweep_run(notify=False, rule_codes=[code])
        return len(ctx.captured_queries)

    codes = [rule.code for rule in registry.all()]
    assert codes
    grow(people, offices, 1)  # the older findings, and warm caches
    sizes = []
    for n in (1, 2):
        grow(people, offices, n, sweep=False)  # new subjects for every rule
        sizes.append({code: (statements(code), statements(code)) for code in codes})
    grew = {code: (sizes[0][code], sizes[1][code]) for code in codes if sizes[0][code] != sizes[1][code]}
    assert not grew, f"(first, steady) statements per rule after 1 and 2 new units: {grew}"
