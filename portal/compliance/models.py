"""The compliance framework's records: findings of the nightly sweep and its runs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from simple_history.models import HistoricalRecords

from portal.access import RestrictedQuerySet


class Severity(models.TextChoices):
    INFO = "info", "Information"
    WARNING = "warning", "Warning"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"
    WAIVED = "waived", "Waived"


OPEN_STATUSES = (FindingStatus.OPEN, FindingStatus.ACKNOWLEDGED)

#: Severities from the most to the least urgent, for ordering (the codes do not sort so).
SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.WARNING: 2, Severity.INFO: 3}


class SweepStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    ABANDONED = "abandoned", "Abandoned"


class SweepRunQuerySet(RestrictedQuerySet):
    """Runs hold only national counts per rule: every member of staff sees them (``portal.access``)."""


class SweepRun(models.Model):
    """One run of the compliance sweep over all the program's data: when it ran, how it
    ended, and per rule how many findings it opened, kept open and resolved."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=SweepStatus.choices, default=SweepStatus.RUNNING)
    as_of = models.DateField(help_text="The program date the rules were evaluated for.")
    triggered_by = models.CharField(max_length=60, default="schedule")
    counts = models.JSONField(
        default=dict, blank=True, help_text="Per rule: opened, still open, resolved, open in total."
    )
    error = models.TextField(blank=True)
    worker = models.CharField(
        max_length=120,
        blank=True,
        help_text="The host and process running the sweep, to tell a dead run from a live one.",
    )
    history = HistoricalRecords()

    objects = SweepRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="running"), name="one_sweep_running_at_a_time"
            )
        ]

    def __str__(self) -> str:
        return f"Sweep {self.pk} ({self.get_status_display()}, {self.started_at:%Y-%m-%d %H:%M})"

    @property
    def opened(self) -> int:
        return sum(c.get("opened", 0) for c in self.counts.values())

    @property
    def resolved(self) -> int:
        return sum(c.get("resolved", 0) for c in self.counts.values())


def severity_rank() -> models.Case:
    """A finding's severity as its rank (``SEVERITY_RANK``: critical first): the findings
    pages' order, and the expression of the index that serves it (``Finding.Meta``)."""
    return models.Case(
        *[models.When(severity=code, then=models.Value(n)) for code, n in SEVERITY_RANK.items()],
        default=models.Value(9),
        output_field=models.IntegerField(),
    )


class FindingQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def most_urgent_first(self):
        return self.annotate(severity_rank=severity_rank()).order_by("severity_rank", "first_seen_at", "pk")


