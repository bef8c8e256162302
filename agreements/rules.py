"""Compliance rules of the agreements app."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from portal.compliance.models import Severity
from portal.compliance.registry import Rule, Violation, registry
from staffing.choices import AssignmentKind
from staffing.models import Assignment

from .choices import AgreementStatus
from .models import Agency, Agreement


@registry.register
class SignedAgreementWithoutPrimaryManager(Rule):
    """Every agency with a signed agreement has a primary program manager who reviews and
    signs its officers' charging documents. The finding goes to the office's director."""

    code = "agreements.no_primary_manager"
    title = "Signed agreement without a primary program manager"
    description = "An agency holds a signed 287(g) agreement but no program manager is assigned to it as primary."
    severity = Severity.HIGH
    subject_model = Agency

    def evaluate(self, *, today):
        primary = Assignment.objects.active_on(today).filter(agency=OuterRef("pk"), kind=AssignmentKind.PRIMARY)
        signed = Agreement.objects.filter(agency=OuterRef("pk"), status=AgreementStatus.SIGNED)
        rows = (
            Agency.objects.filter(Exists(signed)).exclude(Exists(primary))
            .values_list("id", "name", "state", "field_office_id")
        )
        for agency_id, name, state, office_id in rows:
            yield Violation(
                subject_id=agency_id, label=f"{name} ({state})", agency_id=agency_id, field_office_id=office_id,
                detail="No primary program manager is assigned; nobody is named to sign its charging documents.",
            )
