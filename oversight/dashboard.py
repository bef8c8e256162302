"""The national dashboard's figures, for one person's scope and the page's filters.

Filters: field office, 287(g) model and fiscal year. The fiscal year narrows the flows
(agreements signed in it, by month; sites that became operational in it, with their
median days from MOA signature and the share within the goal); the stocks are today's
(agreements in force, sites waiting, officers, managers, open findings, the map).
Every figure is aggregated in the database: the number of queries does not depend on
the number of agencies, officers or findings.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse

from portal import dates

from . import stored

#: How many of the latest sweep runs the findings trend shows.
TREND_RUNS = 10


@dataclass
class DashboardFilters:
    field_office: object | None = None  # a FieldOffice
    program_model: str = ""
    fiscal_year: int | None = None

    def query(self, **extra) -> str:
        """The list pages' query string for these filters (those a list understands) and ``extra``."""
        params = []
        if self.field_office is not None and extra.pop("_office", True):
            params.append(("field_office", self.field_office.pk))
        if self.program_model and extra.pop("_model", True):
            params.append(("program_model", self.program_model))
        for key, value in extra.items():
            if key.startswith("_"):
                continue
            for v in value if isinstance(value, (list, tuple)) else [value]:
                params.append((key, v))
        return ("?" + urlencode(params)) if params else ""


def _with_model(queryset, filters: DashboardFilters, agency_path: str):
    """Rows whose agency holds an agreement under the filter's 287(g) model."""
    if not filters.program_model:
        return queryset
    from agreements.models import Agreement

    return queryset.filter(
        Exists(Agreement.objects.filter(agency=OuterRef(agency_path), program_model=filters.program_model))
    )


