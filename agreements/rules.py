"""Compliance rules of the agreements app: pending applications and ICE's published lists."""

from __future__ import annotations

import datetime as dt

from portal.compliance.models import Severity
from portal.compliance.registry import Rule, Violation, registry
from portal.tables import display

from .choices import ProgramModel
from .models import Agreement, IceImport

# The rule about agencies without a primary program manager is staffing's
# (staffing/rules.py: SignedAgreementWithoutPrimaryManager); it keeps its code
# "agreements.no_primary_manager", which findings and API clients already hold.


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
            pending.annotate(clock=Coalesce("applied_on", "pending_listed_on"))
            .filter(clock__lt=cutoff)
            .values_list(
                "id", "agency_id", "agency__name", "agency__state", "agency__field_office_id", "program_model", "clock"
            )
        )
        names = dict(ProgramModel.choices)
        owner = hq_owner_id()
        for pk, agency_id, name, state, office_id, model, clock in rows:
            yield Violation(
                subject_id=pk,
                label=f"{name} ({state}): {names.get(model, model)}",
                agency_id=agency_id,
                field_office_id=office_id,
                responsible_id=owner,
                detail=f"Pending since {display(clock)}: {(today - clock).days} days, over the limit of {limit}.",
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

        listed = Agreement.objects.filter(
            not_listed_since__isnull=False, status__in=[*HELD_STATUSES, *PENDING_STATUSES]
        )
        if subject_ids is not None:
            listed = listed.filter(pk__in=subject_ids)
        rows = listed.values_list(
            "id",
            "agency_id",
            "agency__name",
            "agency__state",
            "agency__field_office_id",
            "program_model",
            "not_listed_since",
        )
        names = dict(ProgramModel.choices)
        owner = hq_owner_id()
        for pk, agency_id, name, state, office_id, model, since in rows:
            yield Violation(
                subject_id=pk,
                label=f"{name} ({state}): {names.get(model, model)}",
                agency_id=agency_id,
                field_office_id=office_id,
                responsible_id=owner,
                detail=f"Not on ICE's list since {display(since)}; HQ to confirm whether it ended.",
            )


def hq_owner_id() -> int | None:
    """Agreements are HQ's business: findings about them go to the Unit Chief (the first
    active one), or to the field's default people when the portal has none."""
    from portal.models import StaffProfile
    from portal.roles import Role

    return (
        StaffProfile.objects.filter(role=Role.UNIT_CHIEF, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .first()
    )


@registry.register
class OnboardingUnfinished(Rule):
    """The agencies an edition of ICE's list added are onboarded as a queue: while they
    are within HQ's grace period (30 days by default, in the agreement settings), the
    per-agency rules that only say "onboarding not finished" (no primary program manager,
    no backup, no workload report) leave them out, and this rule reports one finding per
    edition with what its agencies still lack. After the grace period the usual findings
    apply. The finding goes to the Unit Chief."""

    code = "agreements.onboarding_unfinished"
    title = "Agencies an edition added still in onboarding"
    description = "Agencies added by an edition of ICE's list are not yet onboarded (within the grace period)."
    severity = Severity.WARNING
    subject_model = IceImport  # the edition is the finding's subject

    def evaluate(self, *, today):
        from collections import defaultdict

        from .models import AgreementSettings
        from .selectors import agencies_onboarding_in_grace, onboarding_missing, onboarding_queue

        grace = AgreementSettings.current().onboarding_grace_days
        waiting = agencies_onboarding_in_grace(today)
        if not waiting:
            return
        by_edition = defaultdict(list)
        for entry in onboarding_queue(today=today).filter(agency_id__in=waiting):
            by_edition[entry.edition].append(entry)
        owner = hq_owner_id()
        for edition, entries in by_edition.items():
            if edition is None:
                continue
            lacking = defaultdict(int)
            for entry in entries:
                for what in onboarding_missing(entry):
                    lacking[what] += 1
            ends = min(e.entered_on for e in entries) + dt.timedelta(days=grace)
            text = (
                ", ".join(
                    f"{n} without {what}" if what != "field office to confirm" else f"{n} with the {what}"
                    for what, n in lacking.items()
                )
                or "ready to close"
            )
            yield Violation(
                subject_id=edition.pk,
                label=f"Onboarding of ICE's list as of {display(edition.as_of)}",
                responsible_id=owner,
                detail=f"{len(entries)} agenc{'y' if len(entries) == 1 else 'ies'} in the onboarding queue ({text}); "
                f"grace period until {display(ends)}.",
            )
