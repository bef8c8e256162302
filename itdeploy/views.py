"""Pages of the IT installation pipeline: the board, an installation's timeline, the
chart of days to operational with step analytics, and HQ's bulk confirmation."""

from __future__ import annotations

import datetime as dt
import functools
import statistics
from collections import defaultdict
from typing import NamedTuple

from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views import View

from portal import access, dates, filter_panel, history
from portal.forms import submit
from portal.tables import Column, Table, export_links

from . import clocks, selectors, services
from . import forecast as fc
from .choices import ClockState, InstallationStatus
from .filtersets import InstallationFilterSet
from .forms import CONFIRM_FIELDS, STEP_FIELDS, ConfirmForm, PriorityForm, StepActionForm
from .models import (
    Installation,
    InstallationPause,
    InstallationSettings,
    InstallationStep,
    Installer,
    StepPause,
    StepTemplate,
)

MAX_WHAT_IF = 20


def _what_if(request) -> int | None:
    try:
        value = int(request.GET.get("installers", ""))
    except ValueError:
        return None
    return value if 0 <= value <= MAX_WHAT_IF else None


def _steps(installation):
    """The installation's steps as ``board_installations`` loaded them (any prefetch else)."""
    found = getattr(installation, "board_steps", None)
    return found if found is not None else list(installation.steps.all())


def _pauses(obj, attr: str, related: str):
    found = getattr(obj, attr, None)
    return found if found is not None else list(getattr(obj, related).all())


def board_rows(installations, visible_ids, pipeline, today, settings):
    """One row per visible open installation: where it stands and when it will be done.
    The clocks as ``selectors`` computes them (``current_step``, ``step_clock``,
    ``installation_clock``, ``goal_date``), from the lists ``board_installations`` loads."""
    rows = []
    for installation in installations:
        if installation.pk not in visible_ids:
            continue
        steps = _steps(installation)
        clock_pauses = _pauses(installation, "board_clock_pauses", "clock_pauses")
        running = [s for s in steps if s.started_on and not s.completed_on]
        step = running[0] if running else next((s for s in steps if not s.completed_on), None)
        expected = pipeline.expected[installation.pk]
        pessimistic = pipeline.pessimistic[installation.pk]
        goal_on = installation.moa_signed_on + dt.timedelta(
            days=settings.goal_days
            + clocks.paused_days(
                clock_pauses,
                installation.operational_on or installation.cancelled_on or today,
                installation.moa_signed_on,
            )
        )
        inst_clock = selectors.installation_clock(installation, today, settings, pauses=clock_pauses)
        step_pauses = {s.pk: _pauses(s, "board_pauses", "pauses") for s in running}
        step_clocks = [
            clocks.step_clock(
                started_on=s.started_on,
                completed_on=s.completed_on,
                planned_days=s.planned_days,
                pauses=step_pauses[s.pk],
                today=today,
                at_risk_percent=settings.at_risk_percent,
            ).state
            for s in running
        ]
        clock_state = selectors.worst_clock([inst_clock.state, *step_clocks])
        flags = []
        if expected.operational_on is None:
            flags.append("No installer available")
        elif expected.operational_on > goal_on:
            flags.append("Forecast misses the goal")
        if any(p.ended_on is None for s in running for p in step_pauses[s.pk]):
            flags.append("Paused")
        if expected.queue_wait_days:
            flags.append(f"Waits {expected.queue_wait_days} days for an installer")
        if installation.priority_rank:
            flags.append(f"HQ priority {installation.priority_rank}")
        rows.append(
            {
                "installation": installation,
                "agency": installation.agency,
                "step": step,
                "running": ", ".join(str(s.number) for s in running) or "—",
                "days_since_moa": installation.days_since_moa(today),
                "clock_state": clock_state,
                "clock_label": ClockState(clock_state).label,
                "installation_clock": inst_clock,
                "forecast_on": expected.operational_on,
                "pessimistic_on": pessimistic.operational_on,
                "goal_on": goal_on,
                "wait_days": expected.queue_wait_days,
                "flags": flags,
            }
        )
    return rows


