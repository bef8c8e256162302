"""Compliance rules of the agreements app."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from portal.compliance.models import Severity
from portal.compliance.registry import Rule, Violation, registry
from staffing.choices import AssignmentKind
from staffing.models import Assignment

from .choices import ProgramModel
from .models import Agency, Agreement


@registry.register
class SignedAgreementWithoutPrimaryManager(Rule):
    """Every agency with an agreement in force has a primary program manager who reviews
    and signs its officers' charging documents (a suspended agreement needs nobody to sign
    until it is reinstated). The finding goes to the office's director."""

    code = "agreements.no_primary_manager"
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
                subject_id=agency_id, label=f"{name} ({state})", agency_id=agency_id, field_office_id=office_id,
                detail="No primary program manager is assigned; nobody is named to sign its charging documents.",
            )


@registry.register
class ApplicationReviewOverdue(Rule):
    """An application should not wait on HQ for months: one pending (received, under
    review or approved) longer than the limit HQ sets (90 days by default, in the
    agreement settings) is reported. The clock starts on the application date, or, when
    that is unknown, on the day the application was first seen on ICE's pending list."""

    code = "agreements.review_overdue"
    title = "Application under review too long"
    description = "A 287(g) application has been pending longer than the review limit (90 days unless HQ changed it)."
    severity = Severity.WARNING
    subject_model = Agreement

    def evaluate(self, *, today, subject_ids=None):
        from django.db.models.functions import Coalesce

        from .choices import PENDING_STATUSES
        from .models import AgreementSettings

        limit = AgreementSettings.current().review_days_limit
        cutoff = today - dt.timedelta(days=limit)
        pending = Agreement.objects.filter(status__in=PENDING_STATUSES)
        if subject_ids is not None:
            pending = pending.filter(pk__in=subject_ids)
        rows = (
            pending
            .annotate(clock=Coalesce("applied_on", "pending_listed_on"))
            .filter(clock__lt=cutoff)
            .values_list("id", "agency_id", "agency__name", "agency__state", "agency__field_office_id",
                         "program_model", "clock")
        )
        names = dict(ProgramModel.choices)
        owner = hq_owner_id()
        for pk, agency_id, name, state, office_id, model, clock in rows:
            yield Violation(
                subject_id=pk, label=f"{name} ({state}): {names.get(model, model)}", agency_id=agency_id,
                field_office_id=office_id, responsible_id=owner,
                detail=f"Pending since {clock:%Y-%m-%d}: {(today - clock).days} days, over the limit of {limit}.",
            )


@registry.register
class AgreementNotOnIceList(Rule):
    """ICE's published lists are the public record of the program. An agreement the
    portal holds as signed, suspended or pending that ICE's latest list no longer shows
    may have ended without the portal knowing: HQ must find out and record it."""

    code = "agreements.not_on_ice_list"
    title = "Agreement no longer on ICE's published list"
    description = "An agreement in force or pending is missing from the latest edition of ICE's list."
    severity = Severity.WARNING
    subject_model = Agreement

    def evaluate(self, *, today, subject_ids=None):
        from .choices import HELD_STATUSES, PENDING_STATUSES

        listed = Agreement.objects.filter(not_listed_since__isnull=False, status__in=[*HELD_STATUSES, *PENDING_STATUSES])
        if subject_ids is not None:
            listed = listed.filter(pk__in=subject_ids)
        rows = (
            listed
            .values_list("id", "agency_id", "agency__name", "agency__state", "agency__field_office_id",
                         "program_model", "not_listed_since")
        )
        names = dict(ProgramModel.choices)
        owner = hq_owner_id()
        for pk, agency_id, name, state, office_id, model, since in rows:
            yield Violation(
                subject_id=pk, label=f"{name} ({state}): {names.get(model, model)}", agency_id=agency_id,
                field_office_id=office_id, responsible_id=owner,
                detail=f"Not on ICE's list since {since:%Y-%m-%d}; HQ to confirm whether it ended.",
            )


def hq_owner_id() -> int | None:
    """Agreements are HQ's business: findings about them go to the Unit Chief (the first
    active one), or to the field's default people when the portal has none."""
    from portal.models import StaffProfile
    from portal.roles import Role

    return (
        StaffProfile.objects.filter(role=Role.UNIT_CHIEF, user__is_active=True)
        .order_by("user_id").values_list("user_id", flat=True).first()
    )
