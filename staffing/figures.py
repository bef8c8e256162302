"""Staffing figures: program manager load against ICE's staffing model, and the staffing
plan for the next fiscal years (OIG recommendation 1).

ICE's 2011 model: one program manager (PM) per 12 certified officers (DIOs) and per 2,000
cases a fiscal year, where a case is an encounter processed into charging documents the
PM reviews and signs, so cases = charging documents prepared. For a set of agencies (one
PM's, one field office's, the nation's):

- required PMs = max(certified officers / officers_per_pm, annual cases / cases_per_pm_per_fy);
- annual cases of an agency = cases per *fiscal year*: the current fiscal year annualised
  from its full months reported so far (sum × 12 / months reported; the month in progress
  is not counted), or, before any month of it is reported, the last full fiscal year
  (sum × 12 / months reported); an agency with no report counts 0. Both figures are kept
  (``cases_current_fy``, ``cases_last_fy``) and shown;
- assigned PMs = the sum of each PM's 287(g) share of time, 1 − (other duties' share);
  absences reduce nothing (leave is part of a position);
- load = required / assigned (100% = exactly at the model), gap = required − assigned.

A PM carries the agencies where they are the primary program manager on the day; the
backup carries nothing. A field office's figures cover all its agencies and its PMs (by
their staff profile's office); the nation's all of them. Everything is computed from a
handful of set-based queries, whatever the number of agencies.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from portal import access, dates, hooks
from portal.roles import field_office_id_of

from .models import OtherDuty, StaffingModel, WorkloadReport

EARTH_RADIUS_MILES = 3958.8


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def haversine_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


def tour_miles(points: list[tuple[float, float]]) -> float:
    """Miles of a round trip through ``points`` by nearest neighbour: start at the first
    point, go to the nearest not yet visited, and return to the start at the end. Not the
    shortest tour, but a stable, explainable estimate of a PM's circuit."""
    if len(points) < 2:
        return 0.0
    remaining = list(points[1:])
    current = points[0]
    total = 0.0
    while remaining:
        nearest = min(remaining, key=lambda p: haversine_miles(current, p))
        total += haversine_miles(current, nearest)
        remaining.remove(nearest)
        current = nearest
    return total + haversine_miles(current, points[0])


def required_pms(officers: float, annual_cases: float, model) -> float:
    return max(officers / model.officers_per_pm, annual_cases / model.cases_per_pm_per_fy)


@dataclass
class Load:
    """A PM's, a field office's or the nation's workload against the staffing model."""

    level: str  # "manager", "office" or "nation"
    key: int | None
    name: str
    field_office_id: int | None = None
    field_office_name: str = ""
    agencies: int = 0
    officers: int = 0
    annual_cases: float = 0.0
    cases_current_fy: float = 0.0
    cases_last_fy: float = 0.0
    area_sq_mi: int = 0
    states: list[str] = field(default_factory=list)
    travel_miles: float | None = None
    required: float = 0.0
    assigned: float = 0.0
    other_duty_percent: int = 0
    bound_by: str = ""
    geography_flags: list[str] = field(default_factory=list)

    @property
    def load(self) -> float | None:
        """required / assigned; None when nobody is assigned but work is required."""
        if self.assigned > 0:
            return self.required / self.assigned
        return None if self.required > 0 else 0.0

    @property
    def load_percent(self) -> int | None:
        return None if self.load is None else round(self.load * 100)

    @property
    def gap(self) -> float:
        return self.required - self.assigned

    @property
    def sort_key(self) -> float:
        return math.inf if self.load is None else self.load

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "id": self.key,
            "name": self.name,
            "field_office": self.field_office_id,
            "field_office_name": self.field_office_name,
            "agencies": self.agencies,
            "officers": self.officers,
            "annual_cases": round(self.annual_cases),
            "cases_current_fy_annualised": round(self.cases_current_fy),
            "cases_last_fy": round(self.cases_last_fy),
            "area_sq_mi": self.area_sq_mi,
            "states": self.states,
            "travel_miles": None if self.travel_miles is None else round(self.travel_miles),
            "required_pms": round(self.required, 2),
            "assigned_pms": round(self.assigned, 2),
            "load_percent": self.load_percent,
            "gap": round(self.gap, 2),
            "bound_by": self.bound_by,
            "other_duty_percent": self.other_duty_percent,
            "geography_flags": self.geography_flags,
        }


