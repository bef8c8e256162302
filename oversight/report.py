"""The quarterly oversight report: one section per recommendation of the Inspector
General's report OIG-18-77, with the figures at the end of the chosen fiscal quarter
(or today, for the quarter under way) and their change since the end of the previous
quarter. Every figure reads through the reader's scope.

1. Staffing plan from the model: program managers the model requires against those
   assigned, the gap, field offices above the model.
2. Reporting lines: field program managers with both lines (program and administrative)
   defined on the day, and those missing either.
3. Installation timeline: sites that became operational in the quarter, their median
   days from MOA signature and the share within the goal; sites open past the goal.
4. Training and recertification: certified officers, officers certified in the quarter,
   the share with the fiscal year's PALMS recertification complete by the day, and academy
   seats filled in the quarter's classes.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from portal import dates

QUARTER = re.compile(r"^FY(\d{4})Q([1-4])$")

RECOMMENDATIONS = {
    1: (
        "Staffing plan from the staffing model",
        "Develop a staffing plan for the 287(g) program based on analysis of workload (1 PM per 12 officers or 2,000 cases).",
    ),
    2: (
        "Reporting lines defined for every manager",
        "Define the reporting lines of field program managers: a program line to HQ and an administrative line to the field office.",
    ),
    3: (
        "Installation timeline against 180 days",
        "Streamline the IT installation so that a new site is operational within 180 days of the MOA signature.",
    ),
    4: (
        "Training and recertification",
        "Ensure officers are trained and complete the annual PALMS recertification by 30 September.",
    ),
}


@dataclass(frozen=True)
class Quarter:
    fiscal_year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = QUARTER.match(text or "")
        if not match:
            raise ValueError("Write the quarter as FY2026Q1.")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(dates.fiscal_year(day), dates.fiscal_quarter(day))

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year}Q{self.number}"

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        return dates.fiscal_quarter_bounds(self.fiscal_year, self.number)

    def previous(self) -> Quarter:
        return Quarter(self.fiscal_year, self.number - 1) if self.number > 1 else Quarter(self.fiscal_year - 1, 4)


def _share(part, whole):
    return round(100 * part / whole, 1) if whole else None


def staffing_section(user, day: dt.date) -> dict:
    from staffing import figures

    seen = figures.visible_figures(user, figures.compute(day))
    rows = [seen["nation"]] if seen["nation"] is not None else seen["offices"]
    required = sum(r.required for r in rows)
    assigned = sum(r.assigned for r in rows)
    above = sum(1 for o in seen["offices"] if o.load is None or o.load > 1)
    return {
        "required": round(required, 2),
        "assigned": round(assigned, 2),
        "gap": round(required - assigned, 2),
        "offices_above_model": above,
    }


def reporting_section(user, day: dt.date) -> dict:
    from portal.roles import HQ_ROLES, Role, field_office_id_of, role_of
    from staffing.selectors import current_lines, field_managers, missing_lines

    managers = field_managers()
    role = role_of(user)
    if role not in HQ_ROLES:
        managers = (
            managers.filter(staff_profile__field_office_id=field_office_id_of(user))
            if role == Role.FIELD_OFFICE_DIRECTOR
            else managers.none()
        )
    ids = list(managers.values_list("pk", flat=True))
    lines = current_lines(ids, day)
    missing = [missing_lines(lines.get(i, {})) for i in ids]
    both = sum(1 for m in missing if not m)
    return {
        "managers": len(ids),
        "with_both_lines": both,
        "share_with_both_lines": _share(both, len(ids)),
        "missing_program_line": sum(1 for m in missing if any(x.startswith("Program") for x in m)),
        "missing_administrative_line": sum(1 for m in missing if any(x.startswith("Administrative") for x in m)),
    }


def installation_section(user, first: dt.date, day: dt.date) -> dict:
    from itdeploy.models import Installation, InstallationSettings

    goal = InstallationSettings.current().goal_days
    sites = Installation.objects.visible_to(user)
    days = [
        (done - signed).days
        for signed, done in sites.filter(operational_on__range=(first, day), dates_estimated=False).values_list(
            "moa_signed_on", "operational_on"
        )
    ]
    within = sum(1 for d in days if d <= goal)
    past_goal = (
        sites.filter(moa_signed_on__lt=day - dt.timedelta(days=goal), moa_signed_on__lte=day)
        .filter(Q(operational_on__isnull=True) | Q(operational_on__gt=day))
        .count()
    )
    return {
        "operational_in_quarter": len(days),
        "median_days": statistics.median(days) if days else None,
        "share_within_goal": _share(within, len(days)),
        "open_past_goal": past_goal,
        "goal_days": goal,
    }


def training_section(user, first: dt.date, day: dt.date) -> dict:
    from training.choices import ClassStatus, CourseKind, EnrollmentStatus
    from training.models import AcademyClass, Completion, Course, Officer

    fy_start = dates.fiscal_year_start(dates.fiscal_year(day))
    required = Course.objects.filter(kind=CourseKind.PALMS, retired_on__isnull=True)
    n_required = required.count()
    officers = (
        Officer.objects.visible_to(user)
        .filter(certified_on__lte=day)
        .exclude(revoked_on__lte=day)
        .exclude(left_on__lte=day)
    )
    done = Coalesce(
        Subquery(
            Completion.objects.filter(officer=OuterRef("pk"), course__in=required, completed_on__range=(fy_start, day))
            .order_by()
            .values("officer")
            .annotate(n=Count("course", distinct=True))
            .values("n")
        ),
        Value(0),
    )
    counts = officers.annotate(done=done).aggregate(
        certified=Count("id"),
        recertified=Count("id", filter=Q(certified_on__gte=fy_start) | Q(done__gte=n_required)),
        certified_in_quarter=Count("id", filter=Q(certified_on__gte=first)),
    )
    held = AcademyClass.objects.filter(starts_on__range=(first, day)).exclude(status=ClassStatus.CANCELLED)
    classes = list(held.values_list("capacity", flat=True))
    capacity = sum(classes)
    filled = held.aggregate(
        n=Count(
            "enrollments",
            filter=Q(
                enrollments__status__in=[
                    EnrollmentStatus.ENROLLED,
                    EnrollmentStatus.COMPLETED,
                    EnrollmentStatus.NOT_COMPLETED,
                ]
            ),
        )
    )["n"]
    return {
        "certified": counts["certified"],
        "certified_in_quarter": counts["certified_in_quarter"],
        "recertified": counts["recertified"],
        "share_recertified": _share(counts["recertified"], counts["certified"]),
        "classes": len(classes),
        "seats": capacity,
        "seats_filled": filled,
        "share_seats_filled": _share(filled, capacity),
    }


LABELS = {
    1: [
        ("required", "Program managers the model requires"),
        ("assigned", "Program managers assigned (time share)"),
        ("gap", "Gap (required − assigned)"),
        ("offices_above_model", "Field offices above the model"),
    ],
    2: [
        ("managers", "Field program managers"),
        ("with_both_lines", "With both reporting lines defined"),
        ("share_with_both_lines", "Share with both lines (%)"),
        ("missing_program_line", "Missing the program line"),
        ("missing_administrative_line", "Missing the administrative line"),
    ],
    3: [
        ("operational_in_quarter", "Sites operational in the quarter"),
        ("median_days", "Median days from MOA signature to operational"),
        ("share_within_goal", "Share within the goal (%)"),
        ("open_past_goal", "Sites open past the goal at the end"),
    ],
    4: [
        ("certified", "Officers certified (not revoked, not left)"),
        ("certified_in_quarter", "Officers certified in the quarter"),
        ("recertified", "Recertified this fiscal year (to date)"),
        ("share_recertified", "Share recertified (%)"),
        ("classes", "Academy classes in the quarter"),
        ("seats_filled", "Academy seats filled"),
        ("share_seats_filled", "Share of seats filled (%)"),
    ],
}


def _figures(user, quarter: Quarter, today: dt.date) -> dict[int, dict]:
    first, last = quarter.bounds
    day = min(last, today)
    return {
        1: staffing_section(user, day),
        2: reporting_section(user, day),
        3: installation_section(user, first, day),
        4: training_section(user, first, day),
    }


def _change(now, before):
    if now is None or before is None:
        return None
    value = now - before
    return round(value, 2) if isinstance(value, float) else value


def oversight_report(user, quarter: Quarter, today: dt.date | None = None) -> dict:
    today = today or dates.today()
    previous = quarter.previous()
    current, before = _figures(user, quarter, today), _figures(user, previous, today)
    first, last = quarter.bounds
    sections = []
    for number, (title, text) in RECOMMENDATIONS.items():
        rows = [
            {
                "key": key,
                "label": label,
                "current": current[number].get(key),
                "previous": before[number].get(key),
                "change": _change(current[number].get(key), before[number].get(key)),
            }
            for key, label in LABELS[number]
        ]
        sections.append({"number": number, "title": title, "recommendation": text, "rows": rows})
    return {
        "quarter": quarter.label,
        "previous_quarter": previous.label,
        "starts_on": first.isoformat(),
        "ends_on": last.isoformat(),
        "as_of": min(last, today).isoformat(),
        "in_progress": last > today,
        "sections": sections,
    }
