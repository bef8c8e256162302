"""Program managers' assignments to agencies."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from portal.scoping import ScopedQuerySet

from .choices import AssignmentKind


class AssignmentQuerySet(ScopedQuerySet):
    def active_on(self, day: dt.date):
        """Assignments that have started on or before ``day`` and not ended before it."""
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Assignment(models.Model):
    """A program manager's assignment to an agency, as its primary program manager (who
    reviews and signs the charging documents its officers prepare) or as the named backup
    who signs while the primary is absent. Dated: an assignment starts and may end."""

    program_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    agency = models.ForeignKey("agreements.Agency", on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(max_length=10, choices=AssignmentKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=250, blank=True)
    history = HistoricalRecords()

    objects = AssignmentQuerySet.as_manager()
    scope_agency_path = "agency"

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
