"""Demo agencies and agreements. At the small scale the agencies are real: a
deterministic subset of ICE's published Participating Agencies list of 18 July 2025 (and a
few applications from its Pending Agencies list), in the demo offices' states. The national
scale (5,000 agencies) is synthetic: county sheriffs and city police in the same states."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from portal.demo import DEMO_OFFICES, DemoContext

from .choices import AgencyType, AgreementStatus, ProgramModel
from .models import Agency, Agreement, FieldOffice, agency_match_key
from .services import field_office_for

#: Counties by state, for the demo offices (real county names).
COUNTIES = {
    "TX": [
        "Harris",
        "Galveston",
        "Montgomery",
        "Brazoria",
        "Fort Bend",
        "Jefferson",
        "Nueces",
        "Walker",
        "Liberty",
        "Chambers",
        "Tarrant",
        "Denton",
        "Lubbock",
        "Bexar",
        "Travis",
        "Comal",
        "Hays",
        "Kerr",
        "Smith",
        "Gregg",
    ],
    "FL": [
        "Alachua",
        "Bay",
        "Brevard",
        "Charlotte",
        "Citrus",
        "Clay",
        "Collier",
        "Columbia",
        "Duval",
        "Escambia",
        "Hernando",
        "Highlands",
        "Hillsborough",
        "Lake",
        "Lee",
        "Manatee",
        "Marion",
        "Martin",
        "Okaloosa",
        "Pasco",
        "Pinellas",
        "Polk",
        "Santa Rosa",
        "Sarasota",
        "Seminole",
        "St. Johns",
        "Volusia",
        "Walton",
    ],
    "GA": ["Cobb", "Gwinnett", "Hall", "Whitfield", "Floyd", "Bartow", "Oconee", "Columbia"],
    "NC": ["Mecklenburg", "Wake", "Gaston", "Cabarrus", "Henderson", "Nash", "Rockingham"],
    "SC": ["Charleston", "Lexington", "York", "Horry", "Greenville"],
    "AL": ["Etowah", "Baldwin", "Madison", "Mobile"],
    "TN": ["Knox", "Davidson", "Rutherford", "Sumner"],
    "LA": ["Lafayette", "Jefferson Davis", "Rapides", "Calcasieu"],
    "MS": ["Madison", "Rankin", "Harrison"],
    "AR": ["Benton", "Washington", "Sebastian"],
    "AZ": ["Maricopa", "Pinal", "Yavapai", "Mohave", "Yuma"],
    "OK": ["Tulsa", "Oklahoma", "Canadian"],
    "VA": ["Prince William", "Culpeper", "Rockingham", "Loudoun"],
    "IN": ["Hamilton", "Marion", "Elkhart"],
    "WI": ["Waukesha", "Brown"],
    "MO": ["Greene", "Jasper"],
    "KS": ["Johnson", "Sedgwick"],
    "UT": ["Utah", "Washington", "Weber"],
    "NV": ["Elko", "Nye"],
    "ID": ["Canyon", "Kootenai"],
    "MT": ["Flathead", "Yellowstone"],
    "CO": ["El Paso", "Weld", "Teller"],
    "WY": ["Laramie", "Natrona"],
    "PA": ["Lancaster", "Bucks", "York"],
    "WV": ["Berkeley", "Kanawha"],
}
OFFICE_STATES = {
    "HOU": ["TX"],
    "DAL": ["TX", "OK"],
    "SNA": ["TX"],
    "MIA": ["FL"],
    "ATL": ["GA", "NC", "SC"],
    "NOL": ["AL", "TN", "LA", "MS", "AR"],
    "PHO": ["AZ"],
    "WAS": ["VA"],
    "CHI": ["IN", "WI", "MO", "KS"],
    "SLC": ["UT", "NV", "ID", "MT"],
    "DEN": ["CO", "WY"],
    "PHI": ["PA", "WV"],
}
#: How many agencies each office gets, in shares of the total (the South-East and Texas grew most).
OFFICE_WEIGHTS = {
    "HOU": 16,
    "MIA": 14,
    "ATL": 9,
    "NOL": 7,
    "PHO": 5,
    "DAL": 5,
    "SNA": 5,
    "WAS": 4,
    "CHI": 4,
    "SLC": 4,
    "DEN": 3,
    "PHI": 4,
}
CITY_POLICE = {
    "TX": ["Pasadena", "Baytown", "League City"],
    "FL": ["Jacksonville Beach", "Cape Coral", "Ocala"],
    "GA": ["Marietta"],
    "AZ": ["Mesa"],
    "TN": ["Knoxville"],
    "VA": ["Manassas"],
}


def _agency_names(ctx: DemoContext) -> list[tuple[str, str, str, str]]:
    """(office code, state, county, name) for the scale's number of agencies."""
    total = ctx.size["agencies"]
    weight_sum = sum(OFFICE_WEIGHTS.values())
    wanted = []
    for code in DEMO_OFFICES:
        share = max(1, round(total * OFFICE_WEIGHTS[code] / weight_sum))
        states = OFFICE_STATES[code]
        pool = [(s, c) for s in states for c in COUNTIES[s]]
        for i in range(share):
            state, county = pool[i % len(pool)]
            round_no = i // len(pool)
            if round_no == 0:
                name = f"{county} County Sheriff's Office"
            elif round_no == 1:
                name = f"{county} County Jail"
            else:
                name = (
                    f"{county} County Detention Center {round_no - 1}"
                    if round_no > 2
                    else f"{county} County Department of Corrections"
                )
            wanted.append((code, state, county, name))
    return wanted[:total]