def board_forecast(visible, today) -> selectors.PipelineForecast:
    """The stored forecast's dates of the ``visible`` open installations (a queryset),
    as much of each site's forecast as the board shows (no steps): its JSON keys read in
    SQL rather than every site's document parsed. The stored forecast is made current
    first (``selectors.stored_forecast``: computed afresh when of another day or its
    inputs moved)."""
    from django.db.models.fields.json import KT

    from .models import ForecastRun, SiteForecast

    settings = InstallationSettings.current()
    selectors.stored_forecast(today=today, installation_ids=[])
    run = ForecastRun.objects.order_by("-pk").first()
    keys = ("operational_on", "install_ready_on", "install_start_on")
    columns = {f"{side}_{key}": KT(f"{side}__{key}") for side in ("expected", "pessimistic") for key in keys}
    expected, pessimistic = {}, {}
    for row in SiteForecast.objects.filter(run=run, installation__in=visible.values("pk")).values(
        "installation_id", **columns
    ):
        pk = row["installation_id"]
        for side, found in (("expected", expected), ("pessimistic", pessimistic)):
            found[pk] = fc.SiteForecast(
                installation_id=pk,
                steps={},
                **{key: _day(row[f"{side}_{key}"]) for key in keys},
            )
    return selectors.PipelineForecast(expected, pessimistic, None, 0, settings.goal_days)


def _day(value):
    return dt.date.fromisoformat(value) if value else None


class BoardPause(NamedTuple):
    """A step's or an installation's pause as the board's clocks read it."""

    started_on: dt.date
    ended_on: dt.date | None


class BoardStep:
    """An installation's step as the board reads it: its number, name, dates, planned
    days and pauses (``board_pauses``), from plain rows rather than model instances."""

    __slots__ = ("pk", "number", "name", "started_on", "completed_on", "planned_days", "board_pauses")

    def __init__(self, pk, number, name, started_on, completed_on, planned_days):
        self.pk, self.number, self.name = pk, number, name
        self.started_on, self.completed_on, self.planned_days = started_on, completed_on, planned_days
        self.board_pauses = []

    def __str__(self) -> str:  # as ``InstallationStep.__str__``
        return f"{self.number}. {self.name}"


def board_installations(visible):
    """The visible open installations with what the board's rows read: the agency and
    its field office, the steps (``board_steps``, in number order) with their pauses, the
    clock's pauses (``board_clock_pauses``). Steps and pauses are read as plain rows
    (``values_list``), each narrowed by the same subquery as the sites: at national scale
    their model instances, the prefetches' id lists and querysets were most of the
    board's time. Not the steps' dependencies (the forecast's, stored)."""
    sites = Installation.objects.open().filter(pk__in=visible.values("pk"))
    installations = list(
        sites.select_related("agency", "agency__field_office").only(
            "id",
            "agency_id",
            "status",
            "moa_signed_on",
            "operational_on",
            "cancelled_on",
            "priority_rank",
            "agency__name",
            "agency__state",
            "agency__field_office_id",
            "agency__field_office__name",
        )
    )
    shown = sites.values("pk")
    steps_of, steps = defaultdict(list), {}
    for installation_id, pk, *fields in (
        InstallationStep.objects.filter(installation__in=shown)
        .order_by("installation_id", "number")
        .values_list("installation_id", "id", "number", "name", "started_on", "completed_on", "planned_days")
    ):
        steps[pk] = step = BoardStep(pk, *fields)
        steps_of[installation_id].append(step)
    for step_id, started_on, ended_on in (
        StepPause.objects.filter(step__installation__in=shown)
        .order_by("started_on", "pk")
        .values_list("step_id", "started_on", "ended_on")
    ):
        if (step := steps.get(step_id)) is not None:  # a step added since its site's steps were read
            step.board_pauses.append(BoardPause(started_on, ended_on))
    clock_pauses = defaultdict(list)
    for installation_id, started_on, ended_on in (
        InstallationPause.objects.filter(installation__in=shown)
        .order_by("started_on", "pk")
        .values_list("installation_id", "started_on", "ended_on")
    ):
        clock_pauses[installation_id].append(BoardPause(started_on, ended_on))
    for installation in installations:
        installation.board_steps = steps_of.get(installation.pk, [])
        installation.board_clock_pauses = clock_pauses.get(installation.pk, [])
    return installations


@functools.lru_cache(maxsize=8192)
def _shown_date(value, date_format: str) -> str:
    """A date as pages show it (the template's ``|date``), for the formats in force."""
    return formats.date_format(value, "DATE_FORMAT")


