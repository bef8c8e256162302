"""The training app's compliance rules: security cards, PALMS recertification,
suspension and revocation, refresher training and overbooked classes.

Each rule reads all officers in one or two queries; findings go to the officer's
agency's primary program manager (the sweep's default), an overbooked class to HQ.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q
from django.utils import formats

from portal import dates
from portal.compliance.models import Severity
from portal.compliance.registry import Rule, Violation, registry
from portal.tables import display

from . import conf, selectors
from .choices import ClassStatus, CourseKind, EnrollmentStatus, OfficerStatus
from .models import NEVER, AcademyClass, Completion, Course, Officer, card_anchor, refresher_cutoff, refresher_due_date


def _label(o) -> str:
    return f"{o.last_name}, {o.first_name} ({o.officer_number})"


def _officer_rows(qs):
    return (
        qs.select_related(None).values(
            "id",
            "last_name",
            "first_name",
            "officer_number",
            "agency_id",
            "agency__equipment_operational_since",
            "card_anchor_on",
            "card_deactivated_on",
            "site_needed",
        )
        if "card_anchor_on" in qs.query.annotations
        else qs.values("id", "last_name", "first_name", "officer_number", "agency_id")
    )


class _Row:
    def __init__(self, values):
        self.__dict__.update(values)


class _DateText(dict):
    """``display()`` of each date, computed once per evaluation: a rule over thousands of
    officers repeats a few thousand dates, and Django's ``date_format`` was most of a
    rule's time in Python when called per row (2.2 s of 3.3 s for 15,330 refreshers due).
    A date format of day, month and year numbers only (the portal's ``m/d/Y``) is written
    directly, as ``django.utils.dateformat`` writes those letters; any other goes through
    ``display()``."""

    _NUMBERS = {
        "d": lambda day: f"{day.day:02d}",
        "j": lambda day: str(day.day),
        "m": lambda day: f"{day.month:02d}",
        "n": lambda day: str(day.month),
        "Y": lambda day: f"{day.year:04d}",
    }

    def __init__(self):
        super().__init__()
        fmt = formats.get_format("DATE_FORMAT")
        plain = all(c in self._NUMBERS or not (c.isalpha() or c == "\\") for c in fmt)
        self._parts = [self._NUMBERS.get(c, c) for c in fmt] if plain else None

    def __missing__(self, day):
        if self._parts is None:
            text = display(day)
        else:
            text = "".join(part if isinstance(part, str) else part(day) for part in self._parts)
        self[day] = text
        return text


@registry.register
class CardWarningRule(Rule):
    code = "training.card_warning"
    title = "Security card close to lapsing"
    description = "A certified officer has not logged in to DHS systems for 25 to 30 days; the card lapses after 30."
    severity = Severity.INFO
    subject_model = Officer

    def evaluate(self, *, today: dt.date, subject_ids=None):
        warn = today - dt.timedelta(days=conf.get("TRAINING_CARD_WARNING_DAYS"))
        lapse = today - dt.timedelta(days=conf.get("TRAINING_CARD_LAPSED_AFTER_DAYS"))
        # The card's anchor and the agreement in force as ``with_standing`` has them,
        # without its set-up reads and joins the warning does not need.
        qs = (
            Officer.objects.annotate(card_anchor_on=card_anchor())
            .filter(
                status=OfficerStatus.CERTIFIED,
                card_deactivated_on__isnull=True,
                card_anchor_on__lte=warn,
                card_anchor_on__gte=lapse,
            )
            .filter(selectors.agency_in_force_q(today))
        )
        if subject_ids is not None:
            qs = qs.filter(pk__in=subject_ids)
        shown = _DateText()
        # Only the columns the finding says (not the site's equipment card_lapsed reads).
        rows = qs.values_list("id", "last_name", "first_name", "officer_number", "agency_id", "card_anchor_on")
        for pk, last_name, first_name, number, agency_id, anchor in rows:
            yield Violation(
                pk,
                f"{last_name}, {first_name} ({number})",
                agency_id=agency_id,
                stage="card warning",
                detail=f"Last login {(today - anchor).days} days ago ({shown[anchor]}); the card lapses after 30 days.",
            )


@registry.register
class CardLapsedRule(Rule):
    code = "training.card_lapsed"
    title = "Security card lapsed"
    description = (
        "A certified officer has not logged in to DHS systems for more than 30 days: the card is "
        "deactivated and a program manager must get it reactivated."
    )
    severity = Severity.HIGH
    subject_model = Officer

    def evaluate(self, *, today: dt.date, subject_ids=None):
        qs = (
            Officer.objects.with_standing(today)
            .filter(status=OfficerStatus.CERTIFIED, agreement_active=True)
            .filter(Officer.objects.card_lapsed_q(today))
        )
        if subject_ids is not None:
            qs = qs.filter(pk__in=subject_ids)
        shown = _DateText()
        for o in map(_Row, _officer_rows(qs)):
            d = (today - o.card_anchor_on).days
            detail = f"No login for {d} days (last activity {shown[o.card_anchor_on]}); the card is deactivated."
            if o.site_needed and o.agency__equipment_operational_since is None:
                detail += " The agency has no working equipment yet, so the officer cannot log in."
            yield Violation(o.id, _label(o), agency_id=o.agency_id, detail=detail, stage="card lapsed")


def reminder_stage(today: dt.date) -> str | None:
    """The reminder of the recertification season a date falls in, or None outside it."""
    fy_end = dates.fiscal_year_end(dates.fiscal_year(today))
    if today >= dt.date(fy_end.year, 9, 15):
        return "final reminder (15 September)"
    if today >= dt.date(fy_end.year, 9, 1):
        return "second reminder (1 September)"
    if today >= dt.date(fy_end.year, 8, 1):
        return "first reminder (1 August)"
    return None


@registry.register
class RecertificationReminderRule(Rule):
    code = "training.recertification_reminder"
    title = "PALMS recertification not complete"
    description = (
        "From 1 August to 30 September, a certified officer who has not completed every PALMS course "
        "of the fiscal year's recertification; reminders on 1 August, 1 and 15 September."
    )
    severity = Severity.WARNING
    subject_model = Officer

    def evaluate(self, *, today: dt.date, subject_ids=None):
        stage = reminder_stage(today)
        if stage is None:
            return
        required_ids = selectors.required_palms_ids()
        required = len(required_ids)
        fy = dates.fiscal_year(today)
        deadline = dates.fiscal_year_end(fy)
        qs = selectors.officers_for_reminder(today).filter(selectors.agency_in_force_q(today))
        if subject_ids is not None:
            qs = qs.filter(pk__in=subject_ids)
        officers = list(qs.values_list("id", "last_name", "first_name", "officer_number", "agency_id"))
        if not officers:
            return
        # Each officer's courses done, grouped once, rather than a count per officer.
        done = selectors.palms_done_by_officer(dates.fiscal_year_start(fy), deadline, required_ids, subject_ids)
        heading = f"{stage[0].upper()}{stage[1:]}"
        for pk, last_name, first_name, number, agency_id in officers:
            yield Violation(
                pk,
                f"{last_name}, {first_name} ({number})",
                agency_id=agency_id,
                stage=stage,
                detail=f"{heading}: {done.get(pk, 0)} of {required} PALMS courses done; due {deadline}.",
            )


@registry.register
class RecertificationMissedRule(Rule):
    code = "training.recertification_missed"
    title = "Recertification missed: suspension due"
    description = (
        "A certified officer did not complete the PALMS recertification by 30 September: the officer "
        "is to be suspended (automatically where the setting says so)."
    )
    severity = Severity.HIGH
    subject_model = Officer

    def evaluate(self, *, today: dt.date, subject_ids=None):
        fy = dates.fiscal_year(today) - 1
        qs = selectors.officers_due_suspension(today).filter(selectors.agency_in_force_q(today))
        if subject_ids is not None:
            qs = qs.filter(pk__in=subject_ids)
        for o in qs.values("id", "last_name", "first_name", "officer_number", "agency_id"):
            o = _Row(o)
            yield Violation(
                o.id,
                _label(o),
                agency_id=o.agency_id,
                detail=f"PALMS recertification for FY{fy} not completed by 30 September {fy}; suspend the officer.",
            )


@registry.register
class RevocationDueRule(Rule):
    code = "training.revocation_due"
    title = "Suspended 90 days: revocation due"
    description = (
        "An officer suspended for a missed recertification 90 days ago or more, not recertified "
        "since and without a waiver of a Field Responsible Official: the certification is to be revoked."
    )
    severity = Severity.CRITICAL
    subject_model = Officer

    def evaluate(self, *, today: dt.date, subject_ids=None):
        qs = selectors.officers_due_revocation(today).filter(selectors.agency_in_force_q(today))
        if subject_ids is not None:
            qs = qs.filter(pk__in=subject_ids)
        shown = _DateText()
        for o in qs.values("id", "last_name", "first_name", "officer_number", "agency_id", "suspended_on"):
            o = _Row(o)
            yield Violation(
                o.id,
                _label(o),
                agency_id=o.agency_id,
                detail=f"Suspended on {shown[o.suspended_on]} ({(today - o.suspended_on).days} days ago); "
                "revoke, or have the Field Office Director record a waiver.",
            )


@registry.register
class RefresherOverdueRule(Rule):
    code = "training.refresher_overdue"
    title = "Refresher course due"
    description = (
        "A certified officer whose refresher is due: 2 years or more since the last academy training "
        "(basic or refresher), the same definition as the officer list's filter and the API."
    )
    severity = Severity.WARNING
    subject_model = Officer

    def evaluate(self, *, today: dt.date, subject_ids=None):
        years = conf.get("TRAINING_REFRESHER_YEARS")
        # The officers due (``refresher_due_q``, the officer list's and the API's one
        # definition, as anti-joins), then their last academy course in one grouped read
        # rather than a subquery per officer: no officer due completed one after the cutoff.
        academy_ids = list(
            Course.objects.filter(kind__in=[CourseKind.BASIC, CourseKind.REFRESHER]).values_list("id", flat=True)
        )
        qs = Officer.objects.filter(selectors.agency_in_force_q(today)).filter(
            Officer.objects.refresher_due_q(today, academy_ids)
        )
        academy = Completion.objects.filter(course_id__in=academy_ids, completed_on__lte=refresher_cutoff(today))
        if subject_ids is not None:
            qs = qs.filter(pk__in=subject_ids)
            academy = academy.filter(officer_id__in=subject_ids)
        officers = list(qs.values_list("id", "last_name", "first_name", "officer_number", "agency_id", "certified_on"))
        if not officers:
            return
        last_course = dict(
            academy.order_by().values("officer").annotate(last=Max("completed_on")).values_list("officer", "last")
        )
        shown = _DateText()
        details: dict[dt.date, str] = {}  # the detail of each date of last training, built once
        for pk, last_name, first_name, number, agency_id, certified_on in officers:
            last = max(certified_on or NEVER, last_course.get(pk, NEVER))
            detail = details.get(last)
            if detail is None:
                detail = details[last] = (
                    f"Last academy training on {shown[last]}; the refresher (IADRP) is due every "
                    f"{years} years (due {shown[refresher_due_date(last, years)]})."
                )
            yield Violation(pk, f"{last_name}, {first_name} ({number})", agency_id=agency_id, detail=detail)


@registry.register
class ClassOverbookedRule(Rule):
    code = "training.class_overbooked"
    title = "Academy class overbooked"
    description = "A scheduled academy class with more officers seated than it has seats. Goes to HQ."
    severity = Severity.WARNING
    subject_model = AcademyClass

    def evaluate(self, *, today: dt.date, subject_ids=None):
        classes = AcademyClass.objects.filter(status=ClassStatus.SCHEDULED, ends_on__gte=today)
        if subject_ids is not None:
            classes = classes.filter(pk__in=subject_ids)
        qs = classes.annotate(
            seated=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ENROLLED))
        ).values("id", "course__code", "starts_on", "site__name", "capacity", "seated")
        for c in qs:
            if c["seated"] > c["capacity"]:
                yield Violation(
                    c["id"],
                    f"{c['course__code']} {c['starts_on']} ({c['site__name']})",
                    detail=f"{c['seated']} officers seated for {c['capacity']} seats.",
                )
