from __future__ import annotations

import datetime as dt

from rest_framework import serializers

from portal.compliance.models import Finding, SweepRun, last_runs_by_rule
from portal.models import ApiToken


class FindingSerializer(serializers.ModelSerializer):
    rule_title = serializers.CharField(read_only=True)
    subject_type = serializers.SerializerMethodField()
    responsible_name = serializers.SerializerMethodField()
    last_seen_at = serializers.SerializerMethodField()
    last_seen_run = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "rule",
            "rule_title",
            "category",
            "severity",
            "status",
            "subject_type",
            "subject_id",
            "subject_label",
            "agency",
            "field_office",
            "responsible",
            "responsible_name",
            "detail",
            "first_seen_at",
            "last_seen_at",
            "opened_by_run",
            "last_seen_run",
            "resolved_by_run",
            "notified_at",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "resolution",
            "waived_at",
            "waived_by",
            "waived_until",
            "note",
        ]
        read_only_fields = fields

    def to_representation(self, finding):
        """The declared fields' values, written directly (DRF's field machinery ran 29
        fields a row, and a new date-time field for each row's ``last_seen_at``); a test
        checks the two agree."""
        moment = self.fields["first_seen_at"].to_representation  # every date-time field shows so
        seen_at, seen_run = finding.seen_last(self._runs())
        subject_type = finding.subject_type
        waived_until = finding.waived_until
        return {
            "id": finding.pk,
            "rule": finding.rule,
            "rule_title": finding.rule_title,
            "category": finding.category,
            "severity": finding.severity,
            "status": finding.status,
            "subject_type": f"{subject_type.app_label}.{subject_type.model}",
            "subject_id": finding.subject_id,
            "subject_label": finding.subject_label,
            "agency": finding.agency_id,
            "field_office": finding.field_office_id,
            "responsible": finding.responsible_id,
            "responsible_name": finding.responsible.get_full_name() if finding.responsible_id else None,
            "detail": finding.detail,
            "first_seen_at": moment(finding.first_seen_at),
            "last_seen_at": moment(seen_at),
            "opened_by_run": finding.opened_by_run_id,
            "last_seen_run": seen_run,
            "resolved_by_run": finding.resolved_by_run_id,
            "notified_at": moment(finding.notified_at),
            "acknowledged_at": moment(finding.acknowledged_at),
            "acknowledged_by": finding.acknowledged_by_id,
            "resolved_at": moment(finding.resolved_at),
            "resolved_by": finding.resolved_by_id,
            "resolution": finding.resolution,
            "waived_at": moment(finding.waived_at),
            "waived_by": finding.waived_by_id,
            "waived_until": waived_until.isoformat() if waived_until else None,
            "note": finding.note,
        }

    # The declarative definition of the method fields (the schema reads their types).

    def get_subject_type(self, obj) -> str:
        return f"{obj.subject_type.app_label}.{obj.subject_type.model}"

    def get_responsible_name(self, obj) -> str | None:
        return obj.responsible.get_full_name() if obj.responsible_id else None

    def _runs(self) -> dict:
        root = self.parent or self
        if not hasattr(root, "_last_runs"):
            root._last_runs = last_runs_by_rule()  # one query for the whole page
        return root._last_runs

    def get_last_seen_at(self, obj) -> dt.datetime:
        return serializers.DateTimeField().to_representation(obj.seen_last(self._runs())[0])

    def get_last_seen_run(self, obj) -> int | None:
        return obj.seen_last(self._runs())[1]


class FindingActionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class FindingWaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    until = serializers.DateField(required=False, allow_null=True)


class SweepRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SweepRun
        fields = ["id", "started_at", "finished_at", "status", "as_of", "triggered_by", "counts", "error"]
        read_only_fields = fields


class ApiTokenSerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField(help_text="The key, shown once in the answer to its creation.")
    expires_in_days = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=1,
        max_value=365,
        help_text="Days until the token expires (default from the portal's settings); or give expires_at.",
    )
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "key",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "is_active",
            "expires_in_days",
        ]
        read_only_fields = ["prefix", "created_at", "revoked_at", "last_used_at"]
        extra_kwargs = {
            "expires_at": {
                "required": False,
                "allow_null": False,
                "help_text": "When the token expires (at most API_TOKEN_MAX_DAYS, 365 days, ahead); "
                "or give expires_in_days.",
            }
        }

    def get_key(self, obj) -> str | None:
        return getattr(obj, "plain_key", None)
