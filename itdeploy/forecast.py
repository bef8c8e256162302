"""The pipeline's forecast, as pure functions (no database): when each open installation
will be operational, and how long it will wait for an installer.

- Each remaining step takes the median actual duration of that step over recently
  completed installations (the plan's duration while fewer than a minimum number of
  completions exist); the pessimistic forecast takes the 90th percentile instead.
- A step starts once every step it depends on is complete (steps without dependencies
  start at the MOA signature); a step in progress ends at its start plus its paused days
  plus its duration, or today if that is past.
- The equipment installation step takes an installer for its duration. Sites whose
  installation step is ready queue for the next free installer in priority order (HQ's
  rank first, then the MOA signature date); an installer never idles while a ready site
  waits. A part-time installer takes proportionally longer; a period of unavailability
  delays a job by its overlap.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from .choices import StepKind

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class StepPlan:
    number: int
    planned_days: int
    depends_on: tuple[int, ...] = ()
    kind: str = StepKind.OTHER
    started_on: dt.date | None = None
    completed_on: dt.date | None = None
    paused_days: int = 0  # paused days up to today (or to its completion)


@dataclass(frozen=True)
class SitePlan:
    installation_id: int
    moa_signed_on: dt.date
    steps: tuple[StepPlan, ...]
    priority_rank: int | None = None
    installer_id: int | None = None  # the installer booked on a started installation step

    @property
    def queue_key(self) -> tuple:
        # HQ's rank first (unranked after ranked), then the oldest MOA, then the oldest record.
        return (self.priority_rank is None, self.priority_rank or 0, self.moa_signed_on, self.installation_id)


@dataclass
class InstallerSlot:
    installer_id: int | None
    free_on: dt.date
    days_per_week: float = 5.0
    unavailable: list[tuple[dt.date, dt.date]] = field(default_factory=list)

    def book(self, ready: dt.date, work_days: int) -> tuple[dt.date, dt.date]:
        """Start and end of a job of ``work_days`` days of a dedicated installer, ready
        on ``ready``, taking this installer's part time and absences into account."""
        start = max(ready, self.free_on)
        for a, b in sorted(self.unavailable):
            if a <= start <= b:
                start = b + DAY
        calendar_days = math.ceil(work_days * 5 / float(self.days_per_week)) if self.days_per_week else work_days
        end = start + dt.timedelta(days=calendar_days)
        for a, b in sorted(self.unavailable):
            if a > start and a < end:
                end += (b - a) + DAY
        self.free_on = end
        return start, end


@dataclass(frozen=True)
class StepForecast:
    number: int
    start_on: dt.date
    end_on: dt.date
    projected: bool  # False once the step is complete


@dataclass(frozen=True)
class SiteForecast:
    installation_id: int
    operational_on: dt.date | None
    steps: dict[int, StepForecast]
    install_ready_on: dt.date | None = None
    install_start_on: dt.date | None = None
    installer_id: int | None = None

    @property
    def queue_wait_days(self) -> int:
        if self.install_ready_on is None or self.install_start_on is None:
            return 0
        return max(0, (self.install_start_on - self.install_ready_on).days)