class Finding(models.Model):
    """What the compliance sweep found wrong with one subject (an agency, agreement,
    installation, officer, program manager) under one rule. It stays open, or
    acknowledged, until the condition is gone (the sweep resolves it) or HQ waives it;
    a subject has at most one open finding per rule."""

    rule = models.CharField(max_length=80, db_index=True)
    category = models.CharField(max_length=30, help_text="The app whose rule raised it.")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    status = models.CharField(max_length=14, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(max_length=250)
    agency = models.ForeignKey(
        "agreements.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="findings"
    )
    field_office = models.ForeignKey(
        "agreements.FieldOffice", on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    detail = models.TextField(blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    opened_by_run = models.ForeignKey(
        SweepRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="opened_findings"
    )
    # The time and run of the finding's last change by the sweep (opened, details or stage);
    # an open finding was also seen by every later run of its rule (``seen_last``). Not
    # indexed: nothing filters on it.
    last_seen_run = models.ForeignKey(
        SweepRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    resolved_by_run = models.ForeignKey(
        SweepRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="resolved_findings"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=250, blank=True)
    waived_at = models.DateTimeField(null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    waived_until = models.DateField(
        null=True, blank=True, help_text="The waiver lapses after this date; empty: until the condition is gone."
    )
    note = models.TextField(blank=True, help_text="Notes of acknowledgement, resolution or waiver.")
    stage = models.CharField(
        max_length=60,
        blank=True,
        help_text="Where the subject stands within the rule, e.g. the recertification reminder's stage.",
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    stage_changed_run = models.ForeignKey(
        SweepRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The run that last saw the finding's stage change.",
    )
    # "Seen again" and "notified" are the sweep's bookkeeping, counted on each run: kept
    # out of the history and the journal, which would otherwise grow by every open
    # finding every night.
    history = HistoricalRecords(excluded_fields=["last_seen_at", "last_seen_run", "notified_at"])

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at", "rule"]
        indexes = [
            models.Index(fields=["rule", "status"]),
            models.Index(fields=["subject_type", "subject_id"]),
            # The API's default order: last_seen_at changes only with the finding now, not nightly.
            models.Index(fields=["-last_seen_at", "rule"], name="finding_list_order_idx"),
            # The findings page's order over the open findings (most urgent first): at
            # national scale a page of 50 of 33,223 read off it instead of sorting them all.
            models.Index(
                severity_rank(),
                "first_seen_at",
                "id",
                condition=Q(status__in=["open", "acknowledged"]),
                name="finding_urgency_order_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="one_open_finding_per_rule_and_subject",
                violation_error_message="This subject already has an open finding under this rule.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.subject_label}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("finding-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def seen_last(self, runs: dict | None = None) -> tuple:
        """(when, run id) the finding was last seen. A run does not rewrite its open
        findings: one still open was seen by the latest run that evaluated its rule
        (``last_runs_by_rule``), later than the stored time of its last change."""
        if self.status in OPEN_STATUSES:
            run = (last_runs_by_rule() if runs is None else runs).get(self.rule)
            if run is not None and run[0] > (self.last_seen_run_id or 0):
                return run[1], run[0]
        return self.last_seen_at, self.last_seen_run_id

    @property
    def seen_last_at(self):
        return self.seen_last()[0]

    @property
    def rule_title(self) -> str:
        from .registry import registry

        rule = registry.get(self.rule)
        return rule.title if rule else self.rule


#: How many recent finished runs ``last_runs_by_rule`` reads (a rule left out of all of them has no later sighting).
RECENT_RUNS = 40


def last_runs_by_rule() -> dict[str, tuple[int, object]]:
    """Rule code -> (run id, started at) of the latest finished run that evaluated the
    rule without error, in one query: what each run saw is in its counts."""
    found: dict[str, tuple[int, object]] = {}
    runs = (
        SweepRun.objects.exclude(status=SweepStatus.RUNNING)
        .order_by("-pk")
        .values_list("pk", "started_at", "counts")[:RECENT_RUNS]
    )
    for pk, started_at, counts in runs:
        for rule, seen in (counts or {}).items():
            if rule not in found and isinstance(seen, dict) and "error" not in seen:
                found[rule] = (pk, started_at)
    return found


class SweepNotice(models.Model):
    """The e-mail a sweep run sends one responsible person about the findings it opened
    for them: a marker that it was sent (so a retried or repeated run never sends it
    twice), with the attempts and the last error while it could not be sent."""

    run = models.ForeignKey(SweepRun, on_delete=models.CASCADE, related_name="notices")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sweep_notices")
    findings = models.PositiveIntegerField(default=0, help_text="How many findings the message lists.")
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["run", "person"]
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="one_sweep_notice_per_run_and_person")]

    def __str__(self) -> str:
        return f"Notice of sweep {self.run_id} to {self.person_id} ({'sent' if self.sent_at else 'not sent'})"


class SweepSettings(models.Model):
    """When the nightly compliance sweep runs and whom it tells, one row the Unit Chief
    edits on the settings page. Saving it through ``portal.compliance.services.
    sweep_settings_update`` moves the sweep's Celery beat schedule to the same time."""

    hour = models.PositiveSmallIntegerField(
        "hour (America/New_York)",
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
        help_text="The hour of the night the sweep starts, 0 to 23, Eastern time.",
    )
    minute = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(59)], help_text="0 to 59."
    )
    enabled = models.BooleanField(
        "run the sweep every night", default=True, help_text="Off: the sweep runs only when started by hand."
    )
    email_new_findings = models.BooleanField(
        "e-mail each responsible person their new findings",
        default=True,
        help_text="One message per person per run, listing the findings it opened for them.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "sweep settings"
        verbose_name_plural = "sweep settings"

    def __str__(self) -> str:
        at = formats.time_format(dt.time(self.hour, self.minute), "TIME_FORMAT")
        return f"Sweep at {at}{'' if self.enabled else ' (off)'}"

    def save(self, *args, **kwargs):
        self.pk = 1  # a single row
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> SweepSettings:
        return cls.objects.get_or_create(pk=1)[0]
