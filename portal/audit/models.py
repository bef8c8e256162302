"""The audit journal: one row per write or refused attempt, whatever made it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from portal.access import RestrictedQuerySet

from .context import Channel


class AuditAction:
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    DENIED = "denied"
    LOGIN_FAILED = "login_failed"

    #: Actions every journal has; services add named ones ("acknowledge", "sign", ...).
    BASIC = [
        (CREATE, "Created"),
        (CHANGE, "Changed"),
        (DELETE, "Deleted"),
        (DENIED, "Refused"),
        (LOGIN_FAILED, "Failed sign-in"),
    ]
    REFUSALS = (DENIED, LOGIN_FAILED)


class AuditEventQuerySet(RestrictedQuerySet):
    """The journal is HQ's to read (Unit Chief, National PM, HQ analyst): ``portal.access``."""

    def denied(self):
        return self.filter(action__in=AuditAction.REFUSALS)

    def for_objects(self, model, ids):
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        return self.filter(content_type=content_type, object_id__in=[str(i) for i in ids])


class AuditEvent(models.Model):
    """One entry of the audit journal: who (a user, or a named system actor such as
    "sweep run #12"), when, from where (client address, request id, API token), through
    which channel (page, API, admin, import, sweep, command, task), did what (created,
    changed, deleted, a named action, or was refused) to which record, with the values
    before and after of each changed field and the reason given. Written in the same
    transaction as the change it records; never edited."""

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True, help_text="Who acted, when no user did (or as whom).")
    token_id = models.BigIntegerField(null=True, blank=True, help_text="The API token the request used.")
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.COMMAND)
    action = models.CharField(max_length=30)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=250, blank=True)
    agency_id = models.BigIntegerField(null=True, blank=True, help_text="The agency the record hangs off.")
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    reason = models.TextField(blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="For a refusal: the HTTP status.")
    path = models.CharField(max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "occurred_at"], name="audit_record_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_idx"),
            models.Index(fields=["action", "occurred_at"], name="audit_action_idx"),
            models.Index(fields=["agency_id", "occurred_at"], name="audit_agency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.who}: {self.action} {self.object_label}".strip()

    @property
    def who(self) -> str:
        if self.actor_id:
            name = self.actor.get_full_name() or self.actor.username
            return f"{name} ({self.actor_label})" if self.actor_label else name
        return self.actor_label or "System"

    @property
    def is_refusal(self) -> bool:
        return self.action in AuditAction.REFUSALS

    @property
    def record_type(self) -> str:
        if not self.content_type_id:
            return ""
        model = self.content_type.model_class()
        return str(model._meta.verbose_name).capitalize() if model else self.content_type.model

    def change_lines(self) -> list[tuple[str, object, object]]:
        model = self.content_type.model_class() if self.content_type_id else None
        lines = []
        for name, pair in (self.changes or {}).items():
            before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            label = name
            if model is not None:
                try:
                    label = str(model._meta.get_field(name).verbose_name)
                except Exception:
                    label = name.replace("_", " ")
            lines.append((label, before, after))
        return lines

    def changes_text(self, shown: bool = False) -> str:
        """The changes as text: values as recorded (dates and times in ISO 8601), or with
        ``shown`` dates and times in the pages' format."""

        def text(value):
            if value in (None, ""):
                return "—"
            return _shown(value) if shown else value

        return "; ".join(f"{label}: {text(b)} → {text(a)}" for label, b, a in self.change_lines())


def _shown(value):
    """A recorded value as the pages show it: an ISO 8601 date or date-time in the
    portal's format, anything else unchanged."""
    import datetime as dt

    from django.utils.dateparse import parse_date, parse_datetime

    from ..tables import display

    if not isinstance(value, str) or len(value) < 10 or value[4:5] != "-":
        return value
    try:
        parsed = parse_datetime(value) if len(value) > 10 else parse_date(value)
    except ValueError:
        return value
    if isinstance(parsed, dt.datetime) and parsed.tzinfo is None:
        return value
    return display(parsed) if parsed is not None else value
