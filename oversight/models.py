"""Records of HQ's oversight: expansion impact assessments and the approvals made on
them, the findings inbox's notes, waiver requests and escalations, and the digest
e-mails' preferences and sent records. Who sees and changes each is decided by the
access policy (``portal/access.py``, entries ``oversight.*``). The figures themselves (dashboard, readiness,
quarterly report) are computed from the other apps' records; what of them is national
(the officers' standing per agency, the staffing model per office, HQ's findings counts)
is kept as a derived copy per day and state of its inputs (``oversight.stored``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal.access import RestrictedQuerySet

from .choices import AssessmentBasis, DigestFrequency, NoteKind, Rating, WaiverRequestStatus


class ImpactAssessment(models.Model):
    """An expansion impact check, as computed when it was asked for: for a set of
    applications (or a what-if list of agencies, or counts of new agreements per field
    office), the program managers each affected field office would need against those it
    has, the positions and their cost, when each site could be operational given the
    installer queue (against the 180-day goal) and when its officers could be trained
    given the academy's classes and seats. Kept as computed, so an approval can name the
    assessment it was made on."""

    basis = models.CharField(max_length=12, choices=AssessmentBasis.choices)
    rating = models.CharField(max_length=6, choices=Rating.choices)
    as_of = models.DateField(help_text="The program date the assessment was computed for.")
    request = models.JSONField(default=dict, help_text="What was asked: agreement or agency ids, or counts per office.")
    result = models.JSONField(default=dict, help_text="The computed figures, per office and per site.")
    reasons = models.JSONField(default=list, blank=True, help_text="Why the rating is amber or red.")
    agreements = models.ManyToManyField("agreements.Agreement", blank=True, related_name="+")
    field_offices = models.ManyToManyField("agreements.FieldOffice", blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(m2m_fields=[agreements])

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Impact assessment {self.pk} ({self.get_rating_display().split(':')[0]}, {self.as_of})"

    def get_absolute_url(self):
        return reverse("oversight:impact-detail", args=[self.pk])


class ApprovalRecord(models.Model):
    """The approval of an application and the impact assessment it was made on; over a
    red assessment, the written justification the approver gave."""

    agreement = models.ForeignKey("agreements.Agreement", on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(
        ImpactAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="approvals"
    )
    rating = models.CharField(max_length=6, choices=Rating.choices, blank=True)
    justification = models.TextField(blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-approved_at", "-pk"]

    def __str__(self) -> str:
        return f"Approval of {self.agreement_id} on assessment {self.assessment_id or '—'}"


class FindingNote(models.Model):
    """An entry of a finding's thread in the inbox: a note, an acknowledgement, a waiver
    request and HQ's decision on it, an escalation."""

    finding = models.ForeignKey("portal.Finding", on_delete=models.CASCADE, related_name="oversight_notes")
    kind = models.CharField(max_length=20, choices=NoteKind.choices, default=NoteKind.NOTE)
    text = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on finding {self.finding_id}"


class WaiverRequest(models.Model):
    """A request, by someone who may act on a finding, that HQ waive it; the Unit Chief
    or a National Program Manager grants it (the finding is waived) or refuses it."""

    finding = models.ForeignKey("portal.Finding", on_delete=models.CASCADE, related_name="waiver_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    until = models.DateField(null=True, blank=True, help_text="The waiver asked for lapses after this date.")
    status = models.CharField(max_length=8, choices=WaiverRequestStatus.choices, default=WaiverRequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding"],
                condition=models.Q(status="pending"),
                name="one_pending_waiver_request_per_finding",
                violation_error_message="A waiver request for this finding is already waiting for HQ.",
            ),
        ]

    def __str__(self) -> str:
        return f"Waiver request on finding {self.finding_id} ({self.get_status_display()})"


