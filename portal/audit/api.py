"""``GET /api/v1/audit-events/``: the audit journal, for HQ only (others: 404)."""

from __future__ import annotations

from rest_framework import serializers

from portal.api.viewsets import ScopedReadOnlyViewSet

from .filtersets import AuditEventFilterSet
from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    who = serializers.CharField(read_only=True)
    record_type = serializers.SerializerMethodField()
    changes = serializers.DictField(
        child=serializers.ListField(allow_null=True), read_only=True, help_text="{field: [before, after]}"
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor",
            "who",
            "actor_label",
            "token_id",
            "request_id",
            "address",
            "channel",
            "action",
            "record_type",
            "object_id",
            "object_label",
            "agency_id",
            "changes",
            "reason",
            "status_code",
            "path",
        ]
        read_only_fields = fields

    def get_record_type(self, event) -> str:
        if not event.content_type_id:
            return ""
        return f"{event.content_type.app_label}.{event.content_type.model}"


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """The audit journal: every write (page, API, import, sweep, admin, bulk) and every
    refused attempt, with who, when, from where, what and the values before and after.
    Headquarters only (``portal.access``); filters as on the /audit/ page."""

    queryset = AuditEvent.objects.select_related("actor", "content_type").order_by("-occurred_at", "-pk")
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    ordering_fields = ["occurred_at", "action"]
