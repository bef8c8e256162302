"""The audit trail: who did what, when, from where and why, in one journal.

- ``portal.audit.models.AuditEvent``: the journal, one row per write or refused attempt.
- ``context(actor=..., channel=..., reason=...)`` / ``reason("...")``: the acting party of a
  block (a request opens one in ``middleware.AuditContextMiddleware``).
- ``portal.audit.recording``: every django-simple-history row becomes a journal event;
  ``record_refusal`` journals a refused attempt.
- ``portal.audit.bulk``: bulk create / update, queryset update and delete that keep the record.

See docs/audit.md.
"""

from .context import Channel, context, current, reason  # noqa: F401