class FindingEscalation(models.Model):
    """An open high (or critical) finding that nobody acknowledged within the set number
    of days, escalated by the sweep to the responsible person's supervisor (program line
    first, then administrative; without one, the office's director; without one, HQ)."""

    finding = models.OneToOneField("portal.Finding", on_delete=models.CASCADE, related_name="escalation")
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: headquarters.",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who was responsible when it escalated.",
    )
    run = models.ForeignKey("portal.SweepRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    escalated_at = models.DateTimeField(default=timezone.now)
    days_unacknowledged = models.PositiveIntegerField()
    history = HistoricalRecords()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-escalated_at", "-pk"]

    def __str__(self) -> str:
        return f"Escalation of finding {self.finding_id}"


class DigestPreference(models.Model):
    """How a person wants the sweep's digest e-mail, and when they last opened their inbox
    (the header's unread count counts what is newer)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference")
    frequency = models.CharField(max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.DAILY)
    inbox_seen_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["inbox_seen_at"])

    objects = RestrictedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()}"


class DigestSent(models.Model):
    """That a person got (or, with nothing to tell, was considered for) the digest of a
    sweep run: never twice for the same run."""

    run = models.ForeignKey("portal.SweepRun", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    new_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    open_count = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [models.UniqueConstraint(fields=["run", "user"], name="one_digest_per_run_and_person")]

    def __str__(self) -> str:
        return f"Digest of run {self.run_id} to {self.user_id}"


class StoredFiguresRun(models.Model):
    """One computation of national figures the dashboard and readiness read per agency or
    per field office (``kind``: ``standing`` for ``AgencyStanding``, ``staffing`` for
    ``OfficeStaffing``), stored so that a page sums the rows of its scope instead of
    computing the country per request. It is valid for its day (``computed_on``) and for
    the state of its inputs (``inputs``: the newest historical row of each table the
    figures read, so any recorded change makes it stale; ``oversight.stored``). A derived
    copy, like a cache: not part of the record, so kept out of the history."""

    kind = models.CharField(max_length=20)
    computed_on = models.DateField()
    computed_at = models.DateTimeField(auto_now_add=True)
    inputs = models.CharField(max_length=400)
    seconds = models.FloatField(default=0, help_text="How long the computation took.")

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["kind", "-id"], name="stored_run_latest")]

    def __str__(self) -> str:
        return f"{self.kind} figures of {self.computed_on} ({self.computed_at:%H:%M:%S})"


class AgencyStanding(models.Model):
    """The officers' standing of one agency on a run's day, counted over its officers:
    certified, able to act (``Officer.objects.able_to_act_q``), recertified this fiscal
    year, certified with a lapsed security card, and those who missed last fiscal year's
    recertification (overdue, or suspended for it). An agency without officers has no row."""

    run = models.ForeignKey(StoredFiguresRun, on_delete=models.CASCADE, related_name="agencies")
    agency = models.ForeignKey("agreements.Agency", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    certified = models.PositiveIntegerField(default=0)
    able = models.PositiveIntegerField(default=0)
    recertified = models.PositiveIntegerField(default=0)
    lapsed = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "agency"], name="one_standing_per_agency_and_run")]

    def __str__(self) -> str:
        return f"Standing of agency #{self.agency_id}"


class OfficeStaffing(models.Model):
    """Program managers required by ICE's staffing model and assigned, for one field
    office (``field_office`` empty: the nation) on a run's day (``staffing.figures``)."""

    run = models.ForeignKey(StoredFiguresRun, on_delete=models.CASCADE, related_name="offices")
    field_office = models.ForeignKey(
        "agreements.FieldOffice", null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    required = models.FloatField(default=0)
    assigned = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"Staffing of field office #{self.field_office_id or 'nation'}"


class FindingCount(models.Model):
    """Open findings of one rule and severity in one field office (``field_office``
    empty: findings outside any office) on a run (``kind`` ``findings``), the dashboard's
    table for readers who see every finding."""

    run = models.ForeignKey(StoredFiguresRun, on_delete=models.CASCADE, related_name="finding_counts")
    field_office = models.ForeignKey(
        "agreements.FieldOffice", null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    rule = models.CharField(max_length=80)
    severity = models.CharField(max_length=10)
    open = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.rule} ({self.severity}): {self.open}"


class FindingTrend(models.Model):
    """The findings of one field office (empty: outside any office) open at the end of one
    of the latest sweep runs (``position``: 0 the oldest of them), on a run."""

    run = models.ForeignKey(StoredFiguresRun, on_delete=models.CASCADE, related_name="finding_trend")
    field_office = models.ForeignKey(
        "agreements.FieldOffice", null=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    position = models.PositiveSmallIntegerField()
    sweep_run = models.ForeignKey("portal.SweepRun", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    as_of = models.DateField()
    open = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Open after sweep run #{self.sweep_run_id}: {self.open}"