def _finish(load: Load, model) -> Load:
    load.required = required_pms(load.officers, load.annual_cases, model)
    by_officers = load.officers / model.officers_per_pm
    by_cases = load.annual_cases / model.cases_per_pm_per_fy
    load.bound_by = "" if load.required == 0 else ("officers" if by_officers >= by_cases else "cases")
    return load


@dataclass(frozen=True)
class FiscalCases:
    """An agency's cases (charging documents prepared) per fiscal year on a day: the
    current fiscal year annualised from its full months reported so far, and the last
    full fiscal year (extrapolated to 12 months when some months were not reported)."""

    current_fy_annualised: float | None
    current_fy_months: int
    last_fy: float | None
    last_fy_months: int

    @property
    def annual(self) -> float:
        """The cases a fiscal year the model is applied to: the current fiscal year's
        annualised figure once a month of it is reported, else the last full year's."""
        if self.current_fy_annualised is not None:
            return self.current_fy_annualised
        return self.last_fy or 0.0


def _fy_sums(first: dt.date, last_exclusive: dt.date, agency_ids=None) -> dict[int, tuple[int, int]]:
    reports = WorkloadReport.objects.filter(month__gte=first, month__lt=last_exclusive)
    if agency_ids is not None:
        reports = reports.filter(agency_id__in=agency_ids)
    return {
        row["agency_id"]: (row["total"], row["months"])
        for row in reports.values("agency_id")
        .annotate(total=Sum("charging_documents_prepared"), months=Count("id"))
        .order_by()
    }


def fiscal_cases_by_agency(day: dt.date, agency_ids=None) -> dict[int, FiscalCases]:
    """Cases per fiscal year of each agency that reported any, on ``day`` (two queries).

    The current fiscal year counts its full months before ``day``'s month (the month in
    progress is not complete): sum × 12 / months reported. The last fiscal year: its
    reported months, sum × 12 / months reported (exactly its total when all 12 are)."""
    fy = dates.fiscal_year(day)
    current = _fy_sums(dates.fiscal_year_start(fy), month_start(day), agency_ids)
    previous = _fy_sums(dates.fiscal_year_start(fy - 1), dates.fiscal_year_start(fy), agency_ids)
    result = {}
    for agency_id in set(current) | set(previous):
        cur_total, cur_months = current.get(agency_id, (0, 0))
        last_total, last_months = previous.get(agency_id, (0, 0))
        result[agency_id] = FiscalCases(
            current_fy_annualised=cur_total * 12 / cur_months if cur_months else None,
            current_fy_months=cur_months,
            last_fy=last_total * 12 / last_months if last_months else None,
            last_fy_months=last_months,
        )
    return result


def annual_cases_by_agency(day: dt.date, agency_ids=None) -> dict[int, float]:
    """Cases a fiscal year per agency, as the staffing model counts them (``FiscalCases.annual``)."""
    return {k: v.annual for k, v in fiscal_cases_by_agency(day, agency_ids).items()}


def officers_by_agency(day: dt.date) -> dict[int, int]:
    """Certified officers per agency, from the training records (the training app's provider)."""
    raw = hooks.call("certified_officers_by_agency", on=day, default={}) or {}
    return {int(k): int(v) for k, v in raw.items()}


def other_duty_shares(day: dt.date) -> dict[int, int]:
    """Manager id -> percent of time on other duties on ``day`` (overlapping duties add up, capped at 100)."""
    rows = OtherDuty.objects.active_on(day).values("manager_id").annotate(total=Sum("share_percent"))
    return {r["manager_id"]: min(100, r["total"] or 0) for r in rows}


