"""Compliance rules of the IT installation pipeline. Installations whose status is
unknown (loaded from ICE's lists, waiting for HQ to confirm them) or cancelled are left
out, and so are those of agencies with no agreement in force that needs the site (a
suspended agreement: the installation's clock and steps are paused)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef

from agreements.models import Agency, Agreement
from portal.compliance.models import Severity
from portal.compliance.registry import Rule, Violation, registry
from portal.tables import display

from . import clocks, selectors
from .choices import InstallationStatus
from .models import (
    Installation,
    InstallationPause,
    InstallationSettings,
    InstallationStep,
    ProgramModelSetting,
    StepPause,
)


def _site_in_force(today: dt.date):
    """An Exists() over the agency's agreements in force on ``today`` that need a site (the
    models that need one a subquery of the same statement, not a query of their own)."""
    needing = ProgramModelSetting.objects.filter(needs_installation=True).values("program_model")
    return Exists(Agreement.objects.in_force(today).filter(agency=OuterRef("agency"), program_model__in=needing))


def _clock_pauses(installations) -> dict[int, list]:
    """The clock pauses of ``installations`` (a queryset), by installation: one query with
    the installations as a subquery, whatever their number."""
    pauses = defaultdict(list)
    for pause in InstallationPause.objects.filter(installation__in=installations.values("pk")).only(
        "installation_id", "started_on", "ended_on"
    ):
        pauses[pause.installation_id].append(pause)
    return pauses


@registry.register
class InstallationPastGoal(Rule):
    """A site not operational more than the goal's days (180) after its MOA signature:
    its officers still cannot log in to DHS systems."""

    code = "itdeploy.past_goal"
    title = "Installation past the goal and not operational"
    description = "An installation in progress more than the goal's days (180) after the MOA signature."
    severity = Severity.HIGH
    subject_model = Installation

    def evaluate(self, *, today, subject_ids=None):
        goal = InstallationSettings.current().goal_days
        candidates = Installation.objects.filter(
            status=InstallationStatus.IN_PROGRESS, moa_signed_on__lt=today - dt.timedelta(days=goal)
        ).filter(_site_in_force(today))
        if subject_ids is not None:
            candidates = candidates.filter(pk__in=subject_ids)
        rows = list(
            candidates.values_list(
                "id", "agency_id", "agency__name", "agency__state", "agency__field_office_id", "moa_signed_on"
            )
        )
        pauses = _clock_pauses(candidates)
        for pk, agency_id, name, state, office_id, signed in rows:
            paused = clocks.paused_days(pauses[pk], today, signed)
            days = (today - signed).days - paused
            if days <= goal:
                continue  # within the goal once the suspended days are left out
            suspended = f" ({paused} suspended days not counted)" if paused else ""
            yield Violation(
                subject_id=pk,
                label=f"Installation at {name} ({state})",
                agency_id=agency_id,
                field_office_id=office_id,
                detail=f"{days} days since the MOA signature ({display(signed)}){suspended}, goal {goal}: not operational.",
            )


@registry.register
class InstallationStepBreached(Rule):
    """A step in progress past its due date (its start plus its planned days plus its
    paused days). The finding goes to the step's named responsible person (e.g. an OCIO
    specialist) if any, else the agency's primary program manager."""

    code = "itdeploy.step_breached"
    title = "Installation step past its allowed duration"
    description = "A step in progress longer than its planned days, paused days not counted."
    severity = Severity.WARNING
    subject_model = InstallationStep

    def evaluate(self, *, today, subject_ids=None):
        in_force = Installation.objects.filter(status=InstallationStatus.IN_PROGRESS).filter(_site_in_force(today))
        steps_qs = InstallationStep.objects.filter(
            installation__in=in_force.values("pk"),
            started_on__isnull=False,
            completed_on__isnull=True,
        )
        if subject_ids is not None:
            steps_qs = steps_qs.filter(pk__in=subject_ids)
        steps = list(
            steps_qs.values_list(
                "id",
                "number",
                "name",
                "planned_days",
                "started_on",
                "responsible_id",
                "installation__agency_id",
                "installation__agency__name",
                "installation__agency__field_office_id",
            )
        )
        pauses = defaultdict(list)
        for pause in StepPause.objects.filter(
            step__installation__status=InstallationStatus.IN_PROGRESS, step__completed_on__isnull=True
        ).only("step_id", "started_on", "ended_on"):
            pauses[pause.step_id].append(pause)
        for pk, number, name, planned, started, responsible, agency_id, agency_name, office_id in steps:
            clock = clocks.step_clock(
                started_on=started, completed_on=None, planned_days=planned, pauses=pauses[pk], today=today
            )
            if clock.state != "breached":
                continue
            yield Violation(
                subject_id=pk,
                label=f"{agency_name}: step {number}, {name}",
                agency_id=agency_id,
                field_office_id=office_id,
                responsible_id=responsible,
                detail=f"Started {display(started)}, {clock.used_days} working days used of {planned} planned "
                f"({clock.paused_days} paused); due {display(clock.due_on)}.",
            )