#: Common county names, for the states the small demo does not name counties of.
COMMON_COUNTIES = [
    "Washington", "Jefferson", "Franklin", "Lincoln", "Jackson", "Madison", "Clay", "Montgomery",
    "Marion", "Monroe", "Union", "Wayne", "Greene", "Warren", "Grant", "Lee", "Carroll", "Johnson",
    "Marshall", "Polk", "Adams", "Lake", "Douglas", "Clark", "Hamilton", "Calhoun", "Crawford",
    "Fayette", "Henry", "Logan", "Morgan", "Perry", "Pike", "Scott", "Shelby", "Benton", "Boone",
    "Butler", "Cass", "Hancock",
]  # fmt: skip
#: Shares of the national scale's agencies by state (others 3, territories 1): the
#: South-East and Texas, where the program grew most, weigh most.
STATE_WEIGHTS = {
    "TX": 48, "FL": 36, "GA": 12, "NC": 10, "SC": 8, "TN": 8, "AL": 7, "LA": 7, "AZ": 7,
    "OK": 7, "VA": 7, "MS": 5, "AR": 5, "MO": 5, "IN": 5, "UT": 4, "ID": 4, "MT": 4,
    "PR": 1, "VI": 1, "GU": 1, "MP": 1, "AS": 1, "DC": 1,
}  # fmt: skip


def _national_names(ctx: DemoContext) -> list[tuple[str, str, str]]:
    """(state, county, name) for the synthetic scales: agencies in every state and
    territory of the 25 field offices, by ``STATE_WEIGHTS``; the counties of split states
    are the coverage table's, so each agency lands in its own office."""
    from .field_offices import FIELD_OFFICES, SPLIT_STATE_COUNTIES

    total = ctx.size["agencies"]
    states = sorted({s for *_, covered in FIELD_OFFICES for s in covered})
    weights = {s: STATE_WEIGHTS.get(s, 3) for s in states}
    weight_sum = sum(weights.values())
    wanted = []
    for state in states:
        share = max(1, round(total * weights[state] / weight_sum))
        split = [c.title() for counties in SPLIT_STATE_COUNTIES.get(state, {}).values() for c in counties]
        pool = list(dict.fromkeys(COUNTIES.get(state, []) + split)) or COMMON_COUNTIES
        if len(pool) < 12 or split:  # a split state's other counties go to its default office
            pool = list(dict.fromkeys(pool + COMMON_COUNTIES))
        for i in range(share):
            county = pool[i % len(pool)]
            round_no = i // len(pool)
            suffix = ["County Sheriff's Office", "County Jail", "County Department of Corrections"]
            name = (
                f"{county} {suffix[round_no]}" if round_no < 3 else f"{county} County Detention Center {round_no - 2}"
            )
            wanted.append((state, county, name))
    return wanted[:total]


FIXTURES = Path(__file__).parent / "tests" / "fixtures"
PARTICIPATING_FILE = FIXTURES / "participatingAgencies07182025pm.xlsx"
PENDING_FILE = FIXTURES / "pendingAgencies01232026am.xlsx"


HISTORY = FIXTURES / "history"