@dataclass
class Figures:
    day: dt.date
    model: StaffingModel
    managers: list[Load]
    offices: list[Load]
    nation: Load


def compute(day: dt.date | None = None, model: StaffingModel | None = None, *, geography: bool = True) -> Figures:
    """The staffing figures of every PM, every field office and the nation on ``day``.
    ``geography=False`` leaves out each PM's tour (``travel_miles``) and the model's
    geography flags, which only the staffing pages show (the sweep's load rule reads
    neither, and the tour is most of the computation)."""
    from agreements.models import Agency, FieldOffice

    from .selectors import field_managers, primary_manager_ids

    day = day or dates.today()
    model = model or StaffingModel.current()
    officers = officers_by_agency(day)
    fiscal_cases = fiscal_cases_by_agency(day)
    cases = {k: v.annual for k, v in fiscal_cases.items()}
    primaries = primary_manager_ids(day)
    signed = set(Agency.objects.active_on(day).values_list("id", flat=True))
    agency_ids = signed | set(primaries) | {k for k, v in officers.items() if v} | {k for k, v in cases.items() if v}
    # Every agency read and those of ``agency_ids`` kept: nearly all of them, where an
    # ``IN`` of thousands of ids costs more to build and plan than the rows it leaves out.
    located = ("latitude", "longitude") if geography else ()
    agencies = {
        a["id"]: a
        for a in Agency.objects.values("id", "state", "area_sq_mi", "field_office_id", *located)
        if a["id"] in agency_ids
    }
    offices = {o.pk: o for o in FieldOffice.objects.all()}
    shares = other_duty_shares(day)

    managers: dict[int, Load] = {}
    for user in field_managers():
        office_id = user.staff_profile.field_office_id
        share = shares.get(user.pk, 0)
        managers[user.pk] = Load(
            level="manager",
            key=user.pk,
            name=user.get_full_name() or user.username,
            field_office_id=office_id,
            field_office_name=offices[office_id].name if office_id in offices else "",
            assigned=(100 - share) / 100,
            other_duty_percent=share,
        )
    office_loads: dict[int, Load] = {}

    def office_load(office_id):
        if office_id not in office_loads:
            office = offices.get(office_id)
            office_loads[office_id] = Load(
                level="office",
                key=office_id,
                name=office.name if office else "",
                field_office_id=office_id,
                field_office_name=office.name if office else "",
            )
        return office_loads[office_id]

    nation = Load(level="nation", key=None, name="Nation")
    points: dict[int, list] = defaultdict(list)
    states_of: dict[int, set] = defaultdict(set)
    office_states: dict[int, set] = defaultdict(set)
    for agency_id in sorted(agencies):
        a = agencies[agency_id]
        n_officers, n_cases, area = officers.get(agency_id, 0), cases.get(agency_id, 0.0), a["area_sq_mi"] or 0
        targets = [office_load(a["field_office_id"]), nation]
        manager = managers.get(primaries.get(agency_id))
        if manager is not None:
            targets.append(manager)
            states_of[manager.key].add(a["state"])
            if geography and a["latitude"] is not None and a["longitude"] is not None:
                points[manager.key].append((float(a["latitude"]), float(a["longitude"])))
        office_states[a["field_office_id"]].add(a["state"])
        for target in targets:
            target.agencies += 1
            target.officers += n_officers
            target.annual_cases += n_cases
            if agency_id in fiscal_cases:
                target.cases_current_fy += fiscal_cases[agency_id].current_fy_annualised or 0.0
                target.cases_last_fy += fiscal_cases[agency_id].last_fy or 0.0
            target.area_sq_mi += area
    for manager in managers.values():
        office_load(manager.field_office_id).assigned += manager.assigned
        nation.assigned += manager.assigned
        manager.states = sorted(states_of.get(manager.key, ()))
        if geography:
            manager.travel_miles = tour_miles(points[manager.key]) if points.get(manager.key) else None
        _finish(manager, model)
        if geography:
            manager.geography_flags = geography_flags(manager, model)
    for office_id, load in office_loads.items():
        load.states = sorted(office_states.get(office_id, ()))
        _finish(load, model)
    nation.states = sorted(set().union(*office_states.values()) if office_states else ())
    _finish(nation, model)
    return Figures(
        day=day,
        model=model,
        managers=sorted(managers.values(), key=lambda m: (-m.sort_key, m.name)),
        offices=sorted(office_loads.values(), key=lambda o: o.name),
        nation=nation,
    )


