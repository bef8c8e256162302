"""Reads of the IT installation pipeline: the forecast of every open site, step
durations learnt from completed installations, the board and the analytics."""

from __future__ import annotations

import datetime as dt
import functools
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Aggregate, CharField, OuterRef, Prefetch, Subquery

from portal import dates

from . import clocks, forecast
from .choices import InstallationStatus, StepKind
from .models import (
    Installation,
    InstallationPause,
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


class PauseRow(NamedTuple):
    """A step's or an installation's pause as a plain row (what ``clocks`` reads of a pause)."""

    id: int
    reason: str
    note: str
    started_on: dt.date
    ended_on: dt.date | None


#: The columns of a step that the installations API shows.
STEP_ROW_FIELDS = (
    "id",
    "installation_id",
    "number",
    "name",
    "owner",
    "kind",
    "planned_days",
    "started_on",
    "completed_on",
    "installer_id",
    "responsible_id",
    "note",
)


@dataclass
class InstallationRows:
    """The steps and clock pauses of some installations as plain rows: installation id ->
    its steps in number order, each a dict of ``STEP_ROW_FIELDS`` plus ``pauses`` (its
    ``PauseRow`` s by start) and ``depends_on`` (the sorted numbers of the steps it
    starts after); installation id -> its clock pauses by start."""

    steps: dict[int, list[dict]]
    clock_pauses: dict[int, list[PauseRow]]


class _IdList(Aggregate):
    """The ids of a group as text, comma-separated (SQLite's ``GROUP_CONCAT``,
    PostgreSQL's ``STRING_AGG``)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s)"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, function="STRING_AGG", template="%(function)s((%(expressions)s)::text, ',')"
        )


def _depends_on_ids():
    """The ids of the steps a step starts after, as ``"12,13"`` (None: none), read per
    step through the dependency table's index: a join of the table made PostgreSQL scan
    all of it (30,000 rows nationally) for a page's 300 steps."""
    through = InstallationStep.depends_on.through
    return Subquery(
        through.objects.filter(from_installationstep_id=OuterRef("pk"))
        .values("from_installationstep_id")
        .annotate(ids=_IdList("to_installationstep_id"))
        .values("ids")
    )


def installation_rows(installation_ids, *, paused_ids=None) -> InstallationRows:
    """The steps, their pauses and dependencies and the clock pauses of the given
    installations, as rows (no model instances), in two statements whatever their number:
    what a page of the installations API shows of them. The steps come with their
    pauses joined (a step has a few, so a few rows a step) and the ids of the steps
    they depend on as one text column (``_depends_on_ids``).
    ``paused_ids``: the installations that have clock pauses, when the caller knows
    (none: no second statement)."""
    ids = list(installation_ids)
    paused_ids = ids if paused_ids is None else list(paused_ids)
    steps: dict[int, list[dict]] = defaultdict(list)
    by_id: dict[int, dict] = {}
    pauses: dict[int, dict[int, PauseRow]] = defaultdict(dict)
    depends: dict[int, set[int]] = defaultdict(set)
    pause_fields = ("pauses__id", "pauses__reason", "pauses__note", "pauses__started_on", "pauses__ended_on")
    for *values, depends_on, pause_id, reason, note, started_on, ended_on in (
        InstallationStep.objects.filter(installation_id__in=ids)
        .annotate(depends_on_ids=_depends_on_ids())
        .order_by("installation_id", "number")
        .values_list(*STEP_ROW_FIELDS, "depends_on_ids", *pause_fields)
    ):
        step_id = values[0]
        if step_id not in by_id:
            row = by_id[step_id] = dict(zip(STEP_ROW_FIELDS, values, strict=True))
            steps[row["installation_id"]].append(row)
            if depends_on:
                depends[step_id].update(int(d) for d in depends_on.split(","))
        if pause_id is not None:
            pauses[step_id][pause_id] = PauseRow(pause_id, reason, note, started_on, ended_on)
    # A step depends on steps of its own installation (copied from the plan): their numbers are at hand.
    numbers = {step_id: row["number"] for step_id, row in by_id.items()}
    others = {d for found in depends.values() for d in found if d not in numbers}
    if others:
        numbers.update(InstallationStep.objects.filter(pk__in=others).values_list("pk", "number"))
    for step_id, row in by_id.items():
        row["depends_on"] = sorted(numbers[d] for d in depends.get(step_id, ()))
        row["pauses"] = sorted(pauses.get(step_id, {}).values(), key=lambda p: (p.started_on, p.id))
    clock_pauses: dict[int, list[PauseRow]] = defaultdict(list)
    if paused_ids:
        for installation_id, *values in (
            InstallationPause.objects.filter(installation_id__in=paused_ids)
            .order_by("started_on", "pk")
            .values_list("installation_id", "id", "reason", "note", "started_on", "ended_on")
        ):
            clock_pauses[installation_id].append(PauseRow(*values))
    return InstallationRows(steps, clock_pauses)


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


def installation_clock(
    installation: Installation, today: dt.date, settings: InstallationSettings, pauses=None
) -> clocks.Clock:
    """The installation's 180-day clock; ``pauses`` its clock pauses where the caller has
    read them already (a list page's rows), else its own."""
    return clocks.installation_clock(
        moa_signed_on=installation.moa_signed_on,
        operational_on=installation.operational_on,
        today=today,
        goal_days=settings.goal_days,
        at_risk_percent=settings.at_risk_percent,
        pauses=installation.clock_pauses.all() if pauses is None else pauses,
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


# --- the home page ---------------------------------------------------------------------

#: The step owners that are OCIO's to carry out (domain.md's table).
OCIO_OWNERS = frozenset({"hq_ocio", "ocio_installer"})


@dataclass
class OpenStep:
    """A step of an open installation that someone can act on today: in progress (or
    paused), or ready to start (its earlier steps complete)."""

    installation: Installation
    step: InstallationStep
    state: str  # "in_progress", "paused" or "ready"
    clock: clocks.Clock

    @property
    def state_label(self) -> str:
        return {"in_progress": "In progress", "paused": "Paused", "ready": "Ready to start"}[self.state]


def visible_open_installations(user):
    """The open installations ``user`` may see, with their steps, pauses and agencies
    prefetched (a constant number of queries, whatever their number)."""
    return list(
        Installation.objects.visible_to(user)
        .open()
        .select_related("agency")
        .prefetch_related(steps_prefetch(), "clock_pauses")
        .order_by("moa_signed_on", "pk")
    )


def open_steps(installations, today: dt.date, settings: InstallationSettings, owners=None) -> list[OpenStep]:
    """The steps of prefetched open installations that can be acted on today (in
    progress, paused or ready to start), those of ``owners`` only when given; the ones
    in progress first, by due date, then the ones ready by MOA signature."""
    from .services import step_action_refusal

    found = []
    for installation in installations:
        for step in installation.steps.all():
            if step.completed_on or step.cancelled_on or (owners and step.owner not in owners):
                continue
            if step.started_on:
                state = "paused" if step_is_paused(step) else "in_progress"
            elif step_action_refusal(step, "start", installation=installation) is None:
                state = "ready"
            else:
                continue
            found.append(OpenStep(installation, step, state, step_clock(step, today, settings)))
    return sorted(
        found,
        key=lambda s: (s.state == "ready", s.clock.due_on or dt.date.max, s.installation.moa_signed_on, s.step.number),
    )


def installation_deadlines(installations, today: dt.date, settings: InstallationSettings) -> dict[int, list]:
    """Agency id -> its open installation's deadlines, ``(date, what)``: the goal date
    and the due date of each step in progress."""
    found: dict[int, list] = defaultdict(list)
    for installation in installations:
        found[installation.agency_id].append(
            (goal_date(installation, settings.goal_days, today), f"Site operational ({settings.goal_days}-day goal)")
        )
        for step in installation.steps.all():
            if step.started_on and not step.completed_on and not step.cancelled_on:
                due = step_clock(step, today, settings).due_on
                found[installation.agency_id].append((due, f"Step {step.number} due"))
    return found


def installation_figures(user, installations, today: dt.date, settings: InstallationSettings) -> dict:
    """Figures about the installations ``user`` may see: open, past the goal, at risk,
    to confirm, made operational this fiscal year and the days they took."""
    from django.db.models import Count

    states = [installation_clock(i, today, settings).state for i in installations]
    fy = dates.fiscal_year(today)
    done = list(
        Installation.objects.visible_to(user)
        .filter(status=InstallationStatus.OPERATIONAL, operational_on__gte=dates.fiscal_year_start(fy))
        .prefetch_related("clock_pauses")
    )
    days = sorted(i.counted_days(today) for i in done)
    by_status = dict(
        Installation.objects.visible_to(user).values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {
        "open": len(installations),
        "breached": states.count("breached"),
        "at_risk": states.count("at_risk"),
        "unconfirmed": by_status.get(InstallationStatus.UNCONFIRMED, 0),
        "operational_fy": len(done),
        "within_goal_fy": sum(1 for d in days if d <= settings.goal_days),
        "median_days_fy": round(statistics.median(days)) if days else None,
        "fiscal_year": fy,
        "goal_days": settings.goal_days,
    }


# --- the stored forecast ----------------------------------------------------------------------

#: The tables the forecast reads: a new historical row in any of them makes the stored forecast stale.
FORECAST_INPUTS = (
    Installation,
    InstallationStep,
    StepPause,
    Installer,
    InstallerUnavailability,
    InstallationSettings,
    StepTemplate,
)


@functools.cache
def _history_tables() -> tuple[str, ...]:
    # Looked up once: ``Model.history`` builds a manager class on every access (~0.5 ms each).
    return tuple(m.history.model._meta.db_table for m in FORECAST_INPUTS)


def _input_parts() -> list[str]:
    from django.db import connection

    qn = connection.ops.quote_name
    return [f"(SELECT MAX(history_id) FROM {qn(table)})" for table in _history_tables()]


def forecast_inputs() -> str:
    """The newest historical row of each input table, in one query (each an index's end)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(_input_parts())}")
        return ":".join(str(v or 0) for v in cursor.fetchone())


def _inputs_and_latest_run() -> tuple[str, int | None, dt.date | None, str | None]:
    """``forecast_inputs()`` and the latest stored run's id, day and inputs, in one query."""
    from django.db import connection

    from .models import ForecastRun

    qn = connection.ops.quote_name
    table = qn(ForecastRun._meta.db_table)
    latest = [
        f"(SELECT {qn(c)} FROM {table} ORDER BY {qn('id')} DESC LIMIT 1)" for c in ("id", "computed_on", "inputs")
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(_input_parts() + latest)}")
        *found, run_id, computed_on, run_inputs = cursor.fetchone()
    if isinstance(computed_on, str):  # SQLite answers a date as text
        computed_on = dt.date.fromisoformat(computed_on)
    return ":".join(str(v or 0) for v in found), run_id, computed_on, run_inputs


def _site_json(site: forecast.SiteForecast) -> dict:
    return {
        "operational_on": site.operational_on.isoformat() if site.operational_on else None,
        "install_ready_on": site.install_ready_on.isoformat() if site.install_ready_on else None,
        "install_start_on": site.install_start_on.isoformat() if site.install_start_on else None,
        "installer_id": site.installer_id,
        "steps": {str(n): [s.start_on.isoformat(), s.end_on.isoformat(), s.projected] for n, s in site.steps.items()},
    }


def _day(value):
    return dt.date.fromisoformat(value) if value else None


def _site_of(installation_id: int, data: dict) -> forecast.SiteForecast:
    return forecast.SiteForecast(
        installation_id=installation_id,
        operational_on=_day(data["operational_on"]),
        steps={
            int(n): forecast.StepForecast(int(n), _day(start), _day(end), projected)
            for n, (start, end, projected) in data["steps"].items()
        },
        install_ready_on=_day(data["install_ready_on"]),
        install_start_on=_day(data["install_start_on"]),
        installer_id=data["installer_id"],
    )


def forecast_store(today: dt.date | None = None, *, inputs: str | None = None):
    """Compute the national forecast once and store it (the sweep and the first read after
    a change call this); older runs are deleted. Runs one at a time (a row lock on the
    settings), so two readers finding it stale compute it once."""
    import time

    from django.db import transaction

    from .models import ForecastRun, SiteForecast

    today = today or dates.today()
    with transaction.atomic():
        InstallationSettings.current()
        InstallationSettings.objects.select_for_update().order_by("pk").first()
        inputs = forecast_inputs() if inputs is None else inputs
        latest = ForecastRun.objects.order_by("-pk").first()
        if latest is not None and latest.computed_on == today and latest.inputs == inputs:
            return latest  # another process stored it while this one waited
        start = time.perf_counter()
        pipeline = pipeline_forecast(today=today)
        run = ForecastRun.objects.create(computed_on=today, inputs=inputs)
        SiteForecast.objects.bulk_create(
            [
                SiteForecast(
                    run=run,
                    installation_id=pk,
                    expected=_site_json(site),
                    pessimistic=_site_json(pipeline.pessimistic[pk]),
                )
                for pk, site in pipeline.expected.items()
            ],
            batch_size=1000,
        )
        ForecastRun.objects.filter(pk__lt=run.pk).delete()
        run.seconds = round(time.perf_counter() - start, 3)
        ForecastRun.objects.filter(pk=run.pk).update(seconds=run.seconds)
    return run


def current_forecast_run_id(today: dt.date) -> int:
    """The id of the stored forecast of ``today``, computed afresh first only when the
    stored one is of another day or its inputs changed since (one statement otherwise)."""
    inputs, run_id, computed_on, run_inputs = _inputs_and_latest_run()
    if run_id is None or computed_on != today or run_inputs != inputs:
        run_id = forecast_store(today, inputs=inputs).pk
    return run_id


def stored_operational_dates(*, today: dt.date | None = None, installation_ids=None) -> dict[int, dt.date | None]:
    """Installation id -> its expected operational date in the stored forecast (None when
    no installer is available to finish it), reading only that date of each site (not its
    steps): what the sweep's forecast rule needs, for every open installation at once."""
    from django.db.models.fields.json import KeyTextTransform

    from .models import SiteForecast

    rows = SiteForecast.objects.filter(run_id=current_forecast_run_id(today or dates.today()))
    if installation_ids is not None:
        rows = rows.filter(installation_id__in=installation_ids)
    return {
        pk: _day(day)
        for pk, day in rows.annotate(operational_on=KeyTextTransform("operational_on", "expected")).values_list(
            "installation_id", "operational_on"
        )
    }


def stored_forecast(
    *, today: dt.date | None = None, installation_ids=None, settings: InstallationSettings | None = None
) -> PipelineForecast:
    """The stored forecast of the given open installations (all with ``None``), computed
    afresh first only when the stored one is of another day or its inputs changed since.
    Reads one row per installation asked for: a page reads its own sites, not the country.
    A caller that has read the settings passes them."""
    from .models import SiteForecast

    rows = SiteForecast.objects.filter(run_id=current_forecast_run_id(today or dates.today()))
    if installation_ids is not None:
        rows = rows.filter(installation_id__in=list(installation_ids))
    expected, pessimistic = {}, {}
    for pk, exp, pes in rows.values_list("installation_id", "expected", "pessimistic"):
        expected[pk], pessimistic[pk] = _site_of(pk, exp), _site_of(pk, pes)
    settings = settings or InstallationSettings.current()
    return PipelineForecast(expected, pessimistic, None, 0, settings.goal_days)


def page_forecast(installation_ids, *, today: dt.date, settings: InstallationSettings) -> PipelineForecast:
    """``stored_forecast`` of some open installations (a page of the installations API)
    in one statement when the stored forecast is current: its freshness check and the
    sites' rows read together (the rows of the latest run, left-joined to the check).
    When it is stale it is computed afresh and the rows read again, as ``stored_forecast``."""
    from django.db import connection

    from .models import ForecastRun, SiteForecast

    ids = [int(pk) for pk in installation_ids]
    if not ids:
        return stored_forecast(today=today, installation_ids=ids, settings=settings)
    qn = connection.ops.quote_name
    runs, sites = qn(ForecastRun._meta.db_table), qn(SiteForecast._meta.db_table)
    parts = _input_parts()
    check = [f"{part} AS {qn(f'input_{n}')}" for n, part in enumerate(parts)] + [
        f"(SELECT {qn(c)} FROM {runs} ORDER BY {qn('id')} DESC LIMIT 1) AS {qn('run_' + c)}"
        for c in ("id", "computed_on", "inputs")
    ]
    sql = (
        f"SELECT c.*, s.{qn('installation_id')}, s.{qn('expected')}, s.{qn('pessimistic')}"
        f" FROM (SELECT {', '.join(check)}) c"
        f" LEFT JOIN {sites} s ON s.{qn('run_id')} = c.{qn('run_id')}"
        f" AND s.{qn('installation_id')} IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    *found, run_id, computed_on, run_inputs = rows[0][: len(parts) + 3]
    if isinstance(computed_on, str):  # SQLite answers a date as text
        computed_on = dt.date.fromisoformat(computed_on)
    inputs = ":".join(str(v or 0) for v in found)
    if run_id is None or computed_on != today or run_inputs != inputs:
        forecast_store(today, inputs=inputs)
        return stored_forecast(today=today, installation_ids=ids, settings=settings)
    field = SiteForecast._meta.get_field("expected")

    def decoded(value):
        return field.from_db_value(value, None, connection) if isinstance(value, str) else value

    expected, pessimistic = {}, {}
    for pk, exp, pes in (row[len(parts) + 3 :] for row in rows):
        if pk is not None:
            expected[pk], pessimistic[pk] = _site_of(pk, decoded(exp)), _site_of(pk, decoded(pes))
    return PipelineForecast(expected, pessimistic, None, 0, settings.goal_days)
