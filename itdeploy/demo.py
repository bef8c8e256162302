"""Demo installations: every signed Jail Enforcement agreement's site, in every state of
progress. Completed sites took from about four months to about nine (the OIG found more
than half over 180 days and the worst at 258); a few old sites wait for HQ to confirm
their status; two installers, one of them dedicated, as OIG found."""

from __future__ import annotations

import datetime as dt

from agreements.choices import AgreementStatus
from agreements.models import Agency, Agreement
from portal.audit.bulk import bulk_create_with_history, bulk_update_with_history
from portal.demo import DemoContext
from portal.roles import Role

from .choices import InstallationStatus, PauseReason, StepKind
from .models import (
    Installation,
    InstallationStep,
    Installer,
    InstallerUnavailability,
    ProgramModelSetting,
    StepPause,
    StepTemplate,
)


def _durations(rng) -> dict[int, int]:
    """Working days of each step at one site: mostly near the plan, the purchase order and
    the telecom line with long tails (the report's delays)."""
    return {
        1: rng.randint(4, 18),
        2: rng.randint(25, 80),
        3: int(rng.triangular(70, 190, 95)),
        4: rng.randint(14, 45),
        5: int(rng.triangular(45, 150, 80)),
        6: rng.randint(8, 40),
    }


def _simulate(templates, deps, signed, durations, pause_days, install_wait):
    """Start and end of each step of one site, along the plan's dependencies."""
    starts, ends = {}, {}
    for t in templates:
        start = max([signed, *[ends[d] for d in deps[t.number]]])
        if t.kind == StepKind.INSTALL:
            start += dt.timedelta(days=install_wait)
        starts[t.number] = start
        ends[t.number] = start + dt.timedelta(
            days=durations.get(t.number, t.planned_days) + pause_days.get(t.number, 0)
        )
    return starts, ends