def geography_flags(load: Load, model) -> list[str]:
    """The optional geography limits of the model that a PM's agencies exceed."""
    flags = []
    if model.max_agencies_per_pm and load.agencies > model.max_agencies_per_pm:
        flags.append(f"{load.agencies} agencies (limit {model.max_agencies_per_pm})")
    if model.max_states_per_pm and len(load.states) > model.max_states_per_pm:
        flags.append(f"{len(load.states)} states (limit {model.max_states_per_pm})")
    if model.max_area_sq_mi_per_pm and load.area_sq_mi > model.max_area_sq_mi_per_pm:
        flags.append(f"{load.area_sq_mi:,} sq mi (limit {model.max_area_sq_mi_per_pm:,})")
    if model.max_travel_miles_per_pm and (load.travel_miles or 0) > model.max_travel_miles_per_pm:
        flags.append(f"{round(load.travel_miles):,} miles of travel (limit {model.max_travel_miles_per_pm:,})")
    return flags


def visible_figures(user, figures: Figures) -> dict:
    """What of the figures a person may see, by the access policy's entry
    ``staffing.figures``: everything (and the nation) for ``all``, an office and its
    managers for ``field office``, the person's own load for ``own rows``."""
    granted = access.scopes(user, "view", "staffing.figures")
    if access.ALL in granted:
        return {"managers": figures.managers, "offices": figures.offices, "nation": figures.nation}
    office = field_office_id_of(user) if access.OFFICE in granted else None
    own = user.pk if access.OWN in granted else None
    return {
        "managers": [
            m
            for m in figures.managers
            if (office is not None and m.field_office_id == office) or (own is not None and m.key == own)
        ],
        "offices": [o for o in figures.offices if office is not None and o.key == office],
        "nation": None,
    }


# --- the staffing plan -----------------------------------------------------------------


