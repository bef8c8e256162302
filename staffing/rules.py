"""Compliance rules of the staffing app."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from agreements.models import Agency
from portal.compliance.models import Severity
from portal.compliance.registry import Rule, Violation, registry

from .choices import AssignmentKind
from .models import Assignment


@registry.register
class PrimaryManagerWithoutBackup(Rule):
    """Every agency's primary program manager has a named backup who can sign while the
    primary is absent (OIG: managers could not take sick leave because nobody else could
    sign). The finding goes to the primary program manager."""

    code = "staffing.primary_without_backup"
    title = "Primary program manager without a backup"
    description = "An agency has a primary program manager but no backup program manager assigned."
    severity = Severity.WARNING
    subject_model = Agency

    def evaluate(self, *, today):
        active = Assignment.objects.active_on(today).filter(agency=OuterRef("pk"))
        rows = (
            Agency.objects.filter(Exists(active.filter(kind=AssignmentKind.PRIMARY)))
            .exclude(Exists(active.filter(kind=AssignmentKind.BACKUP)))
            .values_list("id", "name", "state", "field_office_id")
        )
        for agency_id, name, state, office_id in rows:
            yield Violation(
                subject_id=agency_id, label=f"{name} ({state})", agency_id=agency_id, field_office_id=office_id,
                detail="No backup program manager is named to sign while the primary is absent.",
            )