def seed(ctx: DemoContext) -> None:
    if ctx.scale == "small" and PARTICIPATING_FILE.exists():
        seed_from_ice_lists(ctx)
        seed_ice_history()
    else:
        seed_synthetic(ctx)


def seed_ice_history() -> None:
    """ICE's real editions from 2021 to January 2026, stored and compared (not applied, so
    the demo keeps its curated agencies): the program's timeline and the editions' change
    lists show the real growth."""
    from .services import ice_history_import

    if HISTORY.is_dir():
        files = sorted(p for p in HISTORY.iterdir() if p.suffix.lower() == ".xlsx")
        ice_history_import(files=[(p.name, p.read_bytes()) for p in files], acting_user=None, apply=False)


def seed_from_ice_lists(ctx: DemoContext) -> None:
    """About 80 real agencies of ICE's 2025 list, spread over the demo offices by their
    weights, with their real agreements; a few real pending applications."""
    from .importers import read_ice_file
    from .services import field_office_for

    rng = ctx.rng
    today = ctx.today
    rows = read_ice_file(PARTICIPATING_FILE.read_bytes(), PARTICIPATING_FILE.name, today=dt.date(2025, 7, 18)).rows
    by_agency: dict[tuple, list[dict]] = {}
    for row in rows:
        by_agency.setdefault((row["state"], row["match_key"]), []).append(row)
    office_cache: dict[tuple, tuple] = {}

    def office_of(state, county):
        if (state, county) not in office_cache:
            office_cache[(state, county)] = field_office_for(state=state, county=county)
        return office_cache[(state, county)]

    by_office: dict[str, list[tuple]] = {}
    for key in sorted(by_agency):
        first = by_agency[key][0]
        office, _ = office_of(first["state"], first["county"])
        if office is not None and office.code in DEMO_OFFICES:
            by_office.setdefault(office.code, []).append(key)
    total = ctx.size["agencies"]
    weight_sum = sum(OFFICE_WEIGHTS.values())
    chosen: list[tuple] = []
    for code in DEMO_OFFICES:
        pool = by_office.get(code, [])
        share = min(len(pool), max(1, round(total * OFFICE_WEIGHTS[code] / weight_sum)))
        chosen += rng.sample(pool, share)
    pending_rows = read_ice_file(PENDING_FILE.read_bytes(), PENDING_FILE.name, today=dt.date(2026, 1, 23)).rows
    pending_pool = [
        r for r in pending_rows if (office_of(r["state"], r["county"])[0] or FieldOffice()).code in DEMO_OFFICES
    ]
    pending_chosen = rng.sample(pending_pool, min(8, len(pending_pool)))

    agencies = []
    for key in chosen:
        first = by_agency[key][0]
        office, confirmed = office_of(first["state"], first["county"])
        agencies.append(
            Agency(
                name=first["name"],
                match_key=first["match_key"],
                agency_type=first["agency_type"],
                state=first["state"],
                county=next((r["county"] for r in by_agency[key] if r["county"]), ""),
                field_office=office,
                field_office_confirmed=confirmed,
                area_sq_mi=rng.randint(300, 2400),
            )
        )
    for row in pending_chosen:
        office, confirmed = office_of(row["state"], row["county"])
        agencies.append(
            Agency(
                name=row["name"],
                match_key=row["match_key"],
                agency_type=row["agency_type"],
                state=row["state"],
                county=row["county"],
                field_office=office,
                field_office_confirmed=confirmed,
                area_sq_mi=rng.randint(300, 2400),
            )
        )
    Agency.objects.bulk_create(agencies, batch_size=1000, ignore_conflicts=True)
    saved = {(a.state, a.match_key): a for a in Agency.objects.all()}

    agreements = []
    for key in chosen:
        for row in by_agency[key]:
            signed = dt.date.fromisoformat(row["signed_on"]) if row["signed_on"] else None
            if signed is None or signed > today:
                signed = today - dt.timedelta(days=rng.randint(30, 400))
            agreements.append(
                Agreement(
                    agency=saved[key],
                    program_model=row["program_model"],
                    status=AgreementStatus.SIGNED,
                    applied_on=signed - dt.timedelta(days=rng.randint(30, 120)),
                    signed_on=signed,
                    moa_url=row["moa_url"],
                    addendum_url=row["addendum_url"],
                    ice_listed_on=dt.date(2025, 7, 18),
                )
            )
    for row in pending_chosen:
        listed = today - dt.timedelta(days=rng.randint(20, 160))
        agreements.append(
            Agreement(
                agency=saved[(row["state"], row["match_key"])],
                program_model=row["program_model"],
                status=AgreementStatus.UNDER_REVIEW,
                pending_listed_on=listed,
                ice_listed_on=listed,
            )
        )
    Agreement.objects.bulk_create(agreements, batch_size=1000, ignore_conflicts=True)
    ctx.extra["agencies"] = list(Agency.objects.order_by("pk"))