def board_cards(rows) -> str:
    """The board's cards of ``rows``, written in one pass: one template render per card
    (its clock tag included) was most of the board's time with 2,000 open sites. The
    markup is the template's (``itdeploy/pipeline.html`` before it wrote the cards here)."""
    from django.urls import reverse

    # The detail page's address with a placeholder pk, filled per card (no reverse() per row).
    detail = reverse("itdeploy:installation-detail", args=[987654321]).split("987654321")

    def date_or(value, default):
        return _shown_date(value, django_settings.DATE_FORMAT) if value else default

    parts = []
    for row in rows:
        installation, agency = row["installation"], row["agency"]
        state = escape(row["clock_state"])
        flags = (
            '<ul class="usa-list">' + "".join(f"<li>{escape(flag)}</li>" for flag in row["flags"]) + "</ul>"
            if row["flags"]
            else ""
        )
        parts.append(
            f'<li class="itd-card itd-{state}">\n'
            f'<h3><a href="{detail[0]}{installation.pk}{detail[1]}">{escape(agency.name)}</a></h3>\n'
            f"<p>{escape(agency.state)} · {escape(agency.field_office.name)}</p>\n"
            f'<p>Clock: <span class="itd-tag itd-{state}">{escape(row["clock_label"])}</span></p>\n'
            f"<p>{row['days_since_moa']} days since the MOA ({date_or(installation.moa_signed_on, '')}); "
            f"steps in progress: {escape(row['running'])}</p>\n"
            f"<p>Forecast: {date_or(row['forecast_on'], 'no installer')}; "
            f"pessimistic: {date_or(row['pessimistic_on'], 'no installer')}; goal {date_or(row['goal_on'], '')}</p>\n"
            f"{flags}</li>\n"
        )
    return mark_safe("".join(parts))  # every value above is escaped


EXPORT_COLUMNS = [
    Column("Agency", lambda r: r["agency"].name),
    Column("State", lambda r: r["agency"].state),
    Column("Field office", lambda r: r["agency"].field_office.name),
    Column("MOA signed", lambda r: r["installation"].moa_signed_on),
    Column("Days since MOA", lambda r: r["days_since_moa"], numeric=True),
    Column("Current step", lambda r: str(r["step"]) if r["step"] else ""),
    Column("Steps in progress", lambda r: r["running"]),
    Column("Clock", lambda r: r["clock_label"]),
    Column("HQ priority", lambda r: r["installation"].priority_rank),
    Column("Goal date", lambda r: r["goal_on"]),
    Column("Forecast operational", lambda r: r["forecast_on"]),
    Column("Pessimistic (90th percentile)", lambda r: r["pessimistic_on"]),
    Column("Installer wait (days)", lambda r: r["wait_days"], numeric=True),
    Column("Flags", lambda r: "; ".join(r["flags"])),
]


class PipelineView(LoginRequiredMixin, View):
    """The pipeline board: a column per current step, a card per open installation
    coloured (and labelled) by its clock, with its forecast; the installer what-if."""

    template_name = "itdeploy/pipeline.html"

    def get(self, request):
        today = dates.today()
        settings = InstallationSettings.current()
        base = Installation.objects.visible_to(request.user).filter(status=InstallationStatus.IN_PROGRESS)
        filterset = InstallationFilterSet(request.GET or None, queryset=base, request=request)
        for name in ("status", "agency"):
            filterset.form.fields.pop(name, None)
        filter_panel.prepare(filterset, request)
        valid = filterset.is_bound and filterset.is_valid()
        filter_panel.describe(filterset.form)
        visible = filterset.qs if valid else (base.none() if filterset.is_bound else base)
        # Scoped before any work: the visible sites only, their forecast read from the stored one.
        installations = board_installations(visible)
        pipeline = board_forecast(visible, today)
        rows = board_rows(installations, {i.pk for i in installations}, pipeline, today, settings)
        table = Table(
            EXPORT_COLUMNS, rows, target=Installation, name="installation-pipeline", title="Installation pipeline"
        )
        if (export := table.export(request)) is not None:
            return export

        columns = {t.number: {"number": t.number, "name": t.name, "rows": []} for t in StepTemplate.objects.all()}
        for row in rows:
            number = row["step"].number if row["step"] else 0
            columns.setdefault(number, {"number": number, "name": row["step"].name if row["step"] else "—", "rows": []})
            columns[number]["rows"].append(row)
        for column in columns.values():
            column["cards"] = board_cards(column["rows"])

        what_if_n = _what_if(request)
        what_if = None
        if what_if_n is not None:
            # The what-if changes the national installer queue: computed afresh over every open site.
            alt = selectors.pipeline_forecast(today=today, installers=what_if_n)
            what_if = _compare(rows, pipeline, alt, settings)
        params = request.GET.copy()
        params.pop("export", None)
        unconfirmed = (
            Installation.objects.visible_to(request.user).filter(status=InstallationStatus.UNCONFIRMED).count()
        )
        return render(
            request,
            self.template_name,
            {
                "title": "IT installation pipeline",
                "filter_form": filterset.form,
                "filter_tags": filter_panel.active_filters(filterset.form, request),
                "columns": [c for _, c in sorted(columns.items())],
                "rows": rows,
                "today": today,
                "settings": settings,
                "pipeline": pipeline,
                "installers": list(Installer.objects.filter(active=True)),
                "what_if": what_if,
                "what_if_n": what_if_n,
                "querystring": params.urlencode(),
                "export_links": export_links(request),
                "unconfirmed": unconfirmed,
                "may_confirm": access.may(request.user, "confirm", Installation),
                "max_what_if": MAX_WHAT_IF,
                "misses": sum(1 for r in rows if r["forecast_on"] is None or r["forecast_on"] > r["goal_on"]),
            },
        )


