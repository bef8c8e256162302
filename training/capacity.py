"""The academy capacity plan of a fiscal year: will the program have the trained
officers it needs?

- Expected new officers = (agreements pending, plus agreements signed within the fiscal
  year whose agency has no certified officer yet) × officers per agreement, taken from
  history (certified officers ever / agencies with a signed agreement that have officers).
- Refreshers due = certified officers whose last academy training fell two fiscal years
  earlier (the 2-year refresher).
- Seats already scheduled = the seats of the fiscal year's classes not cancelled, per
  course kind and quarter; they are subtracted from the need (seats still to schedule =
  need − scheduled seats, shown per quarter as the need left after that quarter's classes).
- Classes needed = ceil(seats still to schedule / class size), per course.
- Seats available by quarter: each site runs ``max_concurrent_classes`` classes at once
  over the quarter's weeks; a basic class takes 4 weeks, a refresher 1. Basic classes are
  placed first, never in Q1 unless the what-if allows it; refreshers use the rest.
- Shortfall = seats still to schedule minus what the sites can still hold.

What-ifs: ``allow_q1``, ``regional_sites`` (more sites, each running one class at a time),
``class_size``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Exists, OuterRef, Sum

from portal import dates

from . import conf
from .choices import ClassStatus, CourseKind, OfficerStatus
from .models import AcademyClass, AcademySite, Officer, last_training_q

BASIC_WEEKS, REFRESHER_WEEKS = 4, 1


@dataclass
class QuarterPlan:
    quarter: int
    weeks: int
    basic_classes: int = 0
    refresher_classes: int = 0
    basic_seats: int = 0
    refresher_seats: int = 0
    scheduled_classes: int = 0
    basic_seats_scheduled: int = 0
    refresher_seats_scheduled: int = 0
    #: Seats still to schedule after this quarter's scheduled classes (need minus the
    #: seats of the classes scheduled up to and including this quarter).
    basic_seats_to_schedule: int = 0
    refresher_seats_to_schedule: int = 0


@dataclass
class CapacityPlan:
    fiscal_year: int
    class_size: int
    allow_q1: bool
    regional_sites: int
    officers_per_agreement: float
    pending_agreements: int
    new_agreements: int
    expected_new_officers: int
    refreshers_due: int
    basic_classes_needed: int
    refresher_classes_needed: int
    basic_seats_available: int = 0
    refresher_seats_available: int = 0
    basic_shortfall: int = 0
    refresher_shortfall: int = 0
    basic_seats_scheduled: int = 0
    refresher_seats_scheduled: int = 0
    basic_seats_to_schedule: int = 0
    refresher_seats_to_schedule: int = 0
    quarters: list[QuarterPlan] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def rows(self) -> list[list]:
        """The plan as a table, for the CSV and Excel exports."""
        out = [
            [
                "Quarter",
                "Weeks",
                "Basic classes",
                "Basic seats",
                "Refresher classes",
                "Refresher seats",
                "Classes already scheduled",
                "Basic seats scheduled",
                "Refresher seats scheduled",
                "Basic seats still to schedule",
                "Refresher seats still to schedule",
            ]
        ]
        for q in self.quarters:
            out.append(
                [
                    f"Q{q.quarter}",
                    q.weeks,
                    q.basic_classes,
                    q.basic_seats,
                    q.refresher_classes,
                    q.refresher_seats,
                    q.scheduled_classes,
                    q.basic_seats_scheduled,
                    q.refresher_seats_scheduled,
                    q.basic_seats_to_schedule,
                    q.refresher_seats_to_schedule,
                ]
            )
        out.append([])
        for label, value in [
            ("Expected new officers", self.expected_new_officers),
            ("Refreshers due", self.refreshers_due),
            ("Basic classes needed", self.basic_classes_needed),
            ("Refresher classes needed", self.refresher_classes_needed),
            ("Basic seats available", self.basic_seats_available),
            ("Refresher seats available", self.refresher_seats_available),
            ("Basic shortfall (officers)", self.basic_shortfall),
            ("Refresher shortfall (officers)", self.refresher_shortfall),
            ("Basic seats scheduled", self.basic_seats_scheduled),
            ("Refresher seats scheduled", self.refresher_seats_scheduled),
            ("Basic seats still to schedule", self.basic_seats_to_schedule),
            ("Refresher seats still to schedule", self.refresher_seats_to_schedule),
        ]:
            out.append([label, value])
        return out


def capacity_plan(
    fiscal_year: int, *, allow_q1: bool = False, regional_sites: int = 0, class_size: int | None = None
) -> CapacityPlan:
    from agreements.choices import PENDING_STATUSES, AgreementStatus
    from agreements.models import Agency, Agreement

    size = class_size or conf.get("TRAINING_DEFAULT_CLASS_SIZE")
    start, end = dates.fiscal_year_start(fiscal_year), dates.fiscal_year_end(fiscal_year)

    certified_ever = Officer.objects.filter(certified_on__isnull=False)
    agencies_with_officers = (
        Agency.objects.filter(
            Exists(certified_ever.filter(agency=OuterRef("pk"))), agreements__status=AgreementStatus.SIGNED
        )
        .distinct()
        .count()
    )
    per_agreement = (
        (certified_ever.count() / agencies_with_officers)
        if agencies_with_officers
        else conf.get("TRAINING_OFFICERS_PER_AGREEMENT")
    )
    pending = Agreement.objects.filter(status__in=PENDING_STATUSES).values("agency").distinct().count()
    new = (
        Agreement.objects.filter(status=AgreementStatus.SIGNED, signed_on__range=(start, end))
        .exclude(Exists(certified_ever.filter(agency=OuterRef("agency"))))
        .values("agency")
        .distinct()
        .count()
    )
    expected = math.ceil((pending + new) * per_agreement)

    two_years = (dates.fiscal_year_start(fiscal_year - 2), dates.fiscal_year_end(fiscal_year - 2))
    refreshers = (
        Officer.objects.filter(status=OfficerStatus.CERTIFIED)
        .filter(last_training_q(since=two_years[0], until=two_years[1]))
        .count()
    )

    sites = list(AcademySite.objects.values_list("max_concurrent_classes", flat=True)) + [1] * regional_sites
    concurrency = sum(sites)
    scheduled = list(
        AcademyClass.objects.filter(starts_on__range=(start, end))
        .exclude(status=ClassStatus.CANCELLED)
        .values_list("starts_on", "course__kind")
        .annotate(n=Count("id"), seats=Sum("capacity"))
    )
    scheduled_seats = {
        kind: sum(seats for _, k, _, seats in scheduled if k == kind)
        for kind in (CourseKind.BASIC, CourseKind.REFRESHER)
    }
    # The seats of classes already scheduled are subtracted from the need: only the rest
    # needs new classes.
    basic_need = max(0, expected - scheduled_seats[CourseKind.BASIC])
    refresher_need = max(0, refreshers - scheduled_seats[CourseKind.REFRESHER])
    plan = CapacityPlan(
        fiscal_year=fiscal_year,
        class_size=size,
        allow_q1=allow_q1,
        regional_sites=regional_sites,
        officers_per_agreement=round(per_agreement, 2),
        pending_agreements=pending,
        new_agreements=new,
        expected_new_officers=expected,
        refreshers_due=refreshers,
        basic_classes_needed=math.ceil(basic_need / size),
        refresher_classes_needed=math.ceil(refresher_need / size),
        basic_seats_scheduled=scheduled_seats[CourseKind.BASIC],
        refresher_seats_scheduled=scheduled_seats[CourseKind.REFRESHER],
        basic_seats_to_schedule=basic_need,
        refresher_seats_to_schedule=refresher_need,
    )
    basic_left = plan.basic_classes_needed
    basic_booked = refresher_booked = 0
    for quarter in (1, 2, 3, 4):
        q_start, q_end = dates.fiscal_quarter_bounds(fiscal_year, quarter)
        weeks = ((q_end - q_start).days + 1) // 7
        class_weeks = concurrency * weeks
        in_quarter = [(kind, n, seats) for day, kind, n, seats in scheduled if q_start <= day <= q_end]
        q = QuarterPlan(
            quarter=quarter,
            weeks=weeks,
            scheduled_classes=sum(n for _, n, _ in in_quarter),
            basic_seats_scheduled=sum(seats for k, _, seats in in_quarter if k == CourseKind.BASIC),
            refresher_seats_scheduled=sum(seats for k, _, seats in in_quarter if k == CourseKind.REFRESHER),
        )
        basic_booked += q.basic_seats_scheduled
        refresher_booked += q.refresher_seats_scheduled
        q.basic_seats_to_schedule = max(0, expected - basic_booked)
        q.refresher_seats_to_schedule = max(0, refreshers - refresher_booked)
        # Basic classes have priority: each concurrent slot holds weeks // 4 of them in a
        # quarter; the class-weeks they take are gone for refreshers.
        slots = sum((weeks // BASIC_WEEKS) * c for c in sites) if (quarter != 1 or allow_q1) else 0
        q.basic_classes = min(slots, max(basic_left, 0))
        basic_left -= q.basic_classes
        q.refresher_classes = (class_weeks - q.basic_classes * BASIC_WEEKS) // REFRESHER_WEEKS
        q.basic_seats = slots * size
        q.refresher_seats = q.refresher_classes * size
        plan.quarters.append(q)
    plan.basic_seats_available = sum(q.basic_seats for q in plan.quarters)
    plan.refresher_seats_available = sum(q.refresher_seats for q in plan.quarters)
    plan.basic_shortfall = max(0, basic_need - plan.basic_seats_available)
    plan.refresher_shortfall = max(0, refresher_need - plan.refresher_seats_available)
    return plan
