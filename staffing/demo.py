"""Demo assignments: each agency with a signed agreement gets a primary program manager
of its office and, mostly, a backup; a few are left uncovered, as in the field."""

from __future__ import annotations

import datetime as dt

from agreements.choices import AgreementStatus
from agreements.models import Agency
from portal.demo import DemoContext
from portal.roles import Role

from .choices import AssignmentKind
from .models import Assignment


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    pms = ctx.people.get(Role.FIELD_PM, [])
    by_office: dict[int, list] = {}
    for pm in pms:
        by_office.setdefault(pm.staff_profile.field_office_id, []).append(pm)
    signed_ids = set(
        Agency.objects.filter(agreements__status=AgreementStatus.SIGNED).values_list("id", flat=True)
    )
    houston_pm = next((pm for pm in pms if pm.username == "pm.houston"), None)
    rows = []
    houston_count = 0
    for agency in Agency.objects.filter(pk__in=signed_ids).order_by("pk"):
        office_pms = by_office.get(agency.field_office_id) or pms
        if not office_pms or rng.random() < 0.04:
            continue  # no primary: the sweep flags it
        if houston_pm and agency.field_office_id == houston_pm.staff_profile.field_office_id and houston_count < 16:
            primary = houston_pm
            houston_count += 1
        else:
            primary = rng.choice(office_pms)
        starts = ctx.today - dt.timedelta(days=rng.randint(30, 1500))
        rows.append(Assignment(agency=agency, program_manager=primary, kind=AssignmentKind.PRIMARY, starts_on=starts))
        others = [pm for pm in office_pms if pm != primary]
        if others and rng.random() < 0.85:
            rows.append(Assignment(agency=agency, program_manager=rng.choice(others), kind=AssignmentKind.BACKUP,
                                   starts_on=starts))
    Assignment.objects.bulk_create(rows, batch_size=1000)