def _sign_recent_applications(ctx: DemoContext) -> None:
    """Sign a few pending Jail Enforcement applications within the last months, so the
    pipeline has sites at its first steps (the agreements app's own service records it)."""
    from agreements.services import agreement_sign
    from agreements.signals import agreement_signed

    pending = list(
        Agreement.objects.filter(
            program_model="jem", status__in=["approved", "under_review", "application_received"]
        ).order_by("pk")
    )
    chosen = pending[: max(1, min(12, len(pending) // 2))] if pending else []
    user = (ctx.people.get(Role.NATIONAL_PM) or [None])[0]
    # The installations of these sites are built below with the others, in bulk.
    agreement_signed.disconnect(dispatch_uid="itdeploy.open_installation")
    try:
        for agreement in chosen:
            floor = agreement.applied_on or ctx.today - dt.timedelta(days=400)
            signed_on = max(floor, ctx.today - dt.timedelta(days=ctx.rng.randint(5, 240)))
            agreement_sign(
                agreement=agreement,
                acting_user=user,
                signed_on=min(signed_on, ctx.today),
                reason="Demo: signed recently",
            )
    finally:
        from .receivers import open_installation

        agreement_signed.connect(open_installation, dispatch_uid="itdeploy.open_installation")


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = ctx.today
    hq_user = (ctx.people.get(Role.UNIT_CHIEF) or [None])[0]
    ocio_user = (ctx.people.get(Role.OCIO) or [None])[0]
    dedicated = Installer.objects.create(
        name="Gregory Tan",
        user=ocio_user,
        days_per_week=5,
        home_base="Dallas, TX",
        note="OCIO's one dedicated 287(g) installer",
    )
    shared = Installer.objects.create(
        name="Alicia Moreno",
        days_per_week=1.5,
        home_base="Washington, DC",
        note="Shared with other programs' installations",
    )
    InstallerUnavailability.objects.create(
        installer=shared,
        starts_on=today + dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=40),
        reason="Detailed to another program",
    )

    _sign_recent_applications(ctx)
    templates = list(StepTemplate.objects.prefetch_related("depends_on").order_by("number"))
    deps = {t.number: [d.number for d in t.depends_on.all()] for t in templates}
    needing = ProgramModelSetting.models_needing_installation()
    agreements = list(
        Agreement.objects.filter(
            status=AgreementStatus.SIGNED, program_model__in=needing, signed_on__isnull=False
        ).order_by("agency_id", "signed_on")
    )
    first_by_agency: dict[int, Agreement] = {}
    for agreement in agreements:
        first_by_agency.setdefault(agreement.agency_id, agreement)

    installations, plans = [], []
    skipped = 0
    for agency_id, agreement in first_by_agency.items():
        if skipped < 2 and rng.random() < 0.05:
            skipped += 1  # no installation opened: the sweep flags it
            continue
        signed = agreement.signed_on
        age = (today - signed).days
        durations = _durations(rng)
        pause_days = {n: (rng.randint(10, 30) if n in (3, 5) and rng.random() < 0.2 else 0) for n in durations}
        install_wait = 0
        starts, ends = _simulate(templates, deps, signed, durations, pause_days, install_wait)
        install_number = next((t.number for t in templates if t.kind == StepKind.INSTALL), templates[-1].number)
        if ends[install_number] <= today and age <= 700 and rng.random() < 0.55:
            # A site still held up today: the purchase order, the telecom line, or the installer queue.
            stalled = rng.choice([3, 5, install_number])
            if stalled == install_number:
                install_wait = (today - starts[install_number]).days + rng.randint(3, 60)
            else:
                durations[stalled] += (today - ends[stalled]).days + rng.randint(5, 60)
            starts, ends = _simulate(templates, deps, signed, durations, pause_days, install_wait)
        operational_on = ends[install_number] if ends[install_number] <= today else None
        unconfirmed = (operational_on is None and age > 700) or (age > 900 and rng.random() < 0.04)
        if unconfirmed:
            status = InstallationStatus.UNCONFIRMED
            operational_on = None
        elif operational_on:
            status = InstallationStatus.OPERATIONAL
        else:
            status = InstallationStatus.IN_PROGRESS
        installations.append(
            Installation(
                agency_id=agency_id,
                opened_from=agreement,
                moa_signed_on=signed,
                opened_on=signed,
                status=status,
                operational_on=operational_on,
                priority_rank=rng.choice([1, 2])
                if status == InstallationStatus.IN_PROGRESS and rng.random() < 0.08
                else None,
            )
        )
        plans.append((status, starts, ends, pause_days))
    installations = bulk_create_with_history(
        installations, Installation, default_user=hq_user, default_change_reason="Demo data"
    )
    by_agency = {i.agency_id: i for i in Installation.objects.all()}

    steps = []
    for installation, (status, starts, ends, _pause_days) in zip(installations, plans):
        installation = by_agency[installation.agency_id]
        for t in templates:
            started = completed = None
            if status != InstallationStatus.UNCONFIRMED:
                if starts[t.number] <= today:
                    started = starts[t.number]
                if ends[t.number] <= today:
                    completed = ends[t.number]
            steps.append(
                InstallationStep(
                    installation=installation,
                    template=t,
                    number=t.number,
                    name=t.name,
                    owner=t.owner,
                    kind=t.kind,
                    planned_days=t.planned_days,
                    started_on=started,
                    completed_on=completed,
                    installer=(dedicated if rng.random() < 0.8 else shared)
                    if t.kind == StepKind.INSTALL and started
                    else None,
                )
            )
    bulk_create_with_history(
        steps, InstallationStep, default_user=ocio_user, default_change_reason="Demo data", batch_size=2000
    )
    saved = {(s.installation_id, s.number): s for s in InstallationStep.objects.all()}
    through = InstallationStep.depends_on.through
    links = [
        through(from_installationstep_id=saved[(i, n)].pk, to_installationstep_id=saved[(i, d)].pk)
        for (i, n) in saved
        for d in deps.get(n, [])
    ]
    through.objects.bulk_create(links, batch_size=5000)

    pauses = []
    for installation, (_status, _starts, _ends, pause_days) in zip(installations, plans):
        installation = by_agency[installation.agency_id]
        for number, days in pause_days.items():
            step = saved[(installation.pk, number)]
            if not days or step.started_on is None:
                continue
            begin = step.started_on + dt.timedelta(days=rng.randint(5, 20))
            if begin > today:
                continue
            end = begin + dt.timedelta(days=days)
            pauses.append(
                StepPause(
                    step=step,
                    reason=rng.choice([PauseReason.WAITING_ON_AGENCY, PauseReason.SITE_ACCESS]),
                    started_on=begin,
                    ended_on=end if end <= today else None,
                    note="Jail renovation" if rng.random() < 0.3 else "",
                )
            )
    bulk_create_with_history(pauses, StepPause, default_user=ocio_user, default_change_reason="Demo data")

    operational = {
        i.agency_id: i.operational_on for i in Installation.objects.filter(status=InstallationStatus.OPERATIONAL)
    }
    agencies = list(Agency.objects.filter(pk__in=list(operational)))
    for agency in agencies:
        agency.equipment_operational_since = operational[agency.pk]
    bulk_update_with_history(
        agencies,
        Agency,
        ["equipment_operational_since"],
        default_user=ocio_user,
        default_change_reason="Site equipment operational",
        batch_size=2000,
    )
    ctx.extra["installations"] = len(installations)
    seed_manager_sites(ctx)


#: The open sites the demo gives the Houston manager (``pm.houston``), one at each stage:
#: (days since the MOA signature, steps complete, steps started and still open, step paused).
MANAGER_SITES = [
    (6, [], [1], None),  # just signed: OCIO management allocates staff
    (45, [1], [2, 3, 5], 3),  # ISA, purchase order and telecom line under way; the purchase waits on the agency
    (150, [1, 2, 3], [4, 5], None),  # equipment on its way, the T1 line still being installed
    (170, [1, 2, 3, 4, 5], [], None),  # everything ready: OCIO starts the equipment installation
]


def seed_manager_sites(ctx: DemoContext) -> None:
    """Open installations at each stage for the Houston demo manager, through the
    agreements' and the pipeline's own services (an application signed, its site opened
    by the ``agreement_signed`` receiver, steps started, paused and completed), so each
    step action can be tried on a fresh demo from the step's row."""
    from django.contrib.auth import get_user_model

    from agreements.services import agreement_create, agreement_sign
    from portal import dates

    from . import services

    manager = get_user_model().objects.filter(username="pm.houston").first()
    chief = (ctx.people.get(Role.UNIT_CHIEF) or [None])[0]
    if manager is None or chief is None:
        return
    today = min(ctx.today, dates.today())
    agencies = list(
        Agency.objects.visible_to(manager)
        .filter(installation__isnull=True)
        .exclude(agreements__program_model="jem")
        .order_by("name")[: len(MANAGER_SITES)]
    )
    for agency, (age, complete, started, paused) in zip(agencies, MANAGER_SITES):
        signed_on = today - dt.timedelta(days=age)
        agreement = agreement_create(
            acting_user=chief, agency=agency, program_model="jem", applied_on=signed_on - dt.timedelta(days=60)
        )
        agreement_sign(agreement=agreement, acting_user=chief, signed_on=signed_on, reason="Demo: signed")
        installation = Installation.objects.filter(agency=agency).first()
        if installation is None:
            continue
        steps = {s.number: s for s in installation.steps.all()}
        done_on = {}
        for number in sorted(set(complete) | set(started)):
            step = steps[number]
            after = [done_on[d.number] for d in step.depends_on.all() if d.number in done_on]
            step.refresh_from_db()
            start = step.started_on or max([signed_on, *after])
            if step.started_on is None:  # the first step starts when the site opens
                services.step_start(step=step, started_on=start, acting_user=manager, note="Demo")
            if number in complete:
                end = min(today, start + dt.timedelta(days=max(1, min(step.planned_days, (today - start).days // 2))))
                services.step_complete(step=step, completed_on=end, acting_user=manager, note="Demo")
                done_on[number] = end
        if paused:
            step = steps[paused]
            step.refresh_from_db()
            services.step_pause(
                step=step,
                paused_on=min(today, step.started_on + dt.timedelta(days=10)),
                reason=PauseReason.WAITING_ON_AGENCY,
                acting_user=manager,
                note="Demo: the jail's server room is being rebuilt",
            )
    ctx.extra["manager_sites"] = len(agencies)