@registry.register
class InstallationForecastMissesGoal(Rule):
    """An installation still within the goal but forecast (median durations and the
    installer queue) to be operational after it: the warning comes long before the miss."""

    code = "itdeploy.forecast_misses_goal"
    title = "Installation forecast to miss the goal"
    description = (
        "The forecast operational date of an installation in progress is past the goal from the MOA signature."
    )
    severity = Severity.WARNING
    subject_model = Installation

    def evaluate(self, *, today, subject_ids=None):
        # The sweep stores the day's forecast (or reads it, if nothing changed since it was
        # stored); of each site only its expected operational date is read.
        operational = selectors.stored_operational_dates(today=today)
        goal = InstallationSettings.current().goal_days
        candidates = Installation.objects.open().filter(_site_in_force(today))
        if subject_ids is not None:
            candidates = candidates.filter(pk__in=subject_ids)
        rows = list(
            candidates.order_by("pk").values_list(
                "id",
                "agency_id",
                "agency__name",
                "agency__state",
                "agency__field_office_id",
                "moa_signed_on",
                "operational_on",
                "cancelled_on",
            )
        )
        pauses = _clock_pauses(candidates)
        for pk, agency_id, name, state, office_id, signed, operational_on, cancelled_on in rows:
            # selectors.goal_date: the goal's days from the MOA plus the days the clock was paused.
            paused = clocks.paused_days(pauses[pk], operational_on or cancelled_on or today, signed)
            deadline = signed + dt.timedelta(days=goal + paused)
            if deadline < today:
                continue  # already past the goal: itdeploy.past_goal reports it
            projected = operational[pk]
            if projected is not None and projected <= deadline:
                continue
            when = (
                f"forecast operational {display(projected)}" if projected else "no installer is available to finish it"
            )
            yield Violation(
                subject_id=pk,
                label=f"Installation at {name} ({state})",
                agency_id=agency_id,
                field_office_id=office_id,
                detail=f"Goal {display(deadline)} ({goal} days from the MOA); {when}.",
            )


@registry.register
class SignedAgreementWithoutInstallation(Rule):
    """An agency holds a signed agreement of a 287(g) model that needs a site
    installation, but no installation was opened for it."""

    code = "itdeploy.signed_without_installation"
    title = "Signed agreement without an installation"
    description = "An agency with a signed agreement that needs a site installation has no installation."
    severity = Severity.WARNING
    subject_model = Agency

    def evaluate(self, *, today, subject_ids=None):
        signed = Agreement.objects.in_force(today).filter(
            agency=OuterRef("pk"), program_model__in=ProgramModelSetting.models_needing_installation()
        )
        agencies = Agency.objects.filter(Exists(signed)).exclude(
            Exists(Installation.objects.filter(agency=OuterRef("pk")).exclude(status=InstallationStatus.CANCELLED))
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
                detail="A signed agreement needs a site installation, but none is open: its officers cannot log in.",
            )
