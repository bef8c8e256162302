"""Reads of the IT installation pipeline: the forecast of every open site, step
durations learnt from completed installations, the board and the analytics."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch

from portal import dates

from . import clocks, forecast
from .choices import InstallationStatus, StepKind
from .models import (
    Installation,
    InstallationSettings,
    InstallationStep,
    Installer,
    InstallerUnavailability,
    StepPause,
    StepTemplate,
)


def steps_prefetch():
    """The steps of installations with their pauses and dependencies, in two queries."""
    return Prefetch(
        "steps",
        queryset=InstallationStep.objects.order_by("number").prefetch_related(
            Prefetch("pauses", queryset=StepPause.objects.order_by("started_on", "pk")),
            Prefetch("depends_on", queryset=InstallationStep.objects.only("id", "number", "completed_on")),
        ),
    )


def step_samples(settings: InstallationSettings) -> dict[int, list[int]]:
    """Step number -> actual working days (paused days excluded) of the most recently
    completed steps of operational installations whose dates were recorded as they
    happened (not confirmed in bulk)."""
    steps = list(
        InstallationStep.objects.filter(
            installation__status=InstallationStatus.OPERATIONAL,
            installation__dates_estimated=False,
            completed_on__isnull=False,
            started_on__isnull=False,
        )
        .order_by("number", "-completed_on", "-pk")
        .values_list("id", "number", "started_on", "completed_on")
    )
    window = settings.forecast_window
    kept: dict[int, list[tuple[int, dt.date, dt.date]]] = defaultdict(list)
    for step_id, number, started, completed in steps:
        if len(kept[number]) < window:
            kept[number].append((step_id, started, completed))
    ids = [row[0] for rows in kept.values() for row in rows]
    pauses = defaultdict(list)
    for pause in StepPause.objects.filter(step_id__in=ids).only("step_id", "started_on", "ended_on"):
        pauses[pause.step_id].append(pause)
    samples: dict[int, list[int]] = {}
    for number, rows in kept.items():
        samples[number] = [
            max(0, (completed - started).days - clocks.paused_days(pauses[sid], completed, started))
            for sid, started, completed in rows
        ]
    return samples


def completed_installation_count() -> int:
    return Installation.objects.filter(status=InstallationStatus.OPERATIONAL, dates_estimated=False).count()


@dataclass
class Durations:
    expected: dict[int, int]
    pessimistic: dict[int, int]
    from_history: dict[int, bool]
    samples: dict[int, list[int]]


def durations(settings: InstallationSettings | None = None) -> Durations:
    settings = settings or InstallationSettings.current()
    planned = dict(StepTemplate.objects.values_list("number", "planned_days"))
    samples = step_samples(settings)
    # Steps of installations opened under an older plan keep their own numbers and plan.
    for number, days in (
        InstallationStep.objects.filter(installation__status=InstallationStatus.IN_PROGRESS)
        .exclude(number__in=list(planned))
        .values_list("number", "planned_days")
        .distinct()
    ):
        planned.setdefault(number, days)
    both = forecast.step_durations(planned=planned, samples=samples, min_history=settings.forecast_min_history)
    return Durations(
        expected={n: d[0] for n, d in both.items()},
        pessimistic={n: d[1] for n, d in both.items()},
        from_history={n: len(samples.get(n, [])) >= settings.forecast_min_history for n in both},
        samples=samples,
    )


def site_plan(installation: Installation, today: dt.date) -> forecast.SitePlan:
    """The forecast's view of an installation whose steps were prefetched."""
    steps = []
    installer_id = None
    for step in installation.steps.all():
        steps.append(
            forecast.StepPlan(
                number=step.number,
                planned_days=step.planned_days,
                kind=step.kind,
                depends_on=tuple(d.number for d in step.depends_on.all()),
                started_on=step.started_on,
                completed_on=step.completed_on,
                paused_days=clocks.paused_days(step.pauses.all(), step.completed_on or today, step.started_on),
            )
        )
        if step.kind == StepKind.INSTALL:
            installer_id = step.installer_id
    return forecast.SitePlan(
        installation.pk, installation.moa_signed_on, tuple(steps), installation.priority_rank, installer_id
    )


