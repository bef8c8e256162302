"""Reads of the training app: who can act, who missed the recertification, who is due
for suspension or revocation, and recertification progress."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from portal import dates

from . import conf
from .choices import CourseKind, OfficerStatus, RecertificationStatus, SuspensionCause
from .models import Completion, Course, Officer, OfficerEvent, Waiver


def agency_in_force_q(on: dt.date):
    """An Exists() for officers whose agency has an agreement in force on ``on``: the
    officer rules of the sweep look only at officers who act under one."""
    from agreements.models import Agreement

    return Exists(Agreement.objects.in_force(on).filter(agency=OuterRef("agency")))


def required_palms_ids() -> list[int]:
    """The PALMS courses the annual recertification requires: the current catalogue (a
    retired course is replaced by its alternative, itself in the catalogue, or waived)."""
    return list(Course.objects.filter(kind=CourseKind.PALMS, retired_on__isnull=True).values_list("id", flat=True))


def _done_between(start: dt.date, end: dt.date | None, required: list[int]):
    filters = Q(officer=OuterRef("pk"), course_id__in=required, completed_on__gte=start)
    if end is not None:
        filters &= Q(completed_on__lte=end)
    return Coalesce(
        Subquery(
            Completion.objects.filter(filters)
            .order_by()
            .values("officer")
            .annotate(n=Count("course", distinct=True))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _completed_every_course(required: list[int], start: dt.date, end: dt.date):
    """The ids of the officers who completed every required PALMS course between ``start``
    and ``end``, grouped once (a hashed NOT IN where excluded) rather than each officer's
    courses counted by a subquery per officer (national: 0.65 s to 0.26 s for the 26,000
    officers owing a recertification)."""
    return (
        Completion.objects.filter(course_id__in=required, completed_on__range=(start, end))
        .order_by()
        .values("officer")
        .annotate(n=Count("course", distinct=True))
        .filter(n__gte=len(required))
        .values("officer")
    )


def palms_done_by_officer(start: dt.date, end: dt.date, required: list[int], officer_ids=None) -> dict[int, int]:
    """Officer id -> the number of required PALMS courses completed between ``start`` and
    ``end`` (distinct courses), in one grouped read; officers with none are absent."""
    done = Completion.objects.filter(course_id__in=required, completed_on__range=(start, end))
    if officer_ids is not None:
        done = done.filter(officer_id__in=officer_ids)
    return dict(
        done.order_by().values("officer").annotate(n=Count("course", distinct=True)).values_list("officer", "n")
    )


def officers_missing_recertification(fiscal_year: int):
    """Certified officers who owed the recertification of ``fiscal_year`` (certified before
    it began) and did not complete every required PALMS course within it, and whose case
    has not been handled since (no suspension or reinstatement after 30 September, no
    waiver for that year)."""
    required = required_palms_ids()
    if not required:  # nothing to complete: nobody missed it
        return Officer.objects.none()
    start, end = dates.fiscal_year_start(fiscal_year), dates.fiscal_year_end(fiscal_year)
    return (
        Officer.objects.filter(status=OfficerStatus.CERTIFIED, certified_on__lt=start)
        .exclude(pk__in=_completed_every_course(required, start, end))
        .exclude(
            Exists(OfficerEvent.objects.filter(officer=OuterRef("pk"), verb__in=["suspend", "reinstate"], on__gt=end))
        )
        .exclude(Exists(Waiver.objects.filter(officer=OuterRef("pk"), fiscal_year=fiscal_year)))
    )


def officers_due_suspension(today: dt.date):
    """Officers who missed the recertification of the fiscal year that ended before
    ``today`` and are not suspended yet."""
    return officers_missing_recertification(dates.fiscal_year(today) - 1)


def officers_due_revocation(today: dt.date):
    """Officers suspended for a missed recertification 90 days ago or more (the procedure:
    revoked 90 days after the suspension, so due on the 90th day), not recertified since,
    without a waiver in force."""
    required = required_palms_ids()
    cutoff = today - dt.timedelta(days=conf.get("TRAINING_REVOCATION_DAYS"))
    since = Coalesce(
        Subquery(
            Completion.objects.filter(
                officer=OuterRef("pk"), course_id__in=required, completed_on__gte=OuterRef("suspended_on")
            )
            .order_by()
            .values("officer")
            .annotate(n=Count("course", distinct=True))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )
    return (
        Officer.objects.filter(
            status=OfficerStatus.SUSPENDED, suspension_cause=SuspensionCause.RECERTIFICATION, suspended_on__lte=cutoff
        )
        .annotate(done_since=since)
        .filter(done_since__lt=len(required))
        .exclude(Exists(Waiver.objects.filter(officer=OuterRef("pk"), expires_on__gte=today)))
    )


def officers_for_reminder(today: dt.date):
    """Certified officers who owe this fiscal year's recertification and have not
    completed it (reminders run from 1 August to 30 September); how many courses each has
    done: ``palms_done_by_officer``."""
    fy = dates.fiscal_year(today)
    required = required_palms_ids()
    if not required:  # nothing to complete
        return Officer.objects.none()
    start = dates.fiscal_year_start(fy)
    return Officer.objects.filter(status=OfficerStatus.CERTIFIED, certified_on__lt=start).exclude(
        pk__in=_completed_every_course(required, start, dates.fiscal_year_end(fy))
    )


def certified_officers_by_agency(on: dt.date) -> dict[int, int]:
    """Agency id -> number of officers certified and able to act on ``on`` (certified by
    then, under a signed agreement of the agency, card not lapsed). Provided to the other
    apps as the ``certified_officers_by_agency`` hook."""
    able = Officer.objects.able_to_act(on).values("pk")
    return dict(
        Officer.objects.filter(pk__in=able)
        .order_by()
        .values("agency_id")
        .annotate(n=Count("id"))
        .values_list("agency_id", "n")
    )


def officer_with_standing(user, pk: int, on: dt.date | None = None) -> Officer:
    from portal import access

    return access.get_or_404(Officer.objects.with_standing(on).select_related("agency__field_office"), user, pk=pk)


def recertification_progress(user, today: dt.date | None = None) -> dict:
    """This fiscal year's recertification per field office and agency, against 30
    September: officers who owe it, complete, in progress, not started."""
    today = today or dates.today()
    fy = dates.fiscal_year(today)
    required = required_palms_ids()
    start, end = dates.fiscal_year_start(fy), dates.fiscal_year_end(fy)
    rows = (
        Officer.objects.visible_to(user)
        .filter(status=OfficerStatus.CERTIFIED, certified_on__lt=start)
        .annotate(fy_done=_done_between(start, end, required))
        .values("agency_id", "agency__name", "agency__state", "agency__field_office__name", "fy_done")
    )
    agencies: dict[int, dict] = {}
    for r in rows:
        a = agencies.setdefault(
            r["agency_id"],
            {
                "agency_id": r["agency_id"],
                "agency": r["agency__name"],
                "state": r["agency__state"],
                "office": r["agency__field_office__name"],
                "owed": 0,
                "complete": 0,
                "in_progress": 0,
                "not_started": 0,
            },
        )
        a["owed"] += 1
        key = "complete" if r["fy_done"] >= len(required) else ("in_progress" if r["fy_done"] else "not_started")
        a[key] += 1
    offices: dict[str, dict] = {}
    for a in agencies.values():
        a["percent"] = round(100 * a["complete"] / a["owed"]) if a["owed"] else 100
        o = offices.setdefault(
            a["office"], {"office": a["office"], "owed": 0, "complete": 0, "in_progress": 0, "not_started": 0}
        )
        for k in ("owed", "complete", "in_progress", "not_started"):
            o[k] += a[k]
    for o in offices.values():
        o["percent"] = round(100 * o["complete"] / o["owed"]) if o["owed"] else 100
    return {
        "fiscal_year": fy,
        "deadline": end,
        "days_left": (end - today).days,
        "offices": sorted(offices.values(), key=lambda o: o["percent"]),
        "agencies": sorted(agencies.values(), key=lambda a: (a["office"], a["percent"], a["agency"])),
        "required_courses": len(required),
    }


# --- the home page ---------------------------------------------------------------------

#: How far ahead the home page warns of a refresher falling due.
REFRESHER_NOTICE_DAYS = 90


def certified_with_standing(user, today: dt.date, agency_ids=None):
    """The certified officers ``user`` may see (of ``agency_ids`` when given), annotated
    with their standing and their agency, in one query."""
    qs = Officer.objects.visible_to(user).filter(status=OfficerStatus.CERTIFIED)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    return qs.with_standing(today).select_related("agency")


def card_lapses_on(officer) -> dt.date | None:
    """The day an officer's card lapses under the 30-day rule if nobody logs in: the
    first day with ``d`` > 30 (None without a card, or when it is already deactivated)."""
    anchor = officer.card_anchor_on
    if anchor is None or anchor.year <= 1900 or officer.card_deactivated_on:
        return None
    return anchor + dt.timedelta(days=conf.get("TRAINING_CARD_LAPSED_AFTER_DAYS") + 1)


def reminders(officer, today: dt.date) -> list[tuple[str, dt.date | None]]:
    """What a program manager is to remind a certified officer of today, ``(what, by)``:
    a card in its warning days, a refresher due within ``REFRESHER_NOTICE_DAYS`` (or
    overdue), a recertification not complete in the reminder season (from 1 August)."""
    from .choices import CardState
    from .rules import reminder_stage

    found = []
    if officer.card_state(today) == CardState.WARNING:
        found.append(("card", card_lapses_on(officer)))
    due = officer.refresher_due_on()
    if due and due <= today + dt.timedelta(days=REFRESHER_NOTICE_DAYS):
        found.append(("refresher", due))
    if reminder_stage(today) and officer.recertification_status() != RecertificationStatus.COMPLETE:
        found.append(("recertification", dates.fiscal_year_end(dates.fiscal_year(today))))
    return found


def officer_deadlines(officers, today: dt.date) -> dict[int, list]:
    """Agency id -> the coming deadlines of its certified officers (annotated by
    ``with_standing``), ``(date, what)``: the next card to lapse, the next refresher
    due and the fiscal year's recertification while some officer still owes it."""
    found: dict[int, list] = {}
    fy_end = dates.fiscal_year_end(dates.fiscal_year(today))
    for officer in officers:
        rows = found.setdefault(officer.agency_id, [])
        lapse = card_lapses_on(officer)
        if lapse and lapse > today:
            rows.append((lapse, "Security card lapses"))
        due = officer.refresher_due_on()
        if due:
            rows.append((due, "Refresher due"))
        if officer.recertification_status() != RecertificationStatus.COMPLETE:
            rows.append((fy_end, "PALMS recertification due"))
    return found
