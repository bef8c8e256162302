"""Demo staffing, like the field OIG found in 2018: each agency with a signed agreement
gets a primary program manager of its office and, mostly, a backup; Houston's pm.houston
carries 16 agencies over about 13,500 square miles, another manager covers four states;
reporting lines for every manager (a couple lack one), other duties, absences (one
leaves an agency with nobody to sign) and 15 months of workload reports."""

from __future__ import annotations

import datetime as dt

from agreements.choices import AgreementStatus
from agreements.models import Agency
from portal.audit.bulk import bulk_create_with_history, bulk_update_with_history, delete_with_history
from portal.demo import DemoContext
from portal.roles import Role

from .choices import AbsenceKind, AssignmentKind, ReportingLineKind
from .figures import add_months
from .models import Absence, Assignment, OtherDuty, ReportingLine, WorkloadReport

#: Approximate centres of the demo's states (latitude, longitude), to place agencies.
STATE_CENTRES = {
    "TX": (30.3, -96.6),
    "OK": (35.5, -97.5),
    "FL": (27.8, -81.7),
    "GA": (32.7, -83.4),
    "NC": (35.6, -79.4),
    "SC": (33.9, -80.9),
    "AL": (32.8, -86.8),
    "TN": (35.9, -86.4),
    "LA": (31.0, -92.0),
    "MS": (32.7, -89.7),
    "AR": (34.9, -92.4),
    "AZ": (33.7, -111.9),
    "VA": (37.5, -78.8),
    "IN": (39.9, -86.3),
    "WI": (44.6, -89.9),
    "MO": (38.4, -92.5),
    "KS": (38.5, -98.4),
    "UT": (39.3, -111.7),
    "NV": (38.5, -117.0),
    "ID": (44.4, -114.6),
    "MT": (47.0, -109.6),
    "CO": (39.0, -105.5),
    "WY": (43.0, -107.5),
    "PA": (40.9, -77.8),
    "WV": (38.6, -80.6),
}


HOUSTON_NEW_COUNTIES = [
    "Orange",
    "Waller",
    "Brazos",
    "Matagorda",
    "Wharton",
    "Victoria",
    "San Patricio",
    "Aransas",
    "Kleberg",
    "Jim Wells",
    "Hardin",
    "Polk",
    "Angelina",
    "Nacogdoches",
]


def _houston_new_agencies(ctx: DemoContext) -> None:
    """Top the Houston office up to 16 signed agencies, the report's "16 new LEAs" for one
    manager, with jail agreements signed in the last two years."""
    from agreements.choices import AgencyType, ProgramModel
    from agreements.models import Agreement, FieldOffice, agency_match_key

    office = FieldOffice.objects.filter(code="HOU").first()
    if office is None:
        return
    have = Agency.objects.filter(field_office=office, agreements__status=AgreementStatus.SIGNED).distinct().count()
    names = [f"{county} County Sheriff's Office" for county in HOUSTON_NEW_COUNTIES]
    existing = set(Agency.objects.filter(state="TX").values_list("match_key", flat=True))
    new = [
        Agency(
            name=n,
            match_key=agency_match_key(n),
            state="TX",
            county=n.split(" County")[0],
            field_office=office,
            agency_type=AgencyType.COUNTY,
        )
        for n in names
        if agency_match_key(n) not in existing
    ][: max(0, 16 - have)]
    Agency.objects.bulk_create(new)
    created = Agency.objects.filter(field_office=office, match_key__in=[a.match_key for a in new])
    agreements = []
    for agency in created:
        signed = ctx.today - dt.timedelta(days=ctx.rng.randint(200, 700))
        agreements.append(
            Agreement(
                agency=agency,
                program_model=ProgramModel.JAIL_ENFORCEMENT,
                status=AgreementStatus.SIGNED,
                applied_on=signed - dt.timedelta(days=90),
                signed_on=signed,
            )
        )
    Agreement.objects.bulk_create(agreements)