def installer_slots(today: dt.date, count: int | None = None) -> list[forecast.InstallerSlot]:
    """The active installers as queue slots; with ``count`` (the what-if), that many
    dedicated installers instead."""
    if count is not None:
        return [forecast.InstallerSlot(f"what-if-{i + 1}", today) for i in range(max(0, count))]
    periods = defaultdict(list)
    for period in InstallerUnavailability.objects.filter(ends_on__gte=today, installer__active=True):
        periods[period.installer_id].append((period.starts_on, period.ends_on))
    return [
        forecast.InstallerSlot(i.pk, today, float(i.days_per_week), periods[i.pk])
        for i in Installer.objects.filter(active=True).order_by("pk")
    ]


@dataclass
class PipelineForecast:
    expected: dict[int, forecast.SiteForecast]
    pessimistic: dict[int, forecast.SiteForecast]
    durations: Durations
    installer_count: int
    goal_days: int


def open_installations():
    return (
        Installation.objects.open()
        .select_related("agency", "agency__field_office")
        .prefetch_related(steps_prefetch(), "clock_pauses")
    )


def pipeline_forecast(
    *, today: dt.date | None = None, installers: int | None = None, installations: list[Installation] | None = None
) -> PipelineForecast:
    """The forecast of every open installation in the country (the installer queue is
    national, so a caller who sees only some sites still gets their true wait)."""
    today = today or dates.today()
    settings = InstallationSettings.current()
    if installations is None:
        installations = list(open_installations())
    sites = [site_plan(i, today) for i in installations]
    found = durations(settings)
    slots = installer_slots(today, installers)
    expected = forecast.forecast_pipeline(sites, found.expected, slots, today)
    pessimistic = forecast.forecast_pipeline(sites, found.pessimistic, installer_slots(today, installers), today)
    return PipelineForecast(expected, pessimistic, found, len(slots), settings.goal_days)


def current_step(installation: Installation):
    """The earliest step in progress (or, if none, the first step not complete)."""
    steps = list(installation.steps.all())
    running = [s for s in steps if s.started_on and not s.completed_on]
    if running:
        return running[0]
    return next((s for s in steps if not s.completed_on), None)


def step_is_paused(step: InstallationStep) -> bool:
    return any(p.ended_on is None for p in step.pauses.all())


def step_clock(step: InstallationStep, today: dt.date, settings: InstallationSettings) -> clocks.Clock:
    return clocks.step_clock(
        started_on=step.started_on,
        completed_on=step.completed_on,
        planned_days=step.planned_days,
        pauses=step.pauses.all(),
        today=today,
        at_risk_percent=settings.at_risk_percent,
    )


def installation_clock(installation: Installation, today: dt.date, settings: InstallationSettings) -> clocks.Clock:
    return clocks.installation_clock(
        moa_signed_on=installation.moa_signed_on,
        operational_on=installation.operational_on,
        today=today,
        goal_days=settings.goal_days,
        at_risk_percent=settings.at_risk_percent,
        pauses=installation.clock_pauses.all(),
    )


def worst_clock(states) -> str:
    from .choices import ClockState

    order = [ClockState.BREACHED, ClockState.AT_RISK, ClockState.ON_TRACK, ClockState.NOT_RUNNING]
    for state in order:
        if state in states:
            return state
    return ClockState.NOT_RUNNING


def goal_date(installation: Installation, goal_days: int, today: dt.date | None = None) -> dt.date:
    """The MOA signature plus the goal's days plus the days the installation's clock was
    paused (its agreement suspended) up to ``today``."""
    return installation.moa_signed_on + dt.timedelta(days=goal_days + installation.paused_days(today or dates.today()))