def seed_synthetic(ctx: DemoContext) -> None:
    from .services import coverage_table

    offices = {o.code: o for o in FieldOffice.objects.all()}
    rng = ctx.rng
    agencies = []
    table = coverage_table()
    if ctx.synthetic:
        names = [(None, state, county, name) for state, county, name in _national_names(ctx)]
    else:
        names = _agency_names(ctx)
    for code, state, county, name in names:
        office, confirmed = field_office_for(state=state, county=county, table=table)
        agencies.append(
            Agency(
                name=name,
                match_key=agency_match_key(name),
                agency_type=AgencyType.COUNTY,
                state=state,
                county=county,
                field_office=office or offices.get(code),
                field_office_confirmed=confirmed,
                area_sq_mi=rng.randint(300, 2400),
                contact_name="Sheriff "
                + rng.choice(["A.", "B.", "C.", "D.", "J.", "M.", "R."])
                + " "
                + rng.choice(["Hall", "Rivera", "Owens", "Patel", "Brooks", "Jenkins", "Vance", "Cole"]),
            )
        )
    for state, cities in CITY_POLICE.items():
        for city in cities[: max(1, ctx.size["agencies"] // 80)]:
            if len(agencies) >= ctx.size["agencies"] + 6:
                break
            name = f"{city} Police Department"
            office, confirmed = field_office_for(state=state, table=table)
            agencies.append(
                Agency(
                    name=name,
                    match_key=agency_match_key(name),
                    agency_type=AgencyType.MUNICIPALITY,
                    state=state,
                    field_office=office,
                    field_office_confirmed=confirmed,
                )
            )
    Agency.objects.bulk_create(agencies, batch_size=1000, ignore_conflicts=True)
    agencies = list(Agency.objects.order_by("pk"))

    agreements = []
    today = ctx.today
    # About 6,000 agreements for 5,000 agencies at the national scale (1.45 per agency at the small one).
    task_force, warrant = (0.14, 0.06) if ctx.synthetic else (0.3, 0.15)
    for _i, agency in enumerate(agencies):
        # Growth like the report's: few agreements before FY2017, most since.
        roll = rng.random()
        if roll < 0.12:
            status, signed = (
                rng.choice(
                    [AgreementStatus.UNDER_REVIEW, AgreementStatus.APPLICATION_RECEIVED, AgreementStatus.APPROVED]
                ),
                None,
            )
        else:
            days_back = int(rng.triangular(20, 3650, 700))
            status, signed = AgreementStatus.SIGNED, today - dt.timedelta(days=days_back)
        applied = (signed or today) - dt.timedelta(days=rng.randint(30, 200))
        agreements.append(
            Agreement(
                agency=agency,
                program_model=ProgramModel.JAIL_ENFORCEMENT,
                status=status,
                applied_on=applied,
                signed_on=signed,
                moa_url=f"https://www.ice.gov/doclib/287gMOA/{agency.match_key.replace(' ', '')}.pdf" if signed else "",
            )
        )
        if rng.random() < task_force:
            tfm_signed = today - dt.timedelta(days=rng.randint(10, 500))
            agreements.append(
                Agreement(
                    agency=agency,
                    program_model=ProgramModel.TASK_FORCE,
                    status=AgreementStatus.SIGNED,
                    applied_on=tfm_signed - dt.timedelta(days=60),
                    signed_on=tfm_signed,
                )
            )
        if rng.random() < warrant:
            wso_signed = today - dt.timedelta(days=rng.randint(10, 900))
            agreements.append(
                Agreement(
                    agency=agency,
                    program_model=ProgramModel.WARRANT_SERVICE,
                    status=AgreementStatus.SIGNED,
                    applied_on=wso_signed - dt.timedelta(days=45),
                    signed_on=wso_signed,
                )
            )
    Agreement.objects.bulk_create(agreements, batch_size=1000, ignore_conflicts=True)
    ctx.extra["agencies"] = agencies