def _compare(rows, current, alt, settings):
    """The change the what-if's installers make to the visible sites' forecasts."""
    changes = []
    for row in rows:
        pk = row["installation"].pk
        now_on, alt_on = current.expected[pk].operational_on, alt.expected[pk].operational_on
        changes.append(
            {
                "row": row,
                "now": now_on,
                "alt": alt_on,
                "gain": (now_on - alt_on).days if now_on and alt_on else None,
                "alt_misses": alt_on is None or alt_on > row["goal_on"],
            }
        )
    return {
        "installers": alt.installer_count,
        "changes": [c for c in changes if c["now"] != c["alt"]],
        "misses_now": sum(1 for r in rows if r["forecast_on"] is None or r["forecast_on"] > r["goal_on"]),
        "misses_alt": sum(1 for c in changes if c["alt_misses"]),
        "wait_now": sum(current.expected[r["installation"].pk].queue_wait_days for r in rows),
        "wait_alt": sum(alt.expected[r["installation"].pk].queue_wait_days for r in rows),
    }


class InstallationDetailView(LoginRequiredMixin, View):
    """An installation's steps as a timeline (planned, actual, paused, forecast), its
    pauses and its history. Each step row carries a small form per action valid for it
    now and allowed to the reader (start, complete, pause, resume: the state rules of
    ``services.step_action_refusal``, the roles of the access policy), with the fields
    that action needs; a refused one comes back in its row, its reason once on its field."""

    template_name = "itdeploy/installation_detail.html"

    def _installation(self, request, pk):
        return access.get_or_404(
            Installation.objects.select_related("agency", "agency__field_office", "opened_from").prefetch_related(
                selectors.steps_prefetch(), "clock_pauses"
            ),
            request.user,
            pk=pk,
        )

    def get(self, request, pk):
        return self._render(request, self._installation(request, pk))

    @staticmethod
    def _step_forms(installation, step, allowed, today, posted):
        """The forms of ``step``'s row: one per action open now among those the reader
        may do (``allowed``), and the refused form ``posted`` if it is this step's (even
        when the action is no longer open, so its reason stays in sight)."""
        forms = []
        for action in services.STEP_ACTIONS:
            if posted is not None and posted.step.pk == step.pk and posted.action == action:
                forms.append(posted)
            elif action in allowed and services.step_action_refusal(step, action, installation=installation) is None:
                forms.append(StepActionForm(step=step, action=action, today=today))
        return [f.styled() for f in forms]

    def _render(self, request, installation, *, step_form=None, priority_form=None, status=200):
        today = dates.today()
        settings = InstallationSettings.current()
        pipeline = (
            selectors.stored_forecast(today=today, installation_ids=[installation.pk])
            if installation.status == InstallationStatus.IN_PROGRESS
            else None
        )
        expected = pipeline.expected.get(installation.pk) if pipeline else None
        pessimistic = pipeline.pessimistic.get(installation.pk) if pipeline else None
        allowed = (
            {a for a in services.STEP_ACTIONS if access.may(request.user, f"step_{a}", installation)}
            if installation.status == InstallationStatus.IN_PROGRESS
            else set()
        )
        steps = []
        for step in installation.steps.all():
            clock = selectors.step_clock(step, today, settings)
            steps.append(
                {
                    "step": step,
                    "clock": clock,
                    "deps": sorted(d.number for d in step.depends_on.all()),
                    "paused": selectors.step_is_paused(step),
                    "pauses": list(step.pauses.all()),
                    "forecast": expected.steps.get(step.number) if expected else None,
                    "pessimistic": pessimistic.steps.get(step.number) if pessimistic else None,
                    "forms": self._step_forms(installation, step, allowed, today, step_form),
                }
            )
        step_ids = [s["step"].pk for s in steps]
        entries = history.merged(
            history.entries(installation.history.all(), what="Installation"),
            history.entries(InstallationStep.history.filter(installation_id=installation.pk), what="Step"),
            history.entries(StepPause.history.filter(step_id__in=step_ids), what="Pause"),
        )
        return render(
            request,
            self.template_name,
            {
                "installation": installation,
                "agency": installation.agency,
                "steps": steps,
                "today": today,
                "clock": selectors.installation_clock(installation, today, settings),
                "settings": settings,
                "expected": expected,
                "pessimistic": pessimistic,
                "goal_on": selectors.goal_date(installation, settings.goal_days, today),
                "history": entries[:200],
                "may_act": any(s["forms"] for s in steps),
                "may_prioritise": access.may(request.user, "priority", installation),
                "priority_form": (
                    priority_form or PriorityForm(initial={"priority_rank": installation.priority_rank})
                ).styled(),
            },
            status=status,
        )

    def post(self, request, pk):
        installation = self._installation(request, pk)
        action = request.POST.get("action")
        if action == "priority":
            access.check(request.user, "priority", installation)
            form = PriorityForm(request.POST)
            done = submit(
                form,
                lambda data: services.installation_set_priority(
                    installation=installation, acting_user=request.user, priority_rank=data["priority_rank"]
                ),
            )
            if done:
                messages.success(request, "Priority saved.")
                return redirect(installation.get_absolute_url())
            return self._render(request, installation, priority_form=form, status=done.status)
        step = next((s for s in installation.steps.all() if str(s.pk) == request.POST.get("step")), None)
        if action not in services.STEP_ACTIONS or step is None:
            messages.error(request, "Choose an action on one of the installation's steps.")
            return self._render(request, installation, status=400)
        access.check(request.user, f"step_{action}", installation)
        form = StepActionForm(request.POST, step=step, action=action, today=dates.today())
        done = submit(form, lambda data: form.perform(data, request.user), field_names=STEP_FIELDS)
        if done:
            messages.success(request, f"Step {step.number}, {step.name}: {STEP_DONE[action]}.")
            return redirect(installation.get_absolute_url())
        return self._render(request, self._installation(request, pk), step_form=form, status=done.status)


