"""Designated Immigration Officers (DIOs), their courses, academy classes, PALMS
recertification, security-card logins and recertification waivers."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal import bounds, dates
from portal.scoping import ScopedQuerySet
from portal.tables import display

from . import conf
from .choices import (
    ACTIVE_ENROLLMENT,
    CardState,
    ClassStatus,
    CompletionSource,
    CourseKind,
    EnrollmentStatus,
    OfficerStatus,
    RecertificationStatus,
    SuspensionCause,
)

#: Stands in for "no date" inside GREATEST(), which SQLite makes NULL when any argument is.
NEVER = dt.date(1900, 1, 1)


class ReferenceQuerySet(ScopedQuerySet):
    """Courses, sites and academy classes: national reference data every member of staff sees; enrolments, which name officers, are scoped (``portal.access``)."""


class Course(models.Model):
    """A course of the 287(g) training catalogue: the academy's basic course (IADP,
    4 weeks) and refresher (IADRP, 1 week every 2 years), and the PALMS online courses of
    the annual recertification. A course no longer offered is retired, naming an
    alternative course or recording a waiver."""

    code = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=CourseKind.choices)
    duration_days = models.PositiveIntegerField(default=1, help_text="Length of an academy class, in days.")
    retired_on = models.DateField(null=True, blank=True)
    alternative = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces")
    retirement_waiver = models.TextField(blank=True, help_text="Why no alternative is required for a retired course.")
    history = HistoricalRecords()

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None


class AcademySite(models.Model):
    """A place where academy classes are held: the ERO Academy at FLETC Charleston, SC,
    and any regional site HQ adds. A site runs at most ``max_concurrent_classes`` at once."""

    name = models.CharField(max_length=120, unique=True)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2)
    max_concurrent_classes = models.PositiveIntegerField(default=2)
    default_capacity = models.PositiveIntegerField(default=24)
    is_default = models.BooleanField(default=False)
    history = HistoricalRecords()

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.state})"


class AcademyClass(models.Model):
    """One session of an academy course at a site, with its dates and seats. Basic
    classes are not held in Q1 of the fiscal year (October-December) unless HQ overrides
    the rule with a recorded reason."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="classes")
    site = models.ForeignKey(AcademySite, on_delete=models.PROTECT, related_name="classes")
    starts_on = models.DateField(validators=[bounds.ACADEMY_CLASS])
    ends_on = models.DateField(validators=[bounds.ACADEMY_CLASS])
    capacity = models.PositiveIntegerField(default=24)
    status = models.CharField(max_length=10, choices=ClassStatus.choices, default=ClassStatus.SCHEDULED)
    q1_override_reason = models.TextField(blank=True)
    q1_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "academy classes"
        ordering = ["starts_on", "site__name"]
        constraints = [
            models.CheckConstraint(
                name="class_ends_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message="A class cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.code} {display(self.starts_on)} ({self.site.name})"

    def get_absolute_url(self):
        return reverse("training:class-detail", args=[self.pk])


def refresher_due_date(last_training_on: dt.date, years: int | None = None) -> dt.date:
    """The date the refresher (IADRP) falls due: ``TRAINING_REFRESHER_YEARS`` (2) after the
    last academy training (basic or refresher); a training on 29 February falls due on 28
    February. A caller over many officers passes ``years``, read once."""
    years = years if years is not None else conf.get("TRAINING_REFRESHER_YEARS")
    try:
        return last_training_on.replace(year=last_training_on.year + years)
    except ValueError:  # 29 February
        return last_training_on.replace(year=last_training_on.year + years, day=28)


def refresher_cutoff(on: dt.date) -> dt.date:
    """The latest last-training date whose refresher is due by ``on``:
    ``refresher_due_date(last) <= on`` exactly when ``last <= refresher_cutoff(on)``, on
    every day of the year (month ends and 29 February included)."""
    years = conf.get("TRAINING_REFRESHER_YEARS")
    year = on.year - years
    if on.month == 2 and on.day == 29:
        try:
            return dt.date(year, 2, 29)
        except ValueError:
            return dt.date(year, 2, 28)
    if on.month == 2 and on.day == 28:
        try:
            return dt.date(year, 2, 29)  # a training on 29 February of a leap year falls due on 28 February
        except ValueError:
            pass
    return on.replace(year=year)


def card_anchor():
    """The date the security card's days without a login count from (``card_anchor_on``):
    the latest of the last login, the reactivation and the certification; ``NEVER``
    without any."""
    return Greatest(
        Coalesce("card_last_login_on", Value(NEVER)),
        Coalesce("card_reactivated_on", Value(NEVER)),
        Coalesce("certified_on", Value(NEVER)),
    )


class OfficerQuerySet(ScopedQuerySet):
    def agency_joined_outer(self):
        """The officers with their agency joined by LEFT OUTER JOIN instead of INNER JOIN
        (the standing's ``equipment_since`` reads the agency's column): the same rows,
        since every officer has an agency, but PostgreSQL leaves out a left join to a
        unique key whose columns a statement does not read, so a list's ``COUNT(*)`` reads
        the officers alone (over 50,000 officers: 28 ms to 7 ms). A filter on the agency's
        columns makes the join inner again. The officers page and API lists use it."""
        from django.db.models.sql.constants import INNER

        Agency = self.model._meta.get_field("agency").related_model
        clone = self._chain()
        query = clone.query
        for alias, join in list(query.alias_map.items()):
            if (
                getattr(join, "join_type", None) == INNER
                and join.parent_alias == query.base_table
                and join.table_name == Agency._meta.db_table
            ):
                query.alias_map[alias] = join.promote()
        return clone

    def with_standing(self, on: dt.date | None = None):
        """Annotate what decides whether each officer can act on ``on``: an agreement of
        the agency in force, whether its model needs the site's equipment and whether that
        works, the card's last activity, this and last fiscal year's PALMS
        recertification, the last academy training and a standing waiver.

        The values a row displays (the counts of PALMS courses done, the last academy
        training) are scalar subqueries over the completions' (officer, course, date)
        index, which PostgreSQL evaluates for the rows a page returns only (after the
        ORDER BY ... LIMIT, which ``officer_name_order`` serves). The filters and counts
        over every officer never read them: ``able_to_act_q``, ``recertified_q``,
        ``recertification_missed_q`` and ``refresher_due_q`` are ``Exists`` / ``~Exists``
        conditions (semi- and anti-joins, or hashed subplans run once), so their cost does
        not grow per officer. Two statements of set-up (the courses, the models needing a
        site)."""
        on = on or dates.today()
        fy = dates.fiscal_year(on)
        from agreements.models import Agreement
        from portal import hooks

        courses = _standing_courses()
        needing_site = list(hooks.call("models_needing_installation", default=[]) or [])
        in_force = Agreement.objects.in_force(on).filter(agency=OuterRef("agency"))
        bool_field = models.BooleanField()
        equipment_working = Q(
            agency__equipment_operational_since__isnull=False, agency__equipment_operational_since__lte=on
        )
        last_training = (
            Completion.objects.filter(officer=OuterRef("pk"), course_id__in=courses["academy"])
            .order_by("-completed_on")
            .values("completed_on")[:1]
        )

        def done(first, last):
            return Coalesce(
                Subquery(
                    Completion.objects.filter(
                        officer=OuterRef("pk"), course_id__in=courses["palms"], completed_on__range=(first, last)
                    )
                    .order_by()
                    .values("officer")
                    .annotate(n=Count("course", distinct=True))
                    .values("n"),
                    output_field=models.IntegerField(),
                ),
                Value(0),
            )

        warning_days, lapsed_after_days, refresher_years = conf.get_many(
            "TRAINING_CARD_WARNING_DAYS", "TRAINING_CARD_LAPSED_AFTER_DAYS", "TRAINING_REFRESHER_YEARS"
        )
        return self.annotate(
            agreement_active=Exists(in_force),
            # The site's equipment is needed when every agreement of the agency in force
            # is under a model that needs a site installation (the Jail Enforcement Model):
            # an officer of an agency also under a Task Force or Warrant Service agreement
            # acts under that one without the site.
            site_needed=ExpressionWrapper(
                Exists(in_force.filter(program_model__in=needing_site))
                & ~Exists(in_force.exclude(program_model__in=needing_site)),
                output_field=bool_field,
            ),
            equipment_since=F("agency__equipment_operational_since"),
            equipment_working=ExpressionWrapper(equipment_working, output_field=bool_field),
            card_anchor_on=card_anchor(),
            recert_done=done(dates.fiscal_year_start(fy), dates.fiscal_year_end(fy)),
            recert_prev_done=done(dates.fiscal_year_start(fy - 1), dates.fiscal_year_end(fy - 1)),
            recert_required=Value(len(courses["palms"]), output_field=models.IntegerField()),
            last_training_on=Greatest(
                Coalesce("certified_on", Value(NEVER)),
                Coalesce(Subquery(last_training, output_field=models.DateField()), Value(NEVER)),
            ),
            waiver_active=Exists(Waiver.objects.filter(officer=OuterRef("pk"), expires_on__gte=on)),
            standing_on=Value(on, output_field=models.DateField()),
            # The settings each row's card state and refresher date read, read once per
            # queryset here (one cache read) rather than through the cache for every row.
            card_warning_days=Value(warning_days, output_field=models.IntegerField()),
            card_lapsed_after_days=Value(lapsed_after_days, output_field=models.IntegerField()),
            refresher_years=Value(refresher_years, output_field=models.IntegerField()),
        )

    def card_lapsed_q(self, on: dt.date) -> Q:
        cutoff = on - dt.timedelta(days=conf.get("TRAINING_CARD_LAPSED_AFTER_DAYS"))
        return Q(card_deactivated_on__isnull=False, card_deactivated_on__lte=on) | Q(card_anchor_on__lt=cutoff)

    def refresher_due(self, on: dt.date | None = None):
        """Certified officers whose refresher is due on ``on`` (on or after the date 2 years
        after their last academy training): the one definition the officer list's filter,
        the API's ``refresher_due`` and the sweep's rule share."""
        on = on or dates.today()
        qs = self if "last_training_on" in self.query.annotations else self.with_standing(on)
        return qs.filter(self.refresher_due_q(on))

    @staticmethod
    def refresher_due_q(on: dt.date, academy_ids: list[int] | None = None) -> Q:
        """The condition of ``refresher_due``: certified, with a last academy training (the
        certification or a basic or refresher course completed) on or before
        ``refresher_cutoff(on)``. An anti-join: no academy course completed after the
        cutoff. A caller that has read the academy courses' ids passes them
        (``academy_training_after``)."""
        return Q(status=OfficerStatus.CERTIFIED) & last_training_q(until=refresher_cutoff(on), academy_ids=academy_ids)

    @staticmethod
    def recertified_q(on: dt.date) -> Q:
        """Certified officers whose PALMS recertification of ``on``'s fiscal year is
        complete, or who were certified during it (the basic course covers that year)."""
        fy = dates.fiscal_year(on)
        return Q(status=OfficerStatus.CERTIFIED) & (
            Q(certified_on__gte=dates.fiscal_year_start(fy)) | recertification_complete_q(fy)
        )

    @staticmethod
    def recertification_missed_q(on: dt.date) -> Q:
        """Certified officers whose recertification is overdue on ``on``: they owed last
        fiscal year's (certified before it began), did not complete it, and have not
        completed this year's yet (``Officer.recertification_status`` "overdue")."""
        fy = dates.fiscal_year(on)
        return (
            Q(status=OfficerStatus.CERTIFIED, certified_on__lt=dates.fiscal_year_start(fy - 1))
            & ~recertification_complete_q(fy)
            & ~recertification_complete_q(fy - 1)
        )

    def able_to_act_q(self, on: dt.date) -> Q:
        """The one definition of an officer able to act on ``on``, on a queryset annotated
        by ``with_standing`` (``Officer.reasons_cannot_act`` says the same in words):
        certified by then, under an agreement of the agency in force that day
        (``Agreement.objects.in_force``: not suspended, terminated or withdrawn), with the
        site's equipment working when the agreements' model needs it (the Jail
        Enforcement Model; Task Force and Warrant Service officers need no site), and a
        security card that has not lapsed."""
        return (
            Q(status=OfficerStatus.CERTIFIED, certified_on__lte=on, agreement_active=True)
            & (Q(site_needed=False) | Q(equipment_working=True))
            & ~self.card_lapsed_q(on)
        )

    def able_to_act(self, on: dt.date | None = None):
        """Officers who may act on ``on`` (``able_to_act_q``)."""
        on = on or dates.today()
        qs = self if "card_anchor_on" in self.query.annotations else self.with_standing(on)
        return qs.filter(self.able_to_act_q(on))


def _standing_courses() -> dict[str, list[int]]:
    """The course ids the standing reads, in one statement: the PALMS courses the annual
    recertification requires (the current catalogue) and the academy courses (basic and
    refresher) whose completion is a training."""
    rows = Course.objects.filter(
        Q(kind=CourseKind.PALMS, retired_on__isnull=True) | Q(kind__in=[CourseKind.BASIC, CourseKind.REFRESHER])
    ).values_list("id", "kind")
    courses: dict[str, list[int]] = {"palms": [], "academy": []}
    for pk, kind in rows:
        courses["palms" if kind == CourseKind.PALMS else "academy"].append(pk)
    return courses


def recertification_complete_q(fiscal_year: int) -> Q:
    """Officers who completed every PALMS course the recertification requires within
    ``fiscal_year``: one ``Exists`` per required course (a semi-join on the completions'
    (officer, course, date) index, planned once for all officers) instead of counting
    each officer's distinct courses."""
    first, last = dates.fiscal_year_start(fiscal_year), dates.fiscal_year_end(fiscal_year)
    condition = Q(pk__isnull=False)
    for course_id in _standing_courses()["palms"]:
        condition &= Exists(
            Completion.objects.filter(officer=OuterRef("pk"), course_id=course_id, completed_on__range=(first, last))
        )
    return condition


def academy_training_after(day: dt.date, academy_ids: list[int] | None = None):
    """An ``Exists`` for officers who completed an academy course (basic or refresher)
    after ``day``. With the academy courses' ids (``academy_ids``, read by the caller)
    the planner reads only their completions, through the course index, where the join
    on the course's kind made it scan every completion (national: 30 ms against 250 ms
    for the anti-join of the refreshers due)."""
    if academy_ids is not None:
        course = Q(course_id__in=academy_ids)
    else:
        course = Q(course__kind__in=[CourseKind.BASIC, CourseKind.REFRESHER])
    return Exists(Completion.objects.filter(course, officer=OuterRef("pk"), completed_on__gt=day))


def last_training_q(*, until: dt.date, since: dt.date | None = None, academy_ids: list[int] | None = None) -> Q:
    """Officers whose last academy training (the later of the certification and the last
    basic or refresher course completed: ``last_training_on``) falls between ``since``
    (none: any day) and ``until``, as column tests and anti-joins rather than the
    per-officer maximum: certified on or before ``until`` (or not certified) and no
    academy course completed after it; and certified on or after ``since``, or an academy
    course completed then."""
    upto = (Q(certified_on__isnull=True) | Q(certified_on__lte=until)) & ~academy_training_after(until, academy_ids)
    floor = since - dt.timedelta(days=1) if since else NEVER
    return upto & (Q(certified_on__gt=floor) | academy_training_after(floor, academy_ids))


class Officer(models.Model):
    """A Designated Immigration Officer (DIO): an officer of a law enforcement agency who
    completed ICE's training and, while certified, acts under ICE supervision. The portal
    keeps no more personal data than the name, work e-mail and officer number (unique
    nationally). Status changes only through the transition services, each logged as an
    ``OfficerEvent`` with its date, acting user and reason."""

    agency = models.ForeignKey("agreements.Agency", on_delete=models.PROTECT, related_name="officers")
    officer_number = models.CharField(max_length=30, unique=True)
    last_name = models.CharField(max_length=80)
    first_name = models.CharField(max_length=80)
    email = models.EmailField("work e-mail")
    status = models.CharField(max_length=12, choices=OfficerStatus.choices, default=OfficerStatus.NOMINATED)
    status_since = models.DateField(null=True, blank=True)
    certified_on = models.DateField(null=True, blank=True)
    suspended_on = models.DateField(null=True, blank=True)
    suspension_cause = models.CharField(max_length=16, choices=SuspensionCause.choices, blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    card_last_login_at = models.DateTimeField("last login to DHS systems", null=True, blank=True)
    card_last_login_on = models.DateField(null=True, blank=True, help_text="Date of the last login, America/New_York.")
    card_deactivated_on = models.DateField(null=True, blank=True)
    card_reactivation_requested_on = models.DateField(null=True, blank=True)
    card_reactivated_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = OfficerQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "officer_number"]
        indexes = [
            models.Index(fields=["status", "agency"]),
            # The officer list's default order, nationally (HQ) and within an agency (a
            # field manager's agencies, the agency page's panel).
            models.Index(fields=["last_name", "first_name", "officer_number"], name="officer_name_order"),
            models.Index(
                fields=["agency", "last_name", "first_name", "officer_number"], name="officer_agency_name_order"
            ),
            # The officers page's order by name (its sortable column: last name, then id):
            # a page of 50 of 50,000 without the incremental sort of every equal last name
            # (10.6 ms -> 0.6 ms at national scale).
            models.Index(fields=["last_name", "id"], name="officer_page_name_order"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.officer_number})"

    def get_absolute_url(self):
        return reverse("training:officer-detail", args=[self.pk])

    # --- read-time standing (needs ``with_standing`` annotations) -----------------------

    def card_state(self, on: dt.date | None = None) -> str | None:
        """Active / warning / lapsed with d = ``on`` − the date of the last login (or of the
        reactivation or certification, the card's start); None without a card."""
        on = on or getattr(self, "standing_on", None) or dates.today()
        anchor = getattr(self, "card_anchor_on", None)
        if anchor is None:
            anchor = max(d for d in (self.card_last_login_on, self.card_reactivated_on, self.certified_on, NEVER) if d)
        if anchor == NEVER:
            return None
        if self.card_deactivated_on and self.card_deactivated_on <= on:
            return CardState.LAPSED
        d = (on - anchor).days
        lapsed_after = getattr(self, "card_lapsed_after_days", None)
        if d > (conf.get("TRAINING_CARD_LAPSED_AFTER_DAYS") if lapsed_after is None else lapsed_after):
            return CardState.LAPSED
        warning = getattr(self, "card_warning_days", None)
        if d >= (conf.get("TRAINING_CARD_WARNING_DAYS") if warning is None else warning):
            return CardState.WARNING
        return CardState.ACTIVE

    def card_state_label(self) -> str:
        state = self.card_state()
        return CardState(state).label if state else "No card"

    def recertification_status(self) -> str | None:
        """This fiscal year's PALMS recertification of a certified or suspended officer,
        due 30 September: complete, in progress, not yet due, or overdue when the last
        fiscal year's was missed and this one is not complete yet. An officer certified
        during the fiscal year counts as complete: the basic course covers that year."""
        if self.status not in (OfficerStatus.CERTIFIED, OfficerStatus.SUSPENDED) or not self.certified_on:
            return None
        on = self.standing_on
        fy = dates.fiscal_year(on)
        if self.certified_on >= dates.fiscal_year_start(fy) or self.recert_done >= self.recert_required:
            return RecertificationStatus.COMPLETE
        if self.certified_on < dates.fiscal_year_start(fy - 1) and self.recert_prev_done < self.recert_required:
            return RecertificationStatus.OVERDUE  # last fiscal year's recertification was missed
        return RecertificationStatus.IN_PROGRESS if self.recert_done else RecertificationStatus.NOT_YET_DUE

    def recertification_label(self) -> str:
        status = self.recertification_status()
        return RecertificationStatus(status).label if status else "—"

    def refresher_due_on(self) -> dt.date | None:
        last = getattr(self, "last_training_on", None)
        if not last or last == NEVER:
            return None
        return refresher_due_date(last, getattr(self, "refresher_years", None))

    def can_act(self) -> bool:
        return not self.reasons_cannot_act()

    def reasons_cannot_act(self) -> list[str]:
        """Why the officer cannot act on the standing date, in the program's terms; empty
        when the officer can."""
        on = self.standing_on
        reasons = []
        if self.status != OfficerStatus.CERTIFIED:
            reasons.append(f"The officer is {self.get_status_display().lower()}, not certified.")
        elif self.certified_on is None:
            reasons.append("The officer has no certification date.")
        elif self.certified_on > on:
            reasons.append(f"The officer is certified only from {self.certified_on}.")
        if self.status == OfficerStatus.SUSPENDED and self.suspension_cause == SuspensionCause.DESIGNATION_ENDED:
            reasons.append(
                f"The designation ended on {self.suspended_on} with the agency's agreement; "
                "a new agreement being signed restores it."
            )
        if not self.agreement_active:
            reasons.append(
                "The agency has no 287(g) agreement in force (not signed, suspended, terminated or withdrawn)."
            )
        elif self.site_needed and not self.equipment_working:
            reasons.append(self.equipment_reason())
        if self.status == OfficerStatus.CERTIFIED and self.card_state() == CardState.LAPSED:
            reasons.append(
                "The security card has lapsed (no login to DHS systems for more than 30 days); "
                "a program manager must get it reactivated."
            )
        return reasons

    def equipment_reason(self) -> str:
        """Why an officer whose agreement's model needs the site's equipment cannot act
        without it (with ``with_standing``'s ``equipment_since``)."""
        since = self.equipment_since
        if since is not None:
            return f"The agency's site equipment is operational only from {since}: the officer cannot log in to DHS systems before."
        return (
            "The agency's Jail Enforcement Model agreement needs the site's equipment, which is not operational "
            "(no completed installation): the officer cannot log in to DHS systems."
        )


class OfficerEvent(models.Model):
    """One change of an officer's status: what changed, on which date, who did it and why."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="events")
    verb = models.CharField(max_length=30)
    from_status = models.CharField(max_length=12, choices=OfficerStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=OfficerStatus.choices)
    on = models.DateField()
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.officer}: {self.get_from_status_display() or '—'} → {self.get_to_status_display()} on {self.on}"


class Enrollment(models.Model):
    """An officer's seat, or place on the waiting list, in an academy class. When a seat
    frees, the first officer on the waiting list gets it."""

    academy_class = models.ForeignKey(AcademyClass, on_delete=models.PROTECT, related_name="enrollments")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=14, choices=EnrollmentStatus.choices)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    seat_given_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["academy_class", "requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy_class", "officer"],
                condition=Q(status__in=ACTIVE_ENROLLMENT),
                name="one_active_enrollment_per_class",
                violation_error_message="The officer is already enrolled in or waiting for this class.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} in {self.academy_class} ({self.get_status_display()})"


class Completion(models.Model):
    """A course an officer completed on a date: a PALMS course (from the PALMS export)
    or an academy class. Completion certificates stay in PALMS; the portal keeps the fact."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField()
    source = models.CharField(max_length=10, choices=CompletionSource.choices, default=CompletionSource.MANUAL)
    academy_class = models.ForeignKey(
        AcademyClass, null=True, blank=True, on_delete=models.PROTECT, related_name="completions"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on", "course__code"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "course", "completed_on"], name="one_completion_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.officer.officer_number} {self.course.code} {self.completed_on}"


class CardLogin(models.Model):
    """A login of an officer to DHS systems with the security card (from the card-login
    export). The officer's last login decides the card's state."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="card_logins")
    logged_in_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-logged_in_at"]
        constraints = [models.UniqueConstraint(fields=["officer", "logged_in_at"], name="one_login_per_instant")]

    def __str__(self) -> str:
        return f"{self.officer.officer_number} {self.logged_in_at:%Y-%m-%d %H:%M}"


class Waiver(models.Model):
    """A Field Responsible Official's waiver (the Field Office Director of the officer's
    office, or HQ) that keeps a suspended officer from revocation for a fiscal year's
    missed recertification, with its reason and expiry."""

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="waivers")
    fiscal_year = models.PositiveIntegerField()
    reason = models.TextField()
    expires_on = models.DateField(validators=[bounds.WAIVER_EXPIRY])
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_on", "-pk"]

    def __str__(self) -> str:
        return f"Waiver FY{self.fiscal_year} for {self.officer} until {self.expires_on}"

    def clean(self):
        errors = {}
        if messages := bounds.fiscal_year_errors(self.fiscal_year):
            errors["fiscal_year"] = messages
        if messages := bounds.waiver_expiry_errors(fiscal_year=self.fiscal_year, expires_on=self.expires_on):
            errors["expires_on"] = messages
        if errors:
            raise ValidationError(errors)


class TrainingSettings(models.Model):
    """The officers' grace periods and what the nightly credentials task may do on its
    own, one row the Unit Chief edits on the settings page (``training.conf`` reads it;
    a value set in the Django settings module still wins, for operators and tests)."""

    card_warning_days = models.PositiveSmallIntegerField(
        "days without a login before the card warning",
        default=25,
        validators=[MinValueValidator(1)],
        help_text="A certified officer's manager is warned after this many days without a DHS login.",
    )
    card_lapsed_after_days = models.PositiveSmallIntegerField(
        "days without a login before the card lapses",
        default=30,
        validators=[MinValueValidator(1)],
        help_text="After this many days without a login the security card is deactivated.",
    )
    revocation_days = models.PositiveSmallIntegerField(
        "days from a recertification suspension to revocation", default=90, validators=[MinValueValidator(1)]
    )
    refresher_years = models.PositiveSmallIntegerField(
        "years between refresher courses", default=2, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    auto_suspend = models.BooleanField(
        "suspend officers who missed recertification automatically",
        default=False,
        help_text="Off: the sweep's finding only proposes the suspension to the manager.",
    )
    auto_revoke = models.BooleanField(
        "revoke automatically once the revocation period has passed",
        default=False,
        help_text="Off: the sweep's finding only proposes the revocation.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "training settings"
        verbose_name_plural = "training settings"

    def __str__(self) -> str:
        return "Training settings"

    def save(self, *args, **kwargs):
        from django.core.cache import cache
        from django.db import transaction

        self.pk = 1  # a single row
        super().save(*args, **kwargs)
        cache.delete(conf.CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(conf.CACHE_KEY))

    def clean(self):
        from django.core.exceptions import ValidationError

        if (
            self.card_warning_days
            and self.card_lapsed_after_days
            and self.card_warning_days >= self.card_lapsed_after_days
        ):
            raise ValidationError(
                {
                    "card_warning_days": "The warning must come before the card lapses "
                    f"({self.card_lapsed_after_days} days)."
                }
            )

    @classmethod
    def current(cls) -> TrainingSettings:
        return cls.objects.get_or_create(pk=1)[0]
