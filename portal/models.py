"""People and access: staff profiles with their role, and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .access import RestrictedQuerySet
from .audit.models import AuditEvent  # noqa: F401  (models of the portal app)
from .compliance.models import Finding, SweepNotice, SweepRun, SweepSettings  # noqa: F401  (models of the portal app)
from .roles import Role


class StaffProfileQuerySet(RestrictedQuerySet):
    """Staff: HQ sees all; field staff their own office and headquarters; OCIO OCIO and
    headquarters; everyone themselves (``portal.access``)."""


class StaffProfile(models.Model):
    """A member of the 287(g) program's staff: the role they hold (Unit Chief, National
    Program Manager, HQ analyst, Field Office Director, Field Program Manager, OCIO IT
    specialist) and the ERO field office they work for (none for headquarters and OCIO)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    role = models.CharField(max_length=20, choices=Role.choices)
    field_office = models.ForeignKey(
        "agreements.FieldOffice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    history = HistoricalRecords()

    objects = StaffProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(
                name="field_roles_have_an_office",
                condition=~models.Q(role__in=["fod", "field_pm"]) | models.Q(field_office__isnull=False),
                violation_error_message="Field Office Directors and Field Program Managers work for a field office.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"


class ApiTokenQuerySet(RestrictedQuerySet):
    """A user sees only their own tokens (``portal.access``)."""

    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal API token of a portal user. Only a SHA-256 digest of the key is stored;
    the key itself is shown once, when the token is created. A token expires and can be
    revoked; a revoked token is kept for the record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'Houston field client'.")
    prefix = models.CharField(max_length=8, help_text="The first characters of the key, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The digest is a secret and the last use is bookkeeping: neither is kept in history.
    history = HistoricalRecords(excluded_fields=["digest", "last_used_at"])

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class TablePreferenceQuerySet(RestrictedQuerySet):
    """A user sees only their own column choices (``portal.access``)."""


class TablePreference(models.Model):
    """The columns a person chose for one list page (the column chooser, after NetBox's
    table configuration): the columns' keys in their order. The list shows those of them
    the field policy lets the person see, and its exports hold the same columns."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="table_preferences")
    table = models.CharField(max_length=100, help_text="The list the choice is for, e.g. 'officers'.")
    columns = models.JSONField(default=list, help_text="The keys of the chosen columns, in the order shown.")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = TablePreferenceQuerySet.as_manager()

    class Meta:
        ordering = ["user", "table"]
        constraints = [models.UniqueConstraint(fields=["user", "table"], name="one_table_preference_per_user_table")]

    def __str__(self) -> str:
        return f"{self.user} · {self.table}: {', '.join(self.columns)}"


class PendingTask(models.Model):
    """A Celery task that could not be handed to the broker (Redis unreachable) when it
    was asked for. ``portal.tasks.dispatch_pending`` sends it once the broker is back;
    ``sent_at`` marks it done."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="pending_task_unsent")]

    def __str__(self) -> str:
        return f"{self.task} ({'sent' if self.sent_at else 'waiting'})"


def _register_history() -> None:
    """Change history of the records django-axes keeps (a username or address locked out
    after failed sign-ins; deleting one is an unlock) and of user accounts (activation,
    names, e-mail; never the password hash)."""
    import simple_history
    from axes.models import AccessAttempt
    from django.contrib.auth import get_user_model

    # django-axes updates the failure count and the request data with F() expressions,
    # which a history row cannot store: each failure is a row of its own instead.
    simple_history.register(
        AccessAttempt,
        app="portal",
        table_name="portal_historicalaccessattempt",
        excluded_fields=["get_data", "post_data", "failures_since_start"],
    )
    simple_history.register(
        get_user_model(), app="portal", table_name="portal_historicaluser", excluded_fields=["password", "last_login"]
    )


_register_history()


class JobQuerySet(RestrictedQuerySet):
    """A job is seen by the person who started it, and by HQ (``portal.access``)."""


class Job(models.Model):
    """A piece of long work started from a page (an ICE edition's upload or apply, a bulk
    import, a sweep run, a large export), run as a Celery task (``portal.jobs``): its
    progress (``done`` of ``total``), what it is doing now, and when it ends the page of
    its result, or the error it stopped on. Nothing the work wrote stays when it fails;
    the input it was given (an uploaded file) is kept with the job."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=60, help_text="The registered kind of work (portal.jobs.REGISTRY).")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Empty while the amount of work is unknown.")
    message = models.CharField(max_length=300, blank=True, help_text="What the work is doing now.")
    params = models.JSONField(default=dict, blank=True)
    input_name = models.CharField(max_length=250, blank=True)
    input = models.BinaryField(null=True, blank=True, editable=False)
    result = models.JSONField(default=dict, blank=True, help_text="What the work answered (its report).")
    result_url = models.CharField(max_length=500, blank=True, help_text="The page of the result, once done.")
    back_url = models.CharField(max_length=500, blank=True, help_text="The page the work was started from.")
    output_name = models.CharField(max_length=250, blank=True)
    output_type = models.CharField(max_length=100, blank=True)
    output = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    errors = models.JSONField(default=dict, blank=True, help_text="Field -> messages, when the work refused its input.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="job_by_requester")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display().lower()})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("job", kwargs={"pk": self.pk})

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