def _office(queryset, filters: DashboardFilters, path: str):
    return queryset.filter(**{path: filters.field_office}) if filters.field_office is not None else queryset


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def agreement_figures(user, filters: DashboardFilters, fy: int) -> dict:
    from agreements.choices import IN_FORCE_STATUSES, ProgramModel
    from agreements.geo import STATES
    from agreements.models import Agreement

    agreements = _office(Agreement.objects.visible_to(user), filters, "agency__field_office")
    if filters.program_model:
        agreements = agreements.filter(program_model=filters.program_model)
    url = reverse("agreements:agreement-list")

    by_month: dict[dt.date, int] = {}
    for row in (
        agreements.filter(signed_on__isnull=False)
        .annotate(month=TruncMonth("signed_on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    ):
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        by_month[month] = row["n"]
    by_fy: dict[int, int] = defaultdict(int)
    for month, n in by_month.items():
        by_fy[dates.fiscal_year(month)] += n
    start = dates.fiscal_year_start(fy)
    months = []
    for i in range(12):
        first = dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        months.append(
            {"month": first.isoformat()[:7], "label": first.strftime("%b %Y"), "signed": by_month.get(first, 0)}
        )

    in_force = dict(
        agreements.filter(status__in=IN_FORCE_STATUSES)
        .values_list("program_model")
        .annotate(n=Count("id"))
        .values_list("program_model", "n")
    )
    status_params = {"status": list(IN_FORCE_STATUSES)}
    by_model = [
        {
            "program_model": code,
            "label": label,
            "in_force": in_force.get(code, 0),
            "url": url + filters.query(_model=False, program_model=code, **status_params),
        }
        for code, label in ProgramModel.choices
        if not filters.program_model or code == filters.program_model
    ]
    per_state = dict(
        agreements.filter(status__in=IN_FORCE_STATUSES)
        .values_list("agency__state")
        .annotate(n=Count("id"))
        .values_list("agency__state", "n")
    )
    states = [
        {
            "state": code,
            "name": name,
            "in_force": per_state.get(code, 0),
            "url": url + filters.query(state=code, **status_params),
        }
        for code, name in sorted(STATES.items(), key=lambda item: item[1])
    ]
    return {
        "fiscal_year": fy,
        "signed_in_fiscal_year": by_fy.get(fy, 0),
        "signed_in_fiscal_year_url": url + filters.query(signed_fiscal_year=fy),
        "signed_by_month": months,
        "signed_by_fiscal_year": [
            {"fiscal_year": y, "signed": by_fy[y], "url": url + filters.query(signed_fiscal_year=y)}
            for y in sorted(by_fy)
        ],
        "in_force": sum(in_force.values()),
        "in_force_url": url + filters.query(**status_params),
        "in_force_by_model": by_model,
        "by_state": states,
        "max_state": max(per_state.values(), default=0),
    }


def site_figures(user, filters: DashboardFilters, fy: int) -> dict:
    from itdeploy.choices import InstallationStatus
    from itdeploy.models import Installation, InstallationSettings

    goal = InstallationSettings.current().goal_days
    sites = _with_model(
        _office(Installation.objects.visible_to(user), filters, "agency__field_office"), filters, "agency"
    )
    fy_range = (dates.fiscal_year_start(fy), dates.fiscal_year_end(fy))
    counts = sites.aggregate(
        operational=Count("id", filter=Q(status=InstallationStatus.OPERATIONAL)),
        operational_in_fy=Count("id", filter=Q(status=InstallationStatus.OPERATIONAL, operational_on__range=fy_range)),
        waiting=Count("id", filter=Q(status=InstallationStatus.IN_PROGRESS)),
    )
    days = [
        (done - signed).days
        for signed, done in sites.filter(
            status=InstallationStatus.OPERATIONAL,
            dates_estimated=False,
            operational_on__range=fy_range,
        ).values_list("moa_signed_on", "operational_on")
    ]
    within = sum(1 for d in days if d <= goal)
    pipeline = reverse("itdeploy:pipeline")
    return {
        "goal_days": goal,
        "operational": counts["operational"],
        "operational_in_fiscal_year": counts["operational_in_fy"],
        "operational_url": reverse("itdeploy:chart"),
        "waiting": counts["waiting"],
        "waiting_url": pipeline + filters.query(_model=False),
        "measured": len(days),
        "median_days_to_operational": statistics.median(days) if days else None,
        "within_goal": within,
        "share_within_goal": _share(within, len(days)),
    }


def officer_figures(user, filters: DashboardFilters, today: dt.date, runs: dict | None = None) -> dict:
    """The officers' figures, summed over the stored standing of the agencies in scope
    (``oversight.stored``: the national counts are computed once per change and day)."""
    from django.db.models import Sum

    from training.choices import OfficerStatus

    from .stored import standing_rows

    rows = standing_rows(user, today, (runs or {}).get("standing"))
    rows = _with_model(_office(rows, filters, "agency__field_office"), filters, "agency")
    counts = {
        k: v or 0
        for k, v in rows.aggregate(
            certified=Sum("certified"), able=Sum("able"), recertified=Sum("recertified"), lapsed=Sum("lapsed")
        ).items()
    }
    url = reverse("training:officer-list")
    return {
        "certified": counts["certified"],
        "certified_url": url + filters.query(_model=False, status=OfficerStatus.CERTIFIED),
        "able_to_act": counts["able"],
        "able_to_act_url": url + filters.query(_model=False, can_act="true"),
        "recertified": counts["recertified"],
        "share_recertified": _share(counts["recertified"], counts["certified"]),
        "recertified_url": url + filters.query(_model=False, recertified="true"),
        "cards_lapsed": counts["lapsed"],
        "cards_lapsed_url": url + filters.query(_model=False, card_state="lapsed"),
    }


def manager_figures(user, filters: DashboardFilters, today: dt.date, runs: dict | None = None) -> dict:
    """Program managers required by the staffing model and assigned, from the stored
    figures of each field office and the nation (``oversight.stored``), narrowed as
    ``staffing.figures.visible_figures`` narrows the computed ones."""
    from portal import access
    from portal.roles import HQ_ROLES, field_office_id_of, role_of

    from .stored import staffing_rows

    granted = access.scopes(user, "view", "staffing.figures")
    rows = staffing_rows(today, (runs or {}).get("staffing"))
    if access.ALL in granted:
        # The nation's row, or the chosen office's.
        rows = rows.filter(field_office_id=filters.field_office.pk if filters.field_office is not None else None)
    else:
        # An office's staff see their office's row (the office chosen, if it is theirs).
        office = field_office_id_of(user) if access.OFFICE in granted else None
        if office is None or (filters.field_office is not None and filters.field_office.pk != office):
            rows = rows.none()
        else:
            rows = rows.filter(field_office_id=office)
    figures = list(rows.values_list("required", "assigned"))
    required = sum(r for r, _ in figures)
    assigned = sum(a for _, a in figures)
    is_hq = role_of(user) in HQ_ROLES
    return {
        "required": round(required, 2),
        "assigned": round(assigned, 2),
        "gap": round(required - assigned, 2),
        "url": (
            reverse("staffing:office-staffing")
            if is_hq and filters.field_office is None
            else reverse("staffing:manager-load") + filters.query(_model=False)
        ),
    }


def open_at_end_of(run):
    """A count of the findings open at the end of sweep ``run``: seen by then and not yet
    resolved or waived."""
    return Count(
        "id",
        filter=Q(first_seen_at__lte=run.finished_at)
        & (Q(resolved_at__isnull=True) | Q(resolved_at__gt=run.finished_at))
        & (Q(waived_at__isnull=True) | Q(waived_at__gt=run.finished_at)),
    )


def reads_stored_findings(user, filters: DashboardFilters) -> bool:
    """Whether the findings' figures come from the stored counts: for a reader who sees
    every finding, without a 287(g) model chosen (the counts are stored per office)."""
    from portal import access
    from portal.compliance.models import Finding

    return access.ALL in access.scopes(user, "view", Finding) and not filters.program_model


def _finding_counts(user, filters: DashboardFilters, runs, stored_runs: dict | None = None) -> tuple[list, dict]:
    """(rule, severity, open) of the open findings ``user`` sees under ``filters``, and
    sweep run id -> findings open at its end. A reader who sees every finding, without a
    287(g) model chosen, reads the stored counts per field office (``oversight.stored``);
    any other reader's scope is counted live."""
    from portal.compliance.models import Finding

    if reads_stored_findings(user, filters):
        from django.db.models import Sum

        from .models import FindingCount, FindingTrend

        found = (stored_runs or {}).get(stored.FINDINGS) or stored.current_run(stored.FINDINGS)
        counts = FindingCount.objects.filter(run=found)
        trend = FindingTrend.objects.filter(run=found, sweep_run_id__in=[r.pk for r in runs])
        if filters.field_office is not None:
            counts = counts.filter(field_office=filters.field_office)
            trend = trend.filter(field_office=filters.field_office)
        table = list(counts.values_list("rule", "severity").annotate(n=Sum("open")).order_by())
        at_end = dict(trend.values_list("sweep_run_id").annotate(n=Sum("open")).values_list("sweep_run_id", "n"))
        return table, at_end
    visible = _with_model(_office(Finding.objects.visible_to(user), filters, "field_office"), filters, "agency")
    table = list(visible.open().values_list("rule", "severity").annotate(n=Count("id")).order_by())
    # One conditional count per run, in one query.
    at_end = visible.aggregate(**{f"run_{run.pk}": open_at_end_of(run) for run in runs}) if runs else {}
    return table, {run.pk: at_end[f"run_{run.pk}"] for run in runs}


def finding_figures(user, filters: DashboardFilters, runs: dict | None = None) -> dict:
    from portal.compliance.models import SEVERITY_RANK, Severity, SweepRun
    from portal.compliance.registry import registry

    url = reverse("findings")
    sweep_runs = list(SweepRun.objects.filter(finished_at__isnull=False).order_by("-started_at")[:TREND_RUNS])[::-1]
    counted, at_end = _finding_counts(user, filters, sweep_runs, runs)
    table: dict[str, dict] = {}
    for rule, severity, n in counted:
        row = table.setdefault(
            rule, {"rule": rule, "title": getattr(registry.get(rule), "title", rule), "open": 0, "by_severity": {}}
        )
        row["open"] += n
        row["by_severity"][severity] = n
    severities = [code for code, _ in sorted(Severity.choices, key=lambda c: SEVERITY_RANK[c[0]])]
    rows = sorted(table.values(), key=lambda r: (-r["open"], r["rule"]))
    for row in rows:
        row["url"] = url + filters.query(_model=False, rule=row["rule"], is_open="true")
        row["cells"] = [
            {
                "severity": s,
                "n": row["by_severity"].get(s, 0),
                "url": url + filters.query(_model=False, rule=row["rule"], severity=s, is_open="true"),
            }
            for s in severities
        ]
    totals = {s: sum(r["by_severity"].get(s, 0) for r in rows) for s in severities}
    trend = [{"run": run.pk, "as_of": run.as_of.isoformat(), "open": at_end.get(run.pk) or 0} for run in sweep_runs]
    return {
        "open": sum(totals.values()),
        "open_url": url + filters.query(_model=False, is_open="true"),
        "severities": [
            {
                "code": s,
                "label": Severity(s).label,
                "open": totals[s],
                "url": url + filters.query(_model=False, severity=s, is_open="true"),
            }
            for s in severities
        ],
        "by_rule": rows,
        "trend": trend,
    }


def dashboard(user, filters: DashboardFilters | None = None, today: dt.date | None = None) -> dict:
    """Every figure of the dashboard for ``user`` under ``filters``."""
    filters = filters or DashboardFilters()
    today = today or dates.today()
    fy = filters.fiscal_year or dates.fiscal_year(today)
    # The stored national figures the page reads, made current in two statements.
    kinds = [stored.STANDING, stored.STAFFING] + ([stored.FINDINGS] if reads_stored_findings(user, filters) else [])
    runs = stored.current_runs(kinds, today)
    return {
        "as_of": today.isoformat(),
        "filters": {
            "field_office": filters.field_office.pk if filters.field_office is not None else None,
            "program_model": filters.program_model or None,
            "fiscal_year": fy,
        },
        "agreements": agreement_figures(user, filters, fy),
        "sites": site_figures(user, filters, fy),
        "officers": officer_figures(user, filters, today, runs),
        "managers": manager_figures(user, filters, today, runs),
        "findings": finding_figures(user, filters, runs),
    }