def percentile(values: Iterable[int], q: float) -> int:
    """The nearest-rank percentile: the smallest value with at least ``q`` percent of the
    values at or below it (the 90th percentile of 10 values is the 9th smallest)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("No values")
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median_days(values: Iterable[int]) -> int:
    return math.ceil(statistics.median(list(values)))


def step_durations(
    *, planned: dict[int, int], samples: dict[int, list[int]], min_history: int
) -> dict[int, tuple[int, int]]:
    """Step number -> (median, 90th percentile) days: from the actual durations where at
    least ``min_history`` exist, else the planned duration for both."""
    durations = {}
    for number, plan_days in planned.items():
        values = samples.get(number) or []
        if len(values) >= min_history:
            durations[number] = (median_days(values), percentile(values, 90))
        else:
            durations[number] = (plan_days, plan_days)
    return durations


def _order(steps: tuple[StepPlan, ...]) -> list[StepPlan]:
    """Steps in dependency order (a step after the steps it depends on)."""
    by_number = {s.number: s for s in steps}
    done: dict[int, StepPlan] = {}
    visiting: set[int] = set()

    def visit(step: StepPlan):
        if step.number in done:
            return
        if step.number in visiting:
            raise ValueError(f"The plan's dependencies loop through step {step.number}.")
        visiting.add(step.number)
        for dep in step.depends_on:
            if dep in by_number:
                visit(by_number[dep])
        visiting.discard(step.number)
        done[step.number] = step

    for step in sorted(steps, key=lambda s: s.number):
        visit(step)
    return list(done.values())


def project_site(
    site: SitePlan, durations: dict[int, int], today: dt.date
) -> tuple[dict[int, StepForecast], StepPlan | None]:
    """Every step's projected start and end, except the end of a queued installation
    step; returns the step forecasts and that queued step (or None)."""
    result: dict[int, StepForecast] = {}
    queued = None
    for step in _order(site.steps):
        days = durations.get(step.number, step.planned_days)
        if step.completed_on is not None:
            result[step.number] = StepForecast(
                step.number, step.started_on or step.completed_on, step.completed_on, False
            )
            continue
        if step.started_on is not None:
            end = max(today, step.started_on + dt.timedelta(days=step.paused_days + days))
            result[step.number] = StepForecast(step.number, step.started_on, end, True)
            continue
        deps = [result[d].end_on for d in step.depends_on if d in result]
        start = max([today, site.moa_signed_on, *deps])
        if step.kind == StepKind.INSTALL:
            queued = step
            result[step.number] = StepForecast(step.number, start, start, True)  # end set by the queue
            continue
        result[step.number] = StepForecast(step.number, start, start + dt.timedelta(days=days), True)
    return result, queued


def forecast_pipeline(
    sites: Iterable[SitePlan], durations: dict[int, int], installers: list[InstallerSlot], today: dt.date
) -> dict[int, SiteForecast]:
    """The forecast of every open site, with the installer queue. ``durations`` maps a
    step number to the days it is expected to take; ``installers`` are the available
    installers (their ``free_on`` is when they can take a new site)."""
    sites = list(sites)
    slots = [
        InstallerSlot(s.installer_id, max(s.free_on, today), s.days_per_week, list(s.unavailable)) for s in installers
    ]
    projected: dict[int, dict[int, StepForecast]] = {}
    queue: list[tuple[SitePlan, StepPlan]] = []
    installs_in_progress: list[tuple[SitePlan, StepPlan]] = []
    for site in sites:
        steps, queued = project_site(site, durations, today)
        projected[site.installation_id] = steps
        if queued is not None:
            queue.append((site, queued))
        for step in site.steps:
            if step.kind == StepKind.INSTALL and step.started_on and not step.completed_on:
                installs_in_progress.append((site, step))

    # Installations under way hold their installer until their projected end.
    for site, step in installs_in_progress:
        end = projected[site.installation_id][step.number].end_on
        slot = next((s for s in slots if s.installer_id is not None and s.installer_id == site.installer_id), None)
        if slot is None and slots:
            slot = min(slots, key=lambda s: (s.free_on, str(s.installer_id)))
        if slot is not None:
            slot.free_on = max(slot.free_on, end)

    scheduled: dict[int, tuple[dt.date, dt.date, dt.date, int | None]] = {}
    pending = sorted(queue, key=lambda pair: pair[0].queue_key)
    while pending and slots:
        slot = min(slots, key=lambda s: (s.free_on, str(s.installer_id)))
        ready_now = [
            pair for pair in pending if projected[pair[0].installation_id][pair[1].number].start_on <= slot.free_on
        ]
        if ready_now:
            chosen = ready_now[0]
        else:
            chosen = min(
                pending,
                key=lambda pair: (projected[pair[0].installation_id][pair[1].number].start_on, pair[0].queue_key),
            )
        pending.remove(chosen)
        site, step = chosen
        ready = projected[site.installation_id][step.number].start_on
        start, end = slot.book(ready, durations.get(step.number, step.planned_days))
        scheduled[site.installation_id] = (ready, start, end, slot.installer_id)
        projected[site.installation_id][step.number] = StepForecast(step.number, start, end, True)

    forecasts = {}
    for site in sites:
        steps = projected[site.installation_id]
        install = next((s for s in site.steps if s.kind == StepKind.INSTALL), None)
        ready = start = installer = None
        if site.installation_id in scheduled:
            ready, start, _end, installer = scheduled[site.installation_id]
            operational = steps[install.number].end_on
        elif install is not None and any(p[0].installation_id == site.installation_id for p in pending):
            operational = None  # no installer available at all
        else:
            operational = max((f.end_on for f in steps.values()), default=None)
        forecasts[site.installation_id] = SiteForecast(
            site.installation_id, operational, steps, ready, start, installer
        )
    return forecasts