def linear_fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Least-squares line y = a + b·x; flat at the mean with fewer than two points."""
    if not points:
        return 0.0, 0.0
    if len(points) == 1:
        return points[0][1], 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx == 0:
        return mean_y, 0.0
    b = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    return mean_y - b * mean_x, b


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


TREND_MONTHS = 24


@dataclass
class PlanRow:
    """One field office's (or the nation's) need for program managers in a fiscal year."""

    fiscal_year: int
    key: int | None
    name: str
    current_officers: int
    signed_agreements: int
    pending_agreements: int
    extra_agreements: int
    trend_cases: float
    projected_officers: float
    projected_cases: float
    required: float
    assigned: float
    bound_by: str
    positions_requested: int
    cost: Decimal
    monthly: list[tuple[dt.date, int]] = field(default_factory=list)

    @property
    def gap(self) -> float:
        return self.required - self.assigned

    def as_dict(self) -> dict:
        return {
            "fiscal_year": self.fiscal_year,
            "field_office": self.key,
            "name": self.name,
            "current_officers": self.current_officers,
            "signed_agreements": self.signed_agreements,
            "pending_agreements": self.pending_agreements,
            "extra_agreements": self.extra_agreements,
            "trend_cases": round(self.trend_cases),
            "projected_officers": round(self.projected_officers, 1),
            "projected_cases": round(self.projected_cases),
            "required_pms": round(self.required, 1),
            "assigned_pms": round(self.assigned, 1),
            "gap": round(self.gap, 1),
            "bound_by": self.bound_by,
            "positions_requested": self.positions_requested,
            "cost": int(self.cost),
        }


@dataclass
class Plan:
    day: dt.date
    fiscal_years: list[int]
    officers_per_pm: int
    cases_per_pm_per_fy: int
    cost_per_position: Decimal
    extra_agreements: int
    avg_officers_per_agreement: float
    avg_cases_per_agreement: float
    rows: list[PlanRow]  # offices, then the nation's row, per fiscal year

    def office_rows(self, fy):
        return [r for r in self.rows if r.fiscal_year == fy and r.key is not None]

    def nation_row(self, fy):
        return next(r for r in self.rows if r.fiscal_year == fy and r.key is None)


def staffing_plan(
    *,
    day: dt.date | None = None,
    office_ids=None,
    years: int = 1,
    extra_agreements: int = 0,
    officers_per_pm: int | None = None,
    cases_per_pm_per_fy: int | None = None,
    cost_per_position: Decimal | None = None,
    figures: Figures | None = None,
) -> Plan:
    """The PMs each field office (and the nation) needs in the next ``years`` fiscal years.

    Projected workload = the trend + pending agreements:
    - trend: a least-squares line through the office's monthly cases (charging documents)
      of the last 24 full months, summed over the 12 months of the fiscal year (negative
      months count 0);
    - pending agreements (application received, under review, approved) plus
      ``extra_agreements`` (the what-if) each add the national average officers and
      annual cases of a signed agreement.
    Officers are today's certified officers plus those of the new agreements.
    Required = max(officers / officers_per_pm, cases / cases_per_pm_per_fy); assigned =
    today's PMs by time share; positions requested = the gap rounded up (none if no gap),
    per office: a surplus in one office does not staff another. The nation's row sums
    the offices' positions. With ``office_ids`` None the plan covers every office and the
    extra agreements form their own row ("office not yet known"); with one office they go
    to that office.
    """
    from agreements.choices import PENDING_STATUSES
    from agreements.models import Agreement, FieldOffice

    day = day or dates.today()
    model = StaffingModel.current()
    opp = officers_per_pm or model.officers_per_pm
    cpp = cases_per_pm_per_fy or model.cases_per_pm_per_fy
    cost = Decimal(cost_per_position if cost_per_position is not None else model.cost_per_position)
    figures = figures or compute(day, model)
    officers = officers_by_agency(day)

    by_status = defaultdict(lambda: defaultdict(int))
    for office_id, n in (
        Agreement.objects.in_force(day).values_list("agency__field_office_id").annotate(n=Count("id")).order_by()
    ):
        by_status[office_id]["signed"] += n
    for office_id, n in (
        Agreement.objects.filter(status__in=PENDING_STATUSES)
        .values_list("agency__field_office_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_status[office_id]["pending"] += n
    national_signed = sum(v["signed"] for v in by_status.values())
    national_officers = sum(officers.values())
    national_cases = figures.nation.annual_cases
    avg_officers = national_officers / national_signed if national_signed else 0.0
    avg_cases = national_cases / national_signed if national_signed else 0.0

    last = month_start(day)
    first = add_months(last, -TREND_MONTHS)
    monthly: dict[int, dict[dt.date, int]] = defaultdict(dict)
    for office_id, month, total in (
        WorkloadReport.objects.filter(month__gte=first, month__lt=last)
        .values_list("agency__field_office_id", "month")
        .annotate(total=Sum("charging_documents_prepared"))
        .order_by("agency__field_office_id", "month")
    ):
        monthly[office_id][month] = total
    officers_by_office: dict[int, int] = defaultdict(int)
    if officers:
        from agreements.models import Agency

        office_of = dict(Agency.objects.filter(pk__in=list(officers)).values_list("id", "field_office_id"))
        for agency_id, n in officers.items():
            if agency_id in office_of:
                officers_by_office[office_of[agency_id]] += n
    assigned = {o.key: o.assigned for o in figures.offices}

    wanted = set(office_ids) if office_ids is not None else (set(assigned) | set(by_status) | set(monthly))
    office_names = dict(FieldOffice.objects.filter(pk__in=wanted).values_list("id", "name"))
    this_fy = dates.fiscal_year(day)
    fiscal_years = [this_fy + i for i in range(1, max(1, years) + 1)]
    rows: list[PlanRow] = []
    for fy in fiscal_years:
        fy_months = [add_months(dates.fiscal_year_start(fy), i) for i in range(12)]
        fy_rows = []
        for office_id in sorted(wanted, key=lambda i: office_names.get(i, "")):
            series = monthly.get(office_id, {})
            a, b = linear_fit([(month_index(m), v) for m, v in series.items()])
            trend = sum(max(0.0, a + b * month_index(m)) for m in fy_months)
            extra = extra_agreements if office_ids is not None and len(wanted) == 1 else 0
            fy_rows.append(
                _plan_row(
                    fy,
                    office_id,
                    office_names.get(office_id, ""),
                    officers_by_office.get(office_id, 0),
                    by_status[office_id]["signed"],
                    by_status[office_id]["pending"],
                    extra,
                    trend,
                    assigned.get(office_id, 0.0),
                    avg_officers,
                    avg_cases,
                    opp,
                    cpp,
                    cost,
                    sorted(series.items()),
                )
            )
        if office_ids is None and extra_agreements:
            fy_rows.append(
                _plan_row(
                    fy,
                    0,
                    "Planned expansion (office not yet known)",
                    0,
                    0,
                    0,
                    extra_agreements,
                    0.0,
                    0.0,
                    avg_officers,
                    avg_cases,
                    opp,
                    cpp,
                    cost,
                    [],
                )
            )
        total = _plan_row(
            fy,
            None,
            "Nation" if office_ids is None else "Total",
            sum(r.current_officers for r in fy_rows),
            sum(r.signed_agreements for r in fy_rows),
            sum(r.pending_agreements for r in fy_rows),
            sum(r.extra_agreements for r in fy_rows),
            sum(r.trend_cases for r in fy_rows),
            sum(r.assigned for r in fy_rows),
            avg_officers,
            avg_cases,
            opp,
            cpp,
            cost,
            [],
        )
        total.positions_requested = sum(r.positions_requested for r in fy_rows)
        total.cost = cost * total.positions_requested
        rows.extend(fy_rows + [total])
    return Plan(
        day=day,
        fiscal_years=fiscal_years,
        officers_per_pm=opp,
        cases_per_pm_per_fy=cpp,
        cost_per_position=cost,
        extra_agreements=extra_agreements,
        avg_officers_per_agreement=avg_officers,
        avg_cases_per_agreement=avg_cases,
        rows=rows,
    )


def _plan_row(
    fy, key, name, officers, signed, pending, extra, trend, assigned, avg_officers, avg_cases, opp, cpp, cost, monthly
) -> PlanRow:
    new = pending + extra
    projected_officers = officers + new * avg_officers
    projected_cases = trend + new * avg_cases
    by_officers, by_cases = projected_officers / opp, projected_cases / cpp
    required = max(by_officers, by_cases)
    # Round the gap to the tenth shown on the page before rounding up, so 2.0000001 is 2 positions.
    positions = max(0, math.ceil(round(required - assigned, 1)))
    return PlanRow(
        fiscal_year=fy,
        key=key,
        name=name,
        current_officers=officers,
        signed_agreements=signed,
        pending_agreements=pending,
        extra_agreements=extra,
        trend_cases=trend,
        projected_officers=projected_officers,
        projected_cases=projected_cases,
        required=required,
        assigned=assigned,
        bound_by="" if required == 0 else ("officers" if by_officers >= by_cases else "cases"),
        positions_requested=positions,
        cost=cost * positions,
        monthly=monthly,
    )


def plan_offices_for(user):
    """The offices whose plan a person may see, by the access policy's entry
    ``staffing.plan``: None (all) for ``all``, their own for ``field office``, else none."""
    granted = access.scopes(user, "view", "staffing.plan")
    if access.ALL in granted:
        return None
    if access.OFFICE in granted and field_office_id_of(user):
        return [field_office_id_of(user)]
    return []
