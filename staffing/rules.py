"""Compliance rules of the staffing app."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from agreements.models import Agency, Agreement
from portal.compliance.models import Severity
from portal.compliance.registry import Rule, Violation, registry
from portal.models import StaffProfile
from portal.roles import Role

from .choices import AssignmentKind, ReportingLineKind
from .figures import compute
from .models import Absence, Assignment, ReportingLine, WorkloadReport
from .selectors import field_managers, primary_manager_ids


@registry.register
class SignedAgreementWithoutPrimaryManager(Rule):
    """Every agency with an agreement in force has a primary program manager who reviews
    and signs its officers' charging documents (a suspended agreement needs nobody to sign
    until it is reinstated). The finding goes to the office's director.

    A staffing rule (it reads assignments); its code keeps the ``agreements.`` prefix it
    was released with, since findings and API clients hold it."""

    code = "agreements.no_primary_manager"
    onboarding = True
    title = "Signed agreement without a primary program manager"
    description = "An agency holds a 287(g) agreement in force but no program manager is assigned to it as primary."
    severity = Severity.HIGH
    subject_model = Agency

    def evaluate(self, *, today, subject_ids=None):
        primary = Assignment.objects.active_on(today).filter(agency=OuterRef("pk"), kind=AssignmentKind.PRIMARY)
        agencies = Agency.objects.active_on(today).exclude(Exists(primary))
        if subject_ids is not None:
            agencies = agencies.filter(pk__in=subject_ids)
        rows = agencies.values_list("id", "name", "state", "field_office_id")
        for agency_id, name, state, office_id in rows:
            yield Violation(
                subject_id=agency_id,
                label=f"{name} ({state})",
                agency_id=agency_id,
                field_office_id=office_id,
                detail="No primary program manager is assigned; nobody is named to sign its charging documents.",
            )


@registry.register
class PrimaryManagerWithoutBackup(Rule):
    """Every agency's primary program manager has a named backup who can sign while the
    primary is absent (OIG: managers could not take sick leave because nobody else could
    sign). The finding goes to the primary program manager."""

    code = "staffing.primary_without_backup"
    onboarding = True
    title = "Primary program manager without a backup"
    description = (
        "An agency with an agreement in force has a primary program manager but no backup program manager assigned."
    )
    severity = Severity.WARNING
    subject_model = Agency

    def evaluate(self, *, today, subject_ids=None):
        active = Assignment.objects.active_on(today).filter(agency=OuterRef("pk"))
        agencies = (
            Agency.objects.active_on(today)
            .filter(Exists(active.filter(kind=AssignmentKind.PRIMARY)))
            .exclude(Exists(active.filter(kind=AssignmentKind.BACKUP)))
        )
        if subject_ids is not None:
            agencies = agencies.filter(pk__in=subject_ids)
        rows = agencies.values_list("id", "name", "state", "field_office_id")
        for agency_id, name, state, office_id in rows:
            yield Violation(
                subject_id=agency_id,
                label=f"{name} ({state})",
                agency_id=agency_id,
                field_office_id=office_id,
                detail="No backup program manager is named to sign while the primary is absent.",
            )


def _directors_by_office() -> dict[int, int]:
    director = {}
    for office_id, user_id in (
        StaffProfile.objects.filter(role=Role.FIELD_OFFICE_DIRECTOR, user__is_active=True)
        .order_by("field_office_id", "user_id")
        .values_list("field_office_id", "user_id")
    ):
        director.setdefault(office_id, user_id)
    return director


def _current_supervisors(manager_ids, today) -> dict[int, dict[str, int]]:
    """Manager id -> {kind: supervisor id of the current line of that kind}: the ids of
    ``current_lines`` (the latest started wins), without building the lines."""
    result: dict[int, dict[str, int]] = {}
    for manager_id, kind, supervisor_id in (
        ReportingLine.objects.active_on(today)
        .filter(manager_id__in=list(manager_ids))
        .order_by("manager_id", "kind", "-starts_on")
        .values_list("manager_id", "kind", "supervisor_id")
    ):
        result.setdefault(manager_id, {}).setdefault(kind, supervisor_id)
    return result


@registry.register
class ManagerAboveModelLoad(Rule):
    """A field program manager whose load exceeds ICE's staffing model: required PMs for
    the agencies they are primary for (max of officers / 12 and annual cases / 2,000)
    divided by their 287(g) share of time (1 − other duties). Warning above 100%, high
    above 150%. The finding goes to the manager's administrative supervisor (the Field
    Office Director), else their program supervisor, else their office's director."""

    code = "staffing.manager_above_model_load"
    title = "Program manager above the staffing model's load"
    description = "A program manager carries more work than ICE's staffing model allows one manager (load above 100%)."
    severity = Severity.WARNING
    subject_model = get_user_model()

    def evaluate(self, *, today, subject_ids=None):
        figures = compute(today, geography=False)
        over = [
            m
            for m in figures.managers
            if (m.load is None or m.load > 1) and (subject_ids is None or m.key in subject_ids)
        ]
        supervisors = _current_supervisors([m.key for m in over], today)
        for m in over:
            mine = supervisors.get(m.key, {})
            supervisor_id = mine.get(ReportingLineKind.ADMINISTRATIVE) or mine.get(ReportingLineKind.PROGRAM)
            load_text = "no 287(g) time left (other duties take 100%)" if m.load is None else f"load {m.load_percent}%"
            yield Violation(
                subject_id=m.key,
                label=m.name,
                field_office_id=m.field_office_id,
                responsible_id=supervisor_id,
                severity=Severity.HIGH if m.load is None or m.load > 1.5 else Severity.WARNING,
                detail=(
                    f"{load_text}: {m.agencies} agencies, {m.officers} certified officers, "
                    f"{round(m.annual_cases):,} cases a year need {m.required:.2f} program managers; "
                    f"assigned {m.assigned:.2f} (other duties {m.other_duty_percent}%)."
                ),
            )