def _assign(ctx: DemoContext, pms) -> None:
    rng = ctx.rng
    by_office: dict[int, list] = {}
    for pm in pms:
        by_office.setdefault(pm.staff_profile.field_office_id, []).append(pm)
    signed_ids = set(Agency.objects.filter(agreements__status=AgreementStatus.SIGNED).values_list("id", flat=True))
    houston_pm = next((pm for pm in pms if pm.username == "pm.houston"), None)
    rows = []
    houston_count = 0
    for agency in Agency.objects.filter(pk__in=signed_ids).order_by("pk"):
        office_pms = by_office.get(agency.field_office_id) or pms
        is_houston = houston_pm and agency.field_office_id == houston_pm.staff_profile.field_office_id
        if not office_pms or (rng.random() < 0.04 and not is_houston):
            continue  # no primary: the sweep flags it
        if houston_pm and agency.field_office_id == houston_pm.staff_profile.field_office_id and houston_count < 16:
            primary = houston_pm
            houston_count += 1
        else:
            others_here = [pm for pm in office_pms if pm != houston_pm] or office_pms
            primary = rng.choice(others_here)
        starts = ctx.today - dt.timedelta(days=rng.randint(400, 1500))
        rows.append(Assignment(agency=agency, program_manager=primary, kind=AssignmentKind.PRIMARY, starts_on=starts))
        others = [pm for pm in office_pms if pm != primary]
        if others and rng.random() < 0.85:
            rows.append(
                Assignment(
                    agency=agency, program_manager=rng.choice(others), kind=AssignmentKind.BACKUP, starts_on=starts
                )
            )
    bulk_create_with_history(rows, Assignment, batch_size=1000)


def _place_agencies(ctx: DemoContext, pms) -> None:
    """Coordinates near the state's centre; pm.houston's agencies total ~13,500 sq mi."""
    rng = ctx.rng
    agencies = list(Agency.objects.order_by("pk"))
    houston = next((pm for pm in pms if pm.username == "pm.houston"), None)
    houston_ids = (
        set(
            Assignment.objects.filter(program_manager=houston, kind=AssignmentKind.PRIMARY).values_list(
                "agency_id", flat=True
            )
        )
        if houston
        else set()
    )
    share = round(13500 / len(houston_ids)) if houston_ids else 0
    for agency in agencies:
        lat, lon = STATE_CENTRES.get(agency.state, (38.0, -95.0))
        spread = 0.9 if agency.pk in houston_ids else 2.5
        agency.latitude = round(lat + rng.uniform(-spread, spread), 5)
        agency.longitude = round(lon + rng.uniform(-spread, spread), 5)
        if agency.pk in houston_ids:
            agency.area_sq_mi = share + rng.randint(-60, 60)
    bulk_update_with_history(agencies, Agency, ["latitude", "longitude", "area_sq_mi"], batch_size=1000)


def _four_state_manager(ctx: DemoContext, pms) -> None:
    """One New Orleans manager becomes primary for five agencies in four states (the
    report's manager with 4 states and 5 locations), two of them lent from Atlanta."""
    nola = [pm for pm in pms if pm.staff_profile.field_office.code == "NOL"]
    if not nola:
        return
    manager = nola[0]
    moved = []
    for state in ("AL", "AL", "TN", "GA", "NC"):
        primary = (
            Assignment.objects.filter(kind=AssignmentKind.PRIMARY, ends_on__isnull=True, agency__state=state)
            .exclude(program_manager=manager)
            .order_by("agency_id")
            .first()
        )
        if primary is None:
            continue
        delete_with_history(Assignment.objects.filter(agency_id=primary.agency_id, program_manager=manager))
        primary.program_manager = manager
        moved.append(primary)
    bulk_update_with_history(moved, Assignment, ["program_manager"])


def _reporting_lines(ctx: DemoContext, pms) -> None:
    hq = ctx.people.get(Role.NATIONAL_PM, []) + ctx.people.get(Role.UNIT_CHIEF, [])
    directors = {u.staff_profile.field_office_id: u for u in ctx.people.get(Role.FIELD_OFFICE_DIRECTOR, [])}
    rows = []
    for i, pm in enumerate(pms):
        starts = ctx.today - dt.timedelta(days=ctx.rng.randint(200, 900))
        if hq and i != 5:  # pm005 lacks a program supervisor
            rows.append(
                ReportingLine(manager=pm, kind=ReportingLineKind.PROGRAM, supervisor=hq[i % len(hq)], starts_on=starts)
            )
        director = directors.get(pm.staff_profile.field_office_id)
        if director and i != 9:  # pm009 lacks an administrative supervisor
            rows.append(
                ReportingLine(manager=pm, kind=ReportingLineKind.ADMINISTRATIVE, supervisor=director, starts_on=starts)
            )
    bulk_create_with_history(rows, ReportingLine, batch_size=1000)


