"""Program managers: assignments to agencies, reporting lines, other duties, absences,
monthly workload reports and the staffing model."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from portal import bounds
from portal.scoping import ScopedQuerySet

from .choices import AbsenceKind, AssignmentKind, ReportingLineKind


class AssignmentQuerySet(ScopedQuerySet):
    def active_on(self, day: dt.date):
        """Assignments that have started on or before ``day`` and not ended before it."""
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))

    def overlapping_range(self, first: dt.date, last: dt.date):
        """Assignments that cover at least one day between ``first`` and ``last``."""
        return self.filter(starts_on__lte=last).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))


class Assignment(models.Model):
    """A program manager's assignment to an agency, as its primary program manager (who
    reviews and signs the charging documents its officers prepare) or as the named backup
    who signs while the primary is absent. Dated: an assignment starts and may end."""

    program_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    agency = models.ForeignKey("agreements.Agency", on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(max_length=10, choices=AssignmentKind.choices)
    starts_on = models.DateField(validators=[bounds.ASSIGNMENT])
    ends_on = models.DateField(null=True, blank=True, validators=[bounds.ASSIGNMENT])
    note = models.CharField(max_length=250, blank=True)
    history = HistoricalRecords()

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name", "kind", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                name="assignment_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                violation_error_message="An assignment cannot end before it starts.",
            ),
            models.UniqueConstraint(
                fields=["agency", "kind"],
                condition=Q(ends_on__isnull=True, kind="primary"),
                name="one_open_primary_per_agency",
                violation_error_message="This agency already has an open-ended primary program manager.",
            ),
            models.UniqueConstraint(
                fields=["agency", "program_manager", "starts_on"],
                name="no_duplicate_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_manager} – {self.agency} ({self.get_kind_display()})"

    def is_active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class DatedQuerySet(models.QuerySet):
    def active_on(self, day: dt.date):
        """Rows that have started on or before ``day`` and not ended before it."""
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))

    def overlapping(self, first: dt.date, last: dt.date):
        """Rows that cover at least one day between ``first`` and ``last``."""
        return self.filter(starts_on__lte=last).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))


class StaffScopedQuerySet(ScopedQuerySet, DatedQuerySet):
    """Rows about a member of staff (``manager``): HQ sees all, a Field Office Director
    the staff of their office, a field program manager the staff of their own office
    (to know who covers for whom), OCIO and people without a role nothing."""


def _dated_constraint(name: str, what: str):
    return models.CheckConstraint(
        name=name,
        condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
        violation_error_message=f"{what} cannot end before it starts.",
    )


class ReportingLine(models.Model):
    """To whom a field program manager reports, and since when. Each manager has two
    lines (OIG recommendation 2): a program line to a National Program Manager or the
    Unit Chief, who directs the 287(g) work, and an administrative line to the Field
    Office Director of the office they sit in. A line is dated; a new line ends the old."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reporting_lines")
    kind = models.CharField(max_length=16, choices=ReportingLineKind.choices)
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_lines")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=250, blank=True)
    history = HistoricalRecords()

    objects = StaffScopedQuerySet.as_manager()

    class Meta:
        ordering = ["manager__last_name", "kind", "-starts_on"]
        constraints = [
            _dated_constraint("reporting_line_ends_after_start", "A reporting line"),
            models.UniqueConstraint(
                fields=["manager", "kind"],
                condition=Q(ends_on__isnull=True),
                name="one_open_reporting_line_per_kind",
                violation_error_message="This manager already has an open-ended line of this kind.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manager} → {self.supervisor} ({self.get_kind_display()})"


class OtherDuty(models.Model):
    """A share of a program manager's time (0-100%) that the field office assigns to
    other work, with dates. It reduces the manager's 287(g) capacity: a manager with a
    40% other duty counts as 0.6 of a program manager against the staffing model."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="other_duties")
    share_percent = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)], help_text="Share of the manager's time, 0-100."
    )
    description = models.CharField(max_length=200)
    starts_on = models.DateField(validators=[bounds.OTHER_DUTY])
    ends_on = models.DateField(null=True, blank=True, validators=[bounds.OTHER_DUTY])
    history = HistoricalRecords()

    objects = StaffScopedQuerySet.as_manager()

    class Meta:
        ordering = ["manager__last_name", "-starts_on"]
        verbose_name_plural = "other duties"
        constraints = [
            _dated_constraint("other_duty_ends_after_start", "An other duty"),
            models.CheckConstraint(name="other_duty_share_0_100", condition=Q(share_percent__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.manager}: {self.share_percent}% {self.description}"


class AbsenceQuerySet(StaffScopedQuerySet):
    def active_on_day(self, day: dt.date):
        """Absences covering ``day`` (both ends included)."""
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class Absence(models.Model):
    """A program manager away on leave, training or travel, from one date to another
    (both included). While the primary program manager of an agency is absent, the
    backup signs its charging documents; with both away nobody can sign."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="absences")
    kind = models.CharField(max_length=10, choices=AbsenceKind.choices)
    starts_on = models.DateField(validators=[bounds.ABSENCE])
    ends_on = models.DateField(validators=[bounds.ABSENCE])
    note = models.CharField(max_length=250, blank=True)
    history = HistoricalRecords()

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "manager__last_name"]
        constraints = [
            models.CheckConstraint(
                name="absence_ends_after_start",
                condition=Q(ends_on__gte=models.F("starts_on")),
                violation_error_message="An absence cannot end before it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.manager}: {self.get_kind_display()} {self.starts_on}–{self.ends_on}"


class WorkloadReport(models.Model):
    """One month of an agency's 287(g) work, as its field program manager reports it:
    encounters processed, charging documents prepared (each one a *case* of ICE's
    staffing model, which the program manager reviews and signs) and detainers issued."""

    agency = models.ForeignKey("agreements.Agency", on_delete=models.PROTECT, related_name="workload_reports")
    month = models.DateField(help_text="The first day of the month reported.")
    encounters_processed = models.PositiveIntegerField()
    charging_documents_prepared = models.PositiveIntegerField()
    detainers_issued = models.PositiveIntegerField()
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month"],
                name="one_workload_report_per_agency_month",
                violation_error_message="This agency already has a report for this month.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.month:%Y-%m}"

    @property
    def cases(self) -> int:
        return self.charging_documents_prepared


class StaffingModel(models.Model):
    """The parameters of ICE's staffing model for field program managers, one row the
    Unit Chief edits. The defaults are ICE's 2011 model: one program manager per 12
    certified officers and per 2,000 cases a fiscal year. Geography limits are optional:
    empty means no limit."""

    officers_per_pm = models.PositiveIntegerField(default=12, validators=[MinValueValidator(1)])
    cases_per_pm_per_fy = models.PositiveIntegerField(default=2000, validators=[MinValueValidator(1)])
    cost_per_position = models.DecimalField(
        max_digits=10,
        decimal_places=0,
        default=165000,
        help_text="Fully loaded annual cost of one program manager position (salary, benefits, travel), in dollars.",
    )
    max_agencies_per_pm = models.PositiveIntegerField(null=True, blank=True)
    max_states_per_pm = models.PositiveIntegerField(null=True, blank=True)
    max_area_sq_mi_per_pm = models.PositiveIntegerField(null=True, blank=True)
    max_travel_miles_per_pm = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "staffing model"

    def __str__(self) -> str:
        return f"1 PM per {self.officers_per_pm} officers and per {self.cases_per_pm_per_fy} cases a fiscal year"

    def save(self, *args, **kwargs):
        self.pk = 1  # a single row
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> StaffingModel:
        model, _ = cls.objects.get_or_create(pk=1)
        return model
