"""The expansion impact check: what approving a batch of applications (or a what-if
list of agencies, or counts of new agreements per field office) would cost the program
in program managers, installer time and academy seats.

For each affected field office (the staffing model, ``staffing.figures``):
- new agreements each bring the program's officers per agreement (certified officers
  ever / agencies with a signed agreement and officers, as the academy capacity plan
  counts them; 5 without history) and the national annual cases per signed agreement;
- required PMs after = max(officers after / officers per PM, cases after / cases per PM);
  available = the PMs assigned today (time share); positions to request = the gap
  rounded up (none without a gap); cost = positions × the cost per position
  (``OVERSIGHT_COST_PER_POSITION``, else the staffing model's).

For each new site whose 287(g) model needs a site installation (and whose equipment is
not already operational): the installation plan's steps (``StepTemplate``) from an
assumed MOA signature (the ``signing_on`` date, default today), queued behind every open
installation for the installers (``itdeploy.forecast``, expected durations); it meets
the goal when operational within ``goal_days`` (180) of the signature.

Training: the new officers of each site take seats of the scheduled basic classes
(``IADP``) in date order, after the seats already taken; a site's officers are trained
when the class of its last seat ends. Seats beyond the calendar are a shortfall.

Rating: red when an office needs positions, a site cannot be operational within the
goal (or has no installer at all), or officers find no seat; amber when officers are
trained only after the site's 180-day goal date; green otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q

from portal import dates

from .choices import Rating


@dataclass
class NewSite:
    """One site the expansion would add: an agency (existing, or none for counts) in an office."""

    key: str
    label: str
    field_office_id: int
    program_model: str
    agency_id: int | None = None
    agreement_id: int | None = None
    equipment_operational: bool = False


def officers_per_agreement() -> float:
    from agreements.choices import AgreementStatus
    from agreements.models import Agency
    from training import conf
    from training.models import Officer

    certified_ever = Officer.objects.filter(certified_on__isnull=False)
    agencies = (
        Agency.objects.filter(
            Exists(certified_ever.filter(agency=OuterRef("pk"))), agreements__status=AgreementStatus.SIGNED
        )
        .distinct()
        .count()
    )
    return certified_ever.count() / agencies if agencies else float(conf.get("TRAINING_OFFICERS_PER_AGREEMENT"))


def cost_per_position(model) -> Decimal:
    configured = settings.OVERSIGHT_COST_PER_POSITION
    return Decimal(str(configured)) if configured not in (None, "") else Decimal(model.cost_per_position)


def _manager_rows(sites: list[NewSite], today: dt.date, per_agreement: float) -> list[dict]:
    from agreements.choices import AgreementStatus
    from agreements.models import Agreement, FieldOffice
    from staffing import figures
    from staffing.models import StaffingModel

    model = StaffingModel.current()
    found = figures.compute(today, model)
    offices = {o.key: o for o in found.offices}
    signed = Agreement.objects.filter(status=AgreementStatus.SIGNED).count()
    cases_per_agreement = found.nation.annual_cases / signed if signed else 0.0
    cost = cost_per_position(model)
    names = dict(FieldOffice.objects.filter(pk__in={s.field_office_id for s in sites}).values_list("id", "name"))
    by_office: dict[int, int] = defaultdict(int)
    for site in sites:
        by_office[site.field_office_id] += 1
    rows = []
    for office_id in sorted(by_office, key=lambda i: names.get(i, "")):
        load = offices.get(office_id)
        n = by_office[office_id]
        officers = (load.officers if load else 0) + n * per_agreement
        cases = (load.annual_cases if load else 0.0) + n * cases_per_agreement
        required_before = load.required if load else 0.0
        assigned = load.assigned if load else 0.0
        required = figures.required_pms(officers, cases, model)
        positions = max(0, math.ceil(round(required - assigned, 1)))
        rows.append(
            {
                "field_office": office_id,
                "field_office_name": names.get(office_id, ""),
                "new_agreements": n,
                "officers_after": round(officers, 1),
                "annual_cases_after": round(cases),
                "required_before": round(required_before, 2),
                "required_after": round(required, 2),
                "available": round(assigned, 2),
                "positions_to_request": positions,
                "cost": str(cost * positions),
                "fits": positions == 0,
            }
        )
    return rows


def _installation_rows(sites: list[NewSite], today: dt.date, signing_on: dt.date) -> list[dict]:
    from itdeploy import forecast
    from itdeploy.models import InstallationSettings, ProgramModelSetting, StepTemplate
    from itdeploy.selectors import durations, installer_slots, open_installations, site_plan

    needing = set(ProgramModelSetting.models_needing_installation())
    goal = InstallationSettings.current().goal_days
    templates = list(StepTemplate.objects.prefetch_related("depends_on").order_by("number"))
    steps = tuple(
        forecast.StepPlan(
            number=t.number,
            planned_days=t.planned_days,
            kind=t.kind,
            depends_on=tuple(d.number for d in t.depends_on.all()),
        )
        for t in templates
    )
    planned = {}
    for index, site in enumerate(sites):
        if site.program_model in needing and not site.equipment_operational and steps:
            planned[-(index + 1)] = site
    existing = [site_plan(i, today) for i in open_installations()]
    new_plans = [forecast.SitePlan(installation_id=key, moa_signed_on=signing_on, steps=steps) for key in planned]
    found = durations()
    result = forecast.forecast_pipeline(existing + new_plans, found.expected, installer_slots(today), today)
    rows = []
    for index, site in enumerate(sites):
        key = -(index + 1)
        goal_on = signing_on + dt.timedelta(days=goal)
        if key not in planned:
            rows.append(
                {
                    "site": site.key,
                    "label": site.label,
                    "needs_installation": False,
                    "operational_on": None,
                    "goal_on": goal_on.isoformat(),
                    "days": None,
                    "queue_wait_days": 0,
                    "meets_goal": True,
                    "note": (
                        "Equipment already operational."
                        if site.equipment_operational
                        else "Its 287(g) model needs no site installation."
                    ),
                }
            )
            continue
        f = result[key]
        days = (f.operational_on - signing_on).days if f.operational_on else None
        rows.append(
            {
                "site": site.key,
                "label": site.label,
                "needs_installation": True,
                "operational_on": f.operational_on.isoformat() if f.operational_on else None,
                "goal_on": goal_on.isoformat(),
                "days": days,
                "queue_wait_days": f.queue_wait_days,
                "meets_goal": days is not None and days <= goal,
                "note": "" if f.operational_on else "No installer is available to install the equipment.",
            }
        )
    return rows


def _training_rows(sites: list[NewSite], today: dt.date, per_agreement: float, signing_on: dt.date) -> list[dict]:
    from itdeploy.models import InstallationSettings
    from training import conf
    from training.choices import ACTIVE_ENROLLMENT, ClassStatus, CourseKind
    from training.models import AcademyClass

    goal = InstallationSettings.current().goal_days
    classes = list(
        AcademyClass.objects.filter(course__kind=CourseKind.BASIC, status=ClassStatus.SCHEDULED, starts_on__gte=today)
        .annotate(taken=Count("enrollments", filter=Q(enrollments__status__in=ACTIVE_ENROLLMENT)))
        .order_by("starts_on", "pk")
        .values("id", "starts_on", "ends_on", "capacity", "taken")
    )
    free = [[c, max(0, c["capacity"] - c["taken"])] for c in classes]
    need = math.ceil(per_agreement)
    size = conf.get("TRAINING_DEFAULT_CLASS_SIZE")
    rows = []
    for site in sites:
        left, last = need, None
        for slot in free:
            if not left:
                break
            take = min(left, slot[1])
            if take:
                slot[1] -= take
                left -= take
                last = slot[0]
        goal_on = signing_on + dt.timedelta(days=goal)
        trained_on = last["ends_on"] if last and not left else None
        rows.append(
            {
                "site": site.key,
                "label": site.label,
                "officers": need,
                "seats_found": need - left,
                "shortfall": left,
                "classes_short": math.ceil(left / size) if left else 0,
                "trained_on": trained_on.isoformat() if trained_on else None,
                "before_goal": trained_on is not None and trained_on <= goal_on,
            }
        )
    return rows


def assess(
    *, sites: list[NewSite], basis: str, today: dt.date | None = None, signing_on: dt.date | None = None
) -> dict:
    """The assessment of adding ``sites``: its rating, reasons and figures (JSON-ready)."""
    today = today or dates.today()
    signing_on = signing_on or today
    per_agreement = officers_per_agreement()
    managers = _manager_rows(sites, today, per_agreement)
    installations = _installation_rows(sites, today, signing_on)
    training = _training_rows(sites, today, per_agreement, signing_on)
    reasons, amber = [], []
    for row in managers:
        if not row["fits"]:
            reasons.append(
                f"{row['field_office_name']}: {row['positions_to_request']} program manager position(s) "
                f"to request ({row['required_after']} required, {row['available']} available)."
            )
    for row in installations:
        if not row["meets_goal"]:
            reasons.append(
                f"{row['label']}: operational {row['operational_on'] or 'not scheduled'}, "
                f"past the goal of {row['goal_on']}."
            )
    for row in training:
        if row["shortfall"]:
            reasons.append(
                f"{row['label']}: {row['shortfall']} officer(s) find no seat in the scheduled basic classes."
            )
        elif not row["before_goal"]:
            amber.append(f"{row['label']}: officers trained only on {row['trained_on']}, after the 180-day goal.")
    rating = Rating.RED if reasons else (Rating.AMBER if amber else Rating.GREEN)
    positions = sum(r["positions_to_request"] for r in managers)
    return {
        "basis": basis,
        "rating": rating,
        "reasons": reasons + amber,
        "as_of": today.isoformat(),
        "signing_on": signing_on.isoformat(),
        "officers_per_agreement": round(per_agreement, 2),
        "sites": [
            {
                "site": s.key,
                "label": s.label,
                "field_office": s.field_office_id,
                "program_model": s.program_model,
                "agency": s.agency_id,
                "agreement": s.agreement_id,
            }
            for s in sites
        ],
        "managers": managers,
        "installations": installations,
        "training": training,
        "totals": {
            "new_agreements": len(sites),
            "positions_to_request": positions,
            "cost": str(sum((Decimal(r["cost"]) for r in managers), Decimal(0))),
            "sites_missing_goal": sum(1 for r in installations if not r["meets_goal"]),
            "seats_needed": sum(r["officers"] for r in training),
            "seats_short": sum(r["shortfall"] for r in training),
        },
    }


def sites_for_agreements(agreements) -> list[NewSite]:
    return [
        NewSite(
            key=f"agreement-{a.pk}",
            label=f"{a.agency.name} ({a.get_program_model_display()})",
            field_office_id=a.agency.field_office_id,
            program_model=a.program_model,
            agency_id=a.agency_id,
            agreement_id=a.pk,
            equipment_operational=a.agency.equipment_operational_since is not None,
        )
        for a in agreements
    ]


def sites_for_agencies(agencies, program_model: str) -> list[NewSite]:
    return [
        NewSite(
            key=f"agency-{a.pk}",
            label=a.name,
            field_office_id=a.field_office_id,
            program_model=program_model,
            agency_id=a.pk,
            equipment_operational=a.equipment_operational_since is not None,
        )
        for a in agencies
    ]


def sites_for_counts(counts: dict[int, int], offices: dict[int, str], program_model: str) -> list[NewSite]:
    sites = []
    for office_id, n in sorted(counts.items()):
        for i in range(n):
            sites.append(
                NewSite(
                    key=f"office-{office_id}-{i + 1}",
                    label=f"New agreement {i + 1}, {offices[office_id]}",
                    field_office_id=office_id,
                    program_model=program_model,
                )
            )
    return sites
