"""The HQ audit page, /audit/, and the error pages that journal refusals."""

from __future__ import annotations

from django.views import defaults

from portal.tables import Column
from portal.views import ScopedListView

from .filtersets import AuditEventFilterSet
from .models import AuditEvent


def audit_columns():
    return [
        Column("When", "occurred_at", sort="occurred_at"),
        Column("Who", "who"),
        Column(
            "From",
            default=False,
            accessor=lambda e: " · ".join(
                p
                for p in (
                    e.get_channel_display(),
                    e.address or "",
                    f"request {e.request_id}" if e.request_id else "",
                    f"token #{e.token_id}" if e.token_id else "",
                )
                if p
            ),
        ),
        Column("Action", lambda e: e.action.replace("_", " "), sort="action"),
        Column(
            "Record",
            lambda e: " ".join(
                p
                for p in (
                    f"{e.record_type}:" if e.record_type else "",
                    e.object_label or "",
                    f"(#{e.object_id})" if e.object_id else "",
                )
                if p
            ),
        ),
        Column("Before → after", "changes_text", shown=lambda e: e.changes_text(shown=True)),
        Column("Reason", "reason"),
        Column("Refused", lambda e: f"{e.status_code} {e.path}" if e.status_code else ""),
    ]


class AuditEventListView(ScopedListView):
    """Every write and refused attempt in the portal, for HQ: who, when, from where, what,
    with the values before and after; newest first."""

    model = AuditEvent
    filterset_class = AuditEventFilterSet
    title = "Audit trail"
    intro = (
        "Every change made in the portal, whether from a page, the API, an import, the sweep or the "
        "administration, and every refused attempt, newest first."
    )
    export_name = "audit-trail"
    default_sort = "-occurred_at"

    @property
    def columns(self):
        return audit_columns()

    def base_queryset(self):
        return AuditEvent.objects.select_related("actor", "content_type").order_by("-occurred_at", "-pk")


def permission_denied(request, exception=None):
    """The 403 page; the refusal is journaled (with the signed-in user, address and path)."""
    from .recording import record_refusal

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        record_refusal(request, status=403, user=user, reason=str(exception or "")[:500] or "Not allowed")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    """The 404 page. A record outside the caller's scope was journaled where it was looked
    up; a 404 for what does not exist is not a refusal and is not journaled."""
    from portal.errors import OutOfScope

    from .recording import record_out_of_scope

    if isinstance(exception, OutOfScope) and exception.model is not None and exception.pk is not None:
        user = getattr(request, "user", None)
        record_out_of_scope(exception.model, exception.pk, user if getattr(user, "is_authenticated", False) else None)
    if request.path.startswith("/api/"):
        # An address the API does not have (``/api/v1/agencies/3%09/``): the API's own 404.
        from django.http import JsonResponse

        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