#: What the success message says an action did to its step.
STEP_DONE = {"start": "started", "complete": "completed", "pause": "paused", "resume": "resumed"}


def chart_data(installations, goal_days: int):
    """Days from MOA signature to operational, per completed site (oldest first), the
    days its agreement was suspended left out, and the days over the goal (193 -> 13)."""
    rows = []
    for i in installations:
        days = i.counted_days(i.operational_on)
        rows.append(
            {
                "label": i.agency.name,
                "state": i.agency.state,
                "moa": i.moa_signed_on,
                "operational": i.operational_on,
                "days": days,
                "over": max(0, days - goal_days),
                "fy": dates.fiscal_label(i.operational_on),
            }
        )
    return rows


def step_analytics(visible_completed_ids):
    """Per step: median and 90th percentile of actual working days, days over plan; per
    fiscal quarter of completion: which step cost most days over plan."""
    steps = (
        InstallationStep.objects.filter(
            installation_id__in=visible_completed_ids, started_on__isnull=False, completed_on__isnull=False
        )
        .select_related("installation")
        .prefetch_related("pauses")
    )
    per_step = defaultdict(list)
    over_by_quarter = defaultdict(lambda: defaultdict(int))
    names = {}
    for step in steps:
        from .clocks import paused_days

        days = max(0, (step.completed_on - step.started_on).days - paused_days(step.pauses.all(), step.completed_on))
        per_step[step.number].append((days, step.planned_days))
        names[step.number] = step.name
        over_by_quarter[dates.fiscal_label(step.installation.operational_on)][step.number] += max(
            0, days - step.planned_days
        )
    table = []
    for number in sorted(per_step):
        values = [d for d, _ in per_step[number]]
        planned = per_step[number][0][1]
        table.append(
            {
                "number": number,
                "name": names[number],
                "count": len(values),
                "planned": planned,
                "median": statistics.median(values),
                "p90": fc.percentile(values, 90),
                "over": sum(max(0, d - p) for d, p in per_step[number]),
            }
        )
    worst = max(table, key=lambda r: r["over"], default=None)
    quarters = []
    for label in sorted(over_by_quarter):
        by_step = over_by_quarter[label]
        number, over = max(by_step.items(), key=lambda kv: (kv[1], -kv[0]))
        quarters.append(
            {
                "label": label,
                "step": number,
                "name": names.get(number, ""),
                "over": over,
                "total": sum(by_step.values()),
            }
        )
    return table, (worst if worst and worst["over"] else None), quarters


