"""Demo data: deterministic, realistic, built app by app.

``seed_demo`` builds a ``DemoContext`` and calls, in the order of INSTALLED_APPS, the
``seed(ctx)`` function of each app's ``demo.py``. Each app adds its own records and may
read what earlier apps put in the context (people, agencies, agreements).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from . import dates
from .models import StaffProfile
from .roles import Role

DEMO_PASSWORD = "Demo-287g-Portal!"

SCALES = {
    # agencies, field program managers, officers (training's demo)
    "small": {"agencies": 80, "field_pms": 14, "officers": 374},
    # A tenth of the program, for quick runs of the benchmarks.
    "tenth": {"agencies": 500, "field_pms": 40, "officers": 5000},
    # The program as it is: agencies in every state of the 25 field offices, a year of card logins.
    "national": {"agencies": 5000, "field_pms": 400, "officers": 50000},
}


@dataclass
class DemoContext:
    scale: str
    rng: random.Random
    today: dt.date
    people: dict[str, list] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, note
    extra: dict = field(default_factory=dict)

    @property
    def size(self) -> dict:
        return SCALES[self.scale]

    @property
    def synthetic(self) -> bool:
        """Whether the scale is synthetic and national in reach (every field office and
        state), rather than the small demo's real agencies in a dozen offices."""
        return self.scale != "small"

    def office_codes(self) -> list[str]:
        """The field offices that get staff: the demo's dozen at the small scale, all 25 else."""
        if not self.synthetic:
            return list(DEMO_OFFICES)
        FieldOffice = StaffProfile._meta.get_field("field_office").related_model
        rest = sorted(set(FieldOffice.objects.values_list("code", flat=True)) - set(DEMO_OFFICES))
        return list(DEMO_OFFICES) + rest

    def days_ago(self, n: int) -> dt.date:
        return self.today - dt.timedelta(days=n)


FIRST = [
    "Maria",
    "James",
    "Linda",
    "Robert",
    "Patricia",
    "Michael",
    "Jennifer",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Paul",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Deborah",
    "Timothy",
    "Stephanie",
    "Ronald",
    "Rebecca",
    "Jason",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
]


def person_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def make_user(
    ctx: DemoContext, username: str, role: str, *, office=None, first=None, last=None, title="", login_note=None
):
    User = get_user_model()
    if first is None:
        first, last = person_name(ctx.rng)
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@ice.dhs.gov"}
    )
    if created:
        # One hash for every demo account: hashing is deliberately slow, and there are hundreds.
        if "password_hash" not in ctx.extra:
            ctx.extra["password_hash"] = make_password(DEMO_PASSWORD)
        user.password = ctx.extra["password_hash"]
        user.save(update_fields=["password"])
    StaffProfile.objects.update_or_create(user=user, defaults={"role": role, "field_office": office, "title": title})
    ctx.people.setdefault(role, []).append(user)
    if login_note:
        ctx.logins.append((username, Role(role).label, login_note))
    return user


#: The operators' account of the demo: the Django admin (``/admin/``), not a program role.
ADMIN_USERNAME = "admin"


def make_operator(ctx: DemoContext):
    """The demo's operator: a superuser for the Django admin (accounts, technical
    records). Program settings are the Unit Chief's, on the portal's settings page."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=ADMIN_USERNAME,
        defaults={
            "first_name": "Portal",
            "last_name": "Operator",
            "email": "portal.operator@ice.dhs.gov",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        if "password_hash" not in ctx.extra:
            ctx.extra["password_hash"] = make_password(DEMO_PASSWORD)
        user.password = ctx.extra["password_hash"]
        user.save(update_fields=["password"])
    return user


#: Field offices that get staff in the demo, busiest first (the report's growth was in the South-East and Texas).
DEMO_OFFICES = ["HOU", "MIA", "ATL", "NOL", "PHO", "DAL", "SNA", "WAS", "CHI", "SLC", "DEN", "PHI"]


def seed(ctx: DemoContext) -> None:
    """The people of the program: HQ, OCIO, a director per demo office, field PMs."""
    from .models import StaffProfile

    FieldOffice = StaffProfile._meta.get_field("field_office").related_model  # the agreements app's
    codes = ctx.office_codes()
    offices = {o.code: o for o in FieldOffice.objects.filter(code__in=codes)}
    make_operator(ctx)
    make_user(
        ctx,
        "chief",
        Role.UNIT_CHIEF,
        first="Teresa",
        last="Whitfield",
        title="287(g) Unit Chief",
        login_note="sees and changes everything, settings included",
    )
    make_user(
        ctx,
        "npm",
        Role.NATIONAL_PM,
        first="Marcus",
        last="Delgado",
        title="National Program Manager",
        login_note="sees and changes everything but settings",
    )
    make_user(ctx, "npm2", Role.NATIONAL_PM, title="National Program Manager")
    make_user(
        ctx,
        "analyst",
        Role.HQ_ANALYST,
        first="Priya",
        last="Raman",
        title="Program analyst",
        login_note="sees everything, changes nothing",
    )
    make_user(
        ctx,
        "ocio",
        Role.OCIO,
        first="Gregory",
        last="Tan",
        title="OCIO installer",
        login_note="all installations, nationally",
    )
    for code in codes:
        office = offices[code]
        note = "the Houston field office" if code == "HOU" else None
        make_user(
            ctx,
            f"fod.{code.lower()}",
            Role.FIELD_OFFICE_DIRECTOR,
            office=office,
            title=f"Field Office Director, {office.name}",
            login_note=note,
        )
    n_pms = ctx.size["field_pms"]
    for i in range(n_pms):
        code = codes[i % len(codes)] if i >= 2 else "HOU"
        username = "pm.houston" if i == 0 else f"pm{i:03d}"
        make_user(
            ctx,
            username,
            Role.FIELD_PM,
            office=offices[code],
            title="Field Program Manager",
            login_note="the agencies assigned to this manager (Houston)" if i == 0 else None,
        )


def run(scale: str = "small", *, seed_value: int = 287, today: dt.date | None = None, log=print) -> DemoContext:
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}.")
    ctx = DemoContext(scale=scale, rng=random.Random(seed_value), today=today or dates.today())
    from .apps import app_modules
    from .audit import Channel
    from .audit import context as audit_context
    from .audit.bulk import baseline_history, models_with_history

    with audit_context(channel=Channel.COMMAND, actor_label="demo data", reason="Demo data"):
        for config, module in app_modules("demo"):
            log(f"Seeding {config.verbose_name}…")
            start = time.perf_counter()
            module.seed(ctx)
            log(f"  {time.perf_counter() - start:.1f} s")
        # Rows the apps created in bulk get their baseline, so a first edit shows the values before.
        start = time.perf_counter()
        for model in models_with_history():
            baseline_history(model, reason="Demo data")
        log(f"Baseline history: {time.perf_counter() - start:.1f} s")
    return ctx
