"""Demo officers and training in keeping with the OIG report: about 374 officers at the
small scale, 212 of them certified more than a year ago (the count grew by three
quarters in a year), most recertified last year and some overdue, some security cards
lapsed (more where the agency has no working equipment), academy classes through the
fiscal year with no basic class in Q1."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agreements.choices import AgreementStatus
from agreements.models import Agency
from portal import dates
from portal.audit.bulk import bulk_create_with_history, bulk_update_with_history
from portal.demo import DemoContext, person_name

from .catalogue import ensure_catalogue
from .choices import ClassStatus, CompletionSource, CourseKind, EnrollmentStatus, OfficerStatus, SuspensionCause
from .models import AcademyClass, AcademySite, CardLogin, Completion, Course, Enrollment, Officer, OfficerEvent

#: Card logins of the synthetic scales: a year of them, a few days apart (about 30 an officer).
LOGIN_GAPS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 19, 22)
FLUSH = 50_000  # rows built before each bulk write, so memory stays bounded at the national scale


def seed(ctx: DemoContext) -> None:
    ensure_catalogue()
    rng, today = ctx.rng, ctx.today
    agencies = list(Agency.objects.filter(agreements__status=AgreementStatus.SIGNED).distinct().order_by("pk"))
    if not agencies:
        return
    total = ctx.size["officers"]
    veterans = round(total * 212 / 374)  # certified more than a year ago
    year_ago = today - dt.timedelta(days=400)
    fy = dates.fiscal_year(today)
    officers = []
    for i in range(total):
        agency = agencies[i % len(agencies)] if i < len(agencies) else rng.choice(agencies)
        first, last = person_name(rng)
        if i < veterans:
            certified = year_ago - dt.timedelta(days=rng.randint(0, 2200))
        else:
            certified = today - dt.timedelta(days=rng.randint(20, 399))
        status = OfficerStatus.CERTIFIED
        roll = rng.random()
        if i >= total - round(total * 0.06):  # a pipeline of nominees and trainees
            status, certified = (
                rng.choice([OfficerStatus.NOMINATED, OfficerStatus.ADJUDICATED, OfficerStatus.IN_TRAINING]),
                None,
            )
        elif roll < 0.02:
            status = OfficerStatus.LEFT
        number = f"{agency.state}-{i + 1:06d}"
        login_gap = (
            rng.choice([1, 2, 3, 5, 8, 12, 15, 19, 22, 26, 28, 33, 45])
            if agency.equipment_operational_since
            else rng.choice([2, 4, 9, 14, 21, 27, 40])
        )
        last_login = timezone.make_aware(
            dt.datetime.combine(
                today - dt.timedelta(days=login_gap), dt.time(8 + rng.randint(0, 9), rng.randint(0, 59))
            )
        )
        officers.append(
            Officer(
                agency=agency,
                officer_number=number,
                last_name=last,
                first_name=first,
                email=f"{first[0].lower()}{last.lower()}{i}@{agency.match_key.replace(' ', '')[:20]}.gov",
                status=status,
                status_since=certified or today - dt.timedelta(days=rng.randint(5, 60)),
                certified_on=certified,
                card_last_login_at=last_login if certified else None,
                card_last_login_on=dates.local_date(last_login) if certified else None,
                left_on=today - dt.timedelta(days=rng.randint(10, 200)) if status == OfficerStatus.LEFT else None,
            )
        )
    bulk_create_with_history(officers, Officer, batch_size=2000, default_change_reason="Demo data")
    officers = list(Officer.objects.order_by("pk"))

    palms = list(Course.objects.filter(kind=CourseKind.PALMS, retired_on__isnull=True))
    refresher = Course.objects.get(code="IADRP")
    completions, events = [], []
    prev_start, prev_end = dates.fiscal_year_start(fy - 1), dates.fiscal_year_end(fy - 1)
    this_start = dates.fiscal_year_start(fy)
    before_start = dates.fiscal_year_start(fy - 2)
    for o in officers:
        if len(completions) >= FLUSH:
            Completion.objects.bulk_create(completions, batch_size=5000, ignore_conflicts=True)
            completions = []
        events.append(
            OfficerEvent(
                officer=o,
                verb="nominate",
                to_status=OfficerStatus.NOMINATED,
                on=(o.certified_on or o.status_since) - dt.timedelta(days=90),
                reason="Demo data",
            )
        )
        if not o.certified_on:
            continue
        events.append(
            OfficerEvent(
                officer=o,
                verb="certify",
                from_status=OfficerStatus.IN_TRAINING,
                to_status=OfficerStatus.CERTIFIED,
                on=o.certified_on,
                reason="Completed the basic course",
            )
        )
        # The synthetic scales keep the year before last too (the program's history of recertifications).
        if ctx.synthetic and o.certified_on < before_start:
            completions += _palms_year(rng, o, palms, before_start, 150)
        # Last fiscal year: most recertified; about 8% missed it.
        if o.certified_on < prev_start and rng.random() > 0.08:
            completions += _palms_year(rng, o, palms, prev_start, 200)
        # This fiscal year: progress grows towards 30 September.
        if o.certified_on < this_start:
            share = min(1.0, max(0.0, (today - this_start).days / 365 + rng.uniform(-0.3, 0.3)))
            for c in palms[: round(share * len(palms))]:
                completions.append(
                    Completion(
                        officer=o,
                        course=c,
                        completed_on=this_start + dt.timedelta(days=rng.randint(0, max(0, (today - this_start).days))),
                        source=CompletionSource.PALMS_EXPORT,
                    )
                )
        # Refresher: most veterans took it two years after certification.
        refresher_on = o.certified_on + dt.timedelta(days=730 - rng.randint(0, 60))
        if refresher_on < today and rng.random() < 0.85:
            completions.append(
                Completion(officer=o, course=refresher, completed_on=refresher_on, source=CompletionSource.ACADEMY)
            )
    Completion.objects.bulk_create(completions, batch_size=5000, ignore_conflicts=True)

    # Some who missed last year's recertification were suspended 100+ days ago, a few with no follow-up.
    recertified = set(
        Completion.objects.filter(
            course__kind=CourseKind.PALMS, completed_on__range=(prev_start, prev_end)
        ).values_list("officer_id", flat=True)
    )
    missed = [
        o
        for o in officers
        if o.status == OfficerStatus.CERTIFIED
        and o.certified_on
        and o.certified_on < prev_start
        and o.pk not in recertified
    ]
    to_suspend = missed[: max(3, len(missed) // 2)]
    for o in to_suspend:
        o.status, o.suspended_on, o.suspension_cause = (
            OfficerStatus.SUSPENDED,
            today - dt.timedelta(days=rng.choice([20, 60, 95, 120])),
            SuspensionCause.RECERTIFICATION,
        )
        o.status_since = o.suspended_on
        events.append(
            OfficerEvent(
                officer=o,
                verb="suspend",
                from_status=OfficerStatus.CERTIFIED,
                to_status=OfficerStatus.SUSPENDED,
                on=o.suspended_on,
                reason="Missed the PALMS recertification",
            )
        )
    bulk_update_with_history(to_suspend, Officer, ["status", "suspended_on", "suspension_cause", "status_since"])
    OfficerEvent.objects.bulk_create(events, batch_size=5000)
    if ctx.synthetic:
        _year_of_logins(ctx, officers)
    else:
        CardLogin.objects.bulk_create(
            [CardLogin(officer=o, logged_in_at=o.card_last_login_at) for o in officers if o.card_last_login_at],
            batch_size=5000,
            ignore_conflicts=True,
        )

    # Academy classes: last and this fiscal year; basic classes from January (Q2) on, refreshers all year.
    site = AcademySite.objects.get(is_default=True)
    basic = Course.objects.get(code="IADP")
    classes = []
    for year in (fy - 1, fy):
        start = dates.fiscal_year_start(year)
        for week in range(0, 52, 6):
            day = start + dt.timedelta(weeks=week)
            day -= dt.timedelta(days=day.weekday())
            if dates.fiscal_quarter(day) != 1:
                classes.append(
                    AcademyClass(
                        course=basic,
                        site=site,
                        starts_on=day,
                        ends_on=day + dt.timedelta(days=27),
                        capacity=24,
                        status=ClassStatus.COMPLETED if day + dt.timedelta(days=27) < today else ClassStatus.SCHEDULED,
                    )
                )
            r_day = day + dt.timedelta(weeks=2)
            classes.append(
                AcademyClass(
                    course=refresher,
                    site=site,
                    starts_on=r_day,
                    ends_on=r_day + dt.timedelta(days=6),
                    capacity=24,
                    status=ClassStatus.COMPLETED if r_day + dt.timedelta(days=6) < today else ClassStatus.SCHEDULED,
                )
            )
    bulk_create_with_history(classes, AcademyClass, batch_size=500, default_change_reason="Demo data")
    upcoming = list(
        AcademyClass.objects.filter(course=basic, status=ClassStatus.SCHEDULED, starts_on__gt=today).order_by(
            "starts_on"
        )[:1]
    )
    pipeline = [o for o in officers if o.status in (OfficerStatus.ADJUDICATED, OfficerStatus.IN_TRAINING)]
    if upcoming:
        c = upcoming[0]
        enrollments = [
            Enrollment(
                academy_class=c,
                officer=o,
                status=EnrollmentStatus.ENROLLED if k < c.capacity else EnrollmentStatus.WAITLISTED,
                requested_at=timezone.now() - dt.timedelta(days=30 - k),
            )
            for k, o in enumerate(pipeline)
        ]
        Enrollment.objects.bulk_create(enrollments, batch_size=1000)
    seed_manager_class(ctx, refresher=refresher, site=site)


def _palms_year(rng, officer, palms, fy_start: dt.date, earliest_day: int) -> list:
    """The PALMS courses of one fiscal year, each on a day from ``earliest_day`` to 360 of it."""
    return [
        Completion(
            officer=officer,
            course=c,
            completed_on=fy_start + dt.timedelta(days=rng.randint(earliest_day, 360)),
            source=CompletionSource.PALMS_EXPORT,
        )
        for c in palms
    ]


def _year_of_logins(ctx: DemoContext, officers) -> None:
    """A year of card logins per officer with a card (about 1.5 million at the national
    scale), the last one the officer's recorded last login, written in bounded batches."""
    rng = ctx.rng
    horizon = timezone.make_aware(dt.datetime.combine(ctx.today - dt.timedelta(days=365), dt.time()))
    rows = []
    for o in officers:
        at = o.card_last_login_at
        if at is None:
            continue
        floor = max(horizon, timezone.make_aware(dt.datetime.combine(o.certified_on, dt.time())))
        while at >= floor:
            rows.append(CardLogin(officer_id=o.pk, logged_in_at=at))
            at = at - dt.timedelta(days=rng.choice(LOGIN_GAPS), minutes=rng.randint(-90, 90))
        if len(rows) >= FLUSH:
            CardLogin.objects.bulk_create(rows, batch_size=10_000, ignore_conflicts=True)
            rows = []
    CardLogin.objects.bulk_create(rows, batch_size=10_000, ignore_conflicts=True)


def seed_manager_class(ctx: DemoContext, *, refresher, site) -> None:
    """A small refresher class three weeks ahead, its seats taken by the Houston demo
    manager's certified officers and two more on its waiting list, through the enrolment
    service (a freed seat goes to the first waiting), so enrolment and the waiting list
    can be tried on a fresh demo."""
    from django.contrib.auth import get_user_model

    from . import services

    manager = get_user_model().objects.filter(username="pm.houston").first()
    if manager is None:
        return
    starts = ctx.today + dt.timedelta(weeks=3)
    academy_class = AcademyClass(
        course=refresher,
        site=site,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=4),
        capacity=6,
        status=ClassStatus.SCHEDULED,
    )
    academy_class.full_clean()
    academy_class.save()
    officers = Officer.objects.visible_to(manager).filter(status=OfficerStatus.CERTIFIED).order_by("last_name", "pk")
    for officer in officers[: academy_class.capacity + 2]:
        services.enrollment_request(academy_class=academy_class, officer=officer, acting_user=manager)