def _other_duties_and_absences(ctx: DemoContext, pms) -> None:
    rng = ctx.rng
    duties = []
    for pm in pms[2::4]:
        duties.append(
            OtherDuty(
                manager=pm,
                share_percent=rng.choice([20, 25, 30, 40, 50]),
                description=rng.choice(
                    ["Detained docket", "Fugitive operations support", "Field office duty officer rotation"]
                ),
                starts_on=ctx.today - dt.timedelta(days=rng.randint(30, 300)),
            )
        )
    bulk_create_with_history(duties, OtherDuty, batch_size=1000)
    absences = []
    for pm in pms:
        for _ in range(2):
            start = ctx.today + dt.timedelta(days=rng.randint(-60, 60))
            absences.append((pm, rng.choice(list(AbsenceKind)), start, start + dt.timedelta(days=rng.randint(1, 6))))
    # A gap like the field's: a primary and its backup away together, around today.
    pair = (
        Assignment.objects.filter(kind=AssignmentKind.BACKUP, ends_on__isnull=True)
        .exclude(program_manager__username="pm.houston")
        .order_by("agency_id")
        .first()
    )
    if pair is not None:
        primary = Assignment.objects.filter(
            agency_id=pair.agency_id, kind=AssignmentKind.PRIMARY, ends_on__isnull=True
        ).first()
        start = ctx.today - dt.timedelta(days=1)
        for who in filter(None, [pair.program_manager, primary.program_manager if primary else None]):
            absences.append((who, AbsenceKind.TRAINING, start, start + dt.timedelta(days=4)))
    rows, taken = [], {}
    for pm, kind, start, end in sorted(absences, key=lambda a: (a[0].pk, a[2])):
        if taken.get(pm.pk) and taken[pm.pk] >= start:
            continue  # one absence at a time
        taken[pm.pk] = end
        rows.append(Absence(manager=pm, kind=kind, starts_on=start, ends_on=end))
    bulk_create_with_history(rows, Absence, batch_size=1000)


def _workload(ctx: DemoContext) -> None:
    """15 months of reports per agency with a signed agreement, growing slowly; the last
    month is missing for a few (the sweep flags them)."""
    rng = ctx.rng
    first_of_month = ctx.today.replace(day=1)
    houston_ids = set(
        Assignment.objects.filter(program_manager__username="pm.houston").values_list("agency_id", flat=True)
    )
    rows = []
    for agency_id in (
        Agency.objects.filter(agreements__status=AgreementStatus.SIGNED)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        base = rng.randint(16, 26) if agency_id in houston_ids else rng.randint(6, 22)
        growth = rng.uniform(0.0, 0.04)
        skip_last = rng.random() < 0.08
        for back in range(15, 0, -1):
            if back == 1 and skip_last:
                continue
            month = add_months(first_of_month, -back)
            cases = max(0, round(base * (1 + growth * (15 - back)) + rng.randint(-3, 3)))
            encounters = cases + rng.randint(cases // 4, cases // 2 + 2)
            rows.append(
                WorkloadReport(
                    agency_id=agency_id,
                    month=month,
                    encounters_processed=encounters,
                    charging_documents_prepared=cases,
                    detainers_issued=round(cases * rng.uniform(0.5, 0.9)),
                )
            )
    bulk_create_with_history(rows, WorkloadReport, batch_size=2000)


def seed(ctx: DemoContext) -> None:
    pms = list(ctx.people.get(Role.FIELD_PM, []))
    for pm in pms:
        pm.staff_profile.refresh_from_db()
    _houston_new_agencies(ctx)
    _assign(ctx, pms)
    _four_state_manager(ctx, pms)
    _place_agencies(ctx, pms)
    _reporting_lines(ctx, pms)
    _other_duties_and_absences(ctx, pms)
    _workload(ctx)