@registry.register
class PrimaryAbsentWithoutBackup(Rule):
    """An agency whose primary program manager is absent today while no backup who is
    present holds an assignment: nobody can sign its charging documents. High severity;
    the finding goes to the primary's administrative supervisor, else the office's director."""

    code = "staffing.primary_absent_without_backup"
    title = "Primary program manager absent with no backup able to sign"
    description = "The primary program manager is absent today and no backup program manager is present to sign."
    severity = Severity.HIGH
    subject_model = Agency

    def evaluate(self, *, today, subject_ids=None):
        absent_today = Absence.objects.active_on_day(today).filter(manager=OuterRef("program_manager"))
        active = Assignment.objects.active_on(today).filter(agency=OuterRef("pk"))
        agencies = Agency.objects.active_on(today)
        if subject_ids is not None:
            agencies = agencies.filter(pk__in=subject_ids)
        rows = list(
            agencies.filter(Exists(active.filter(kind=AssignmentKind.PRIMARY).filter(Exists(absent_today))))
            .exclude(Exists(active.filter(kind=AssignmentKind.BACKUP).exclude(Exists(absent_today))))
            .values_list("id", "name", "state", "field_office_id")
        )
        if not rows:
            return
        primaries = primary_manager_ids(today, agency_ids=[r[0] for r in rows])
        supervisors = _current_supervisors(set(primaries.values()), today)
        directors = _directors_by_office()
        for agency_id, name, state, office_id in rows:
            admin = supervisors.get(primaries.get(agency_id), {}).get(ReportingLineKind.ADMINISTRATIVE)
            yield Violation(
                subject_id=agency_id,
                label=f"{name} ({state})",
                agency_id=agency_id,
                field_office_id=office_id,
                responsible_id=admin if admin is not None else directors.get(office_id),
                detail="The primary program manager is absent today and no backup is present: nobody can sign charging documents.",
            )


@registry.register
class ManagerWithoutSupervisor(Rule):
    """A field program manager without a current program supervisor (National PM or Unit
    Chief) or without a current administrative supervisor (Field Office Director): OIG
    found the dual line unclear (recommendation 2). The finding goes to the director of
    the manager's office."""

    code = "staffing.manager_without_supervisor"
    title = "Program manager without one of the two supervisors"
    description = "A field program manager lacks a current program or administrative reporting line."
    severity = Severity.WARNING
    subject_model = get_user_model()

    def evaluate(self, *, today, subject_ids=None):
        lines = ReportingLine.objects.active_on(today).filter(manager=OuterRef("pk"))
        managers = field_managers() if subject_ids is None else field_managers().filter(pk__in=subject_ids)
        rows = (
            managers.annotate(
                has_program=Exists(lines.filter(kind=ReportingLineKind.PROGRAM)),
                has_admin=Exists(lines.filter(kind=ReportingLineKind.ADMINISTRATIVE)),
            )
            .filter(Q(has_program=False) | Q(has_admin=False))
            .values_list(
                "id",
                "first_name",
                "last_name",
                "username",
                "staff_profile__field_office_id",
                "has_program",
                "has_admin",
            )
        )
        for user_id, first, last, username, office_id, has_program, has_admin in rows:
            missing = [
                label
                for ok, label in (
                    (has_program, "program supervisor (National PM or Unit Chief)"),
                    (has_admin, "administrative supervisor (Field Office Director)"),
                )
                if not ok
            ]
            yield Violation(
                subject_id=user_id,
                label=f"{first} {last}".strip() or username,
                field_office_id=office_id,
                detail="No current " + " and no current ".join(missing) + ".",
            )


@registry.register
class WorkloadReportMissing(Rule):
    """An agency with an agreement in force (signed before this month) that has no
    workload report for last month. The finding goes to its primary program manager."""

    code = "staffing.workload_report_missing"
    onboarding = True
    title = "Workload report missing for last month"
    description = (
        "An agency with a signed agreement has not reported last month's encounters, charging documents and detainers."
    )
    severity = Severity.WARNING
    subject_model = Agency

    def evaluate(self, *, today, subject_ids=None):
        this_month = today.replace(day=1)
        last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
        signed = Agreement.objects.in_force(today).filter(agency=OuterRef("pk"), signed_on__lt=this_month)
        reported = WorkloadReport.objects.filter(agency=OuterRef("pk"), month=last_month)
        agencies = Agency.objects.filter(Exists(signed)).exclude(Exists(reported))
        if subject_ids is not None:
            agencies = agencies.filter(pk__in=subject_ids)
        rows = agencies.values_list("id", "name", "state", "field_office_id")
        for agency_id, name, state, office_id in rows:
            yield Violation(
                subject_id=agency_id,
                label=f"{name} ({state})",
                agency_id=agency_id,
                field_office_id=office_id,
                detail=f"No workload report for {last_month:%B %Y}.",
            )