#: The days-per-site table of the chart page, and its exports.
CHART_COLUMNS = [
    Column("Agency", "label"),
    Column("State", "state"),
    Column("MOA signed", "moa"),
    Column("Operational", "operational"),
    Column("Fiscal quarter", "fy"),
    Column("Days", "days", numeric=True),
    Column("Against the goal", lambda d: f"Over by {d['over']} days" if d["over"] else "Within"),
]


class ChartView(LoginRequiredMixin, View):
    """Days from MOA signature to operational, per site, against the goal (the OIG
    report's figure 1), with a data table and the step analytics."""

    template_name = "itdeploy/chart.html"

    def get(self, request):
        settings = InstallationSettings.current()
        completed = list(
            Installation.objects.visible_to(request.user)
            .filter(status=InstallationStatus.OPERATIONAL, dates_estimated=False)
            .select_related("agency")
            .prefetch_related("clock_pauses")
            .order_by("operational_on", "pk")
        )
        data = chart_data(completed, settings.goal_days)
        over = [d for d in data if d["days"] > settings.goal_days]
        table, worst, quarters = step_analytics([i.pk for i in completed])
        days_table = Table(
            CHART_COLUMNS, data, target=Installation, name="days-to-operational", title="Days to operational"
        )
        if (export := days_table.export(request)) is not None:
            return export
        return render(
            request,
            self.template_name,
            {
                "title": "Days from MOA signature to operational",
                "data": data,
                "settings": settings,
                "over_count": len(over),
                "worst_days": max((d["days"] for d in data), default=None),
                "median_days": statistics.median([d["days"] for d in data]) if data else None,
                "chart": {
                    "labels": [f"{d['label']} ({d['state']})" for d in data],
                    "days": [d["days"] for d in data],
                    "goal": settings.goal_days,
                },
                "steps": table,
                "worst_step": worst,
                "quarters": quarters,
                **days_table.page(request),
            },
        )


class ConfirmView(LoginRequiredMixin, View):
    """HQ confirms in bulk where "status unknown" installations stand: operational since
    a date, or in progress at a step since a date."""

    template_name = "itdeploy/confirm.html"

    def _rows(self, request):
        return (
            Installation.objects.visible_to(request.user)
            .filter(status=InstallationStatus.UNCONFIRMED)
            .select_related("agency", "agency__field_office")
            .order_by("moa_signed_on", "pk")
        )

    def get(self, request, form=None, status=200):
        return render(
            request,
            self.template_name,
            {
                "title": "Confirm installations whose status is unknown",
                "rows": self._rows(request)[:500],
                "count": self._rows(request).count(),
                "steps": StepTemplate.objects.all(),
                "may_confirm": access.may(request.user, "confirm", Installation),
                "form": form,
            },
            status=status,
        )

    def post(self, request):
        access.require(request.user, "confirm", Installation)
        form = ConfirmForm(request.POST, installations=self._rows(request))

        def confirm(data):
            chosen = list(data["installation"])
            if data["how"] == "operational":
                return services.installations_confirm(
                    installations=chosen, acting_user=request.user, operational_since=data["on"]
                )
            return services.installations_confirm(
                installations=chosen, acting_user=request.user, at_step=data["at_step"], step_started_on=data["on"]
            )

        done = submit(form, confirm, field_names=CONFIRM_FIELDS)
        if not done:
            return self.get(request, form=form, status=done.status)
        count = len(done.result)
        messages.success(request, f"{count} installation{'s' if count != 1 else ''} confirmed.")
        return redirect("itdeploy:confirm")
