"""Writes of the oversight app: impact assessments and the approvals made on them, the
inbox's notes, acknowledgements and waiver requests, escalations, digest preferences.
Each is atomic, validated, and recorded with its acting user in the record's history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import access
from portal.errors import TransitionNotAllowed
from portal.history import stamp
from portal.roles import Role, field_office_id_of, role_of

from . import impact
from .choices import AssessmentBasis, DigestFrequency, NoteKind, Rating, WaiverRequestStatus
from .models import ApprovalRecord, DigestPreference, FindingNote, ImpactAssessment, WaiverRequest

# --- impact assessments ----------------------------------------------------------------------


@transaction.atomic
def impact_assessment_create(
    *,
    acting_user,
    agreements=None,
    agencies=None,
    counts=None,
    program_model: str = "jem",
    signing_on: dt.date | None = None,
) -> ImpactAssessment:
    """Compute and store the impact of approving ``agreements`` (under review or received),
    of a what-if list of ``agencies`` (under ``program_model``), or of ``counts`` of new
    agreements per field office ({FieldOffice: n}). Exactly one of the three is given;
    the caller's scope was applied to them by the caller (page or API)."""
    from agreements.choices import PENDING_STATUSES

    access.require(acting_user, "add", "oversight.ImpactAssessment")
    given = [name for name, value in (("agreements", agreements), ("agencies", agencies), ("counts", counts)) if value]
    if len(given) != 1:
        raise ValidationError(
            {
                "non_field_errors": [
                    "Give the applications, or a list of agencies, or counts per field office (one of them)."
                ]
            }
        )
    office_of_director = field_office_id_of(acting_user) if role_of(acting_user) == Role.FIELD_OFFICE_DIRECTOR else None
    if agreements:
        agreements = list(agreements)
        not_pending = [a for a in agreements if a.status not in PENDING_STATUSES]
        if not_pending:
            raise ValidationError(
                {
                    "agreements": [
                        f"Agreement {a.pk} is {a.get_status_display().lower()}, not an application."
                        for a in not_pending
                    ]
                }
            )
        basis, sites = AssessmentBasis.AGREEMENTS, impact.sites_for_agreements(agreements)
        request = {"agreements": [a.pk for a in agreements]}
    elif agencies:
        agencies = list(agencies)
        basis, sites = AssessmentBasis.AGENCIES, impact.sites_for_agencies(agencies, program_model)
        request = {"agencies": [a.pk for a in agencies], "program_model": program_model}
    else:
        offices = {office.pk: office.name for office in counts}
        numbers = {office.pk: int(n) for office, n in counts.items()}
        if any(n < 0 for n in numbers.values()) or not any(numbers.values()):
            raise ValidationError({"counts": ["Give at least one new agreement, and no negative count."]})
        if sum(numbers.values()) > 500:
            raise ValidationError({"counts": ["At most 500 new agreements in one check."]})
        basis, sites = (
            AssessmentBasis.COUNTS,
            impact.sites_for_counts({k: v for k, v in numbers.items() if v}, offices, program_model),
        )
        request = {"counts": {str(k): v for k, v in numbers.items() if v}, "program_model": program_model}
    if office_of_director is not None and any(s.field_office_id != office_of_director for s in sites):
        raise PermissionDenied("A Field Office Director checks expansions of their own office only.")
    if signing_on:
        request["signing_on"] = signing_on.isoformat()
    result = impact.assess(sites=sites, basis=basis, signing_on=signing_on)
    assessment = ImpactAssessment(
        basis=basis,
        rating=result["rating"],
        as_of=dt.date.fromisoformat(result["as_of"]),
        request=request,
        result=result,
        reasons=result["reasons"],
        created_by=acting_user,
    )
    assessment.full_clean()
    stamp(assessment, acting_user, f"Impact check: {assessment.get_rating_display()}")
    assessment.save()
    assessment.field_offices.set({s.field_office_id for s in sites})
    if agreements:
        assessment.agreements.set(agreements)
    return assessment


def assessment_for(agreement, assessment_id: int | None) -> ImpactAssessment | None:
    """The assessment an approval of ``agreement`` is made on: the one named (which must
    cover the agreement), else the latest that covers it, else None."""
    covering = ImpactAssessment.objects.filter(agreements=agreement)
    if assessment_id is not None:
        found = covering.filter(pk=assessment_id).first()
        if found is None:
            raise ValidationError(
                {"impact_assessment": [f"Impact assessment {assessment_id} does not cover this application."]}
            )
        return found
    return covering.order_by("-created_at", "-pk").first()


def approval_check(*, agreement, acting_user, assessment_id=None, justification: str = "") -> str:
    """Provider ``agreement_approval_check``: refuse an approval over a red assessment
    without a written justification; return the note the approval records."""
    assessment = assessment_for(agreement, assessment_id)
    justification = (justification or "").strip()
    if assessment is None:
        note = "Approved without an impact assessment."
    else:
        note = f"Made on impact assessment {assessment.pk} ({assessment.get_rating_display().split(':')[0].lower()})."
        if assessment.rating == Rating.RED and not justification:
            raise ValidationError(
                {
                    "justification": [
                        f"Impact assessment {assessment.pk} is red: approving over it needs a written justification."
                    ]
                }
            )
    if justification:
        note += f" Justification: {justification}"
    return note


def approval_record(*, agreement, acting_user, assessment_id=None, justification: str = "") -> ApprovalRecord:
    """Provider ``agreement_approved``: record, in the approval's transaction, the
    assessment it was made on and the justification, with history."""
    assessment = assessment_for(agreement, assessment_id)
    record = ApprovalRecord(
        agreement=agreement,
        assessment=assessment,
        rating=assessment.rating if assessment else "",
        justification=(justification or "").strip(),
        approved_by=acting_user,
    )
    record.full_clean()
    stamp(record, acting_user, "Approval recorded" + (" over a red assessment" if record.rating == Rating.RED else ""))
    record.save()
    return record


# --- the findings inbox ----------------------------------------------------------------------


def _note(finding, acting_user, kind, text="") -> FindingNote:
    note = FindingNote(finding=finding, kind=kind, text=text.strip(), author=acting_user)
    note.full_clean()
    stamp(note, acting_user, note.get_kind_display())
    note.save()
    return note


def _may_act(user, finding):
    from portal.compliance.services import finding_may_act

    if not finding_may_act(user, finding, "acknowledge"):
        raise PermissionDenied("You may not act on this finding.")


@transaction.atomic
def finding_add_note(*, finding, acting_user, text: str) -> FindingNote:
    """A note on a finding's thread by someone who may act on it."""
    _may_act(acting_user, finding)
    if not text or not text.strip():
        raise ValidationError({"text": ["Write the note."]})
    if len(text) > 4000:
        raise ValidationError({"text": ["A note is at most 4,000 characters."]})
    return _note(finding, acting_user, NoteKind.NOTE, text)


@transaction.atomic
def finding_acknowledge_with_note(*, finding, acting_user, note: str = ""):
    """Acknowledge through the compliance service, and keep it on the inbox's thread."""
    from portal.compliance.services import finding_acknowledge

    finding = finding_acknowledge(finding=finding, acting_user=acting_user, note=note)
    _note(finding, acting_user, NoteKind.ACKNOWLEDGED, note)
    return finding


@transaction.atomic
def waiver_request_create(*, finding, acting_user, reason: str, until: dt.date | None = None) -> WaiverRequest:
    """Ask HQ to waive an open finding."""
    from portal import dates

    _may_act(acting_user, finding)
    if not finding.is_open:
        raise TransitionNotAllowed("Only an open finding can be waived.")
    if not reason or not reason.strip():
        raise ValidationError({"reason": ["Say why the finding should be waived."]})
    if until is not None and until < dates.today():
        raise ValidationError({"until": ["A waiver cannot end in the past."]})
    request = WaiverRequest(finding=finding, requested_by=acting_user, reason=reason.strip(), until=until)
    request.full_clean(validate_constraints=False)
    stamp(request, acting_user, "Waiver requested")
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise TransitionNotAllowed("A waiver request for this finding is already waiting for HQ.") from None
    _note(finding, acting_user, NoteKind.WAIVER_REQUESTED, reason)
    return request


@transaction.atomic
def waiver_request_decide(*, request: WaiverRequest, acting_user, grant: bool, note: str = "") -> WaiverRequest:
    """HQ (Unit Chief, National PM) grants a waiver request (the finding is waived until
    the date asked for) or refuses it (a reason is required)."""
    from portal.compliance.services import finding_waive

    if not access.may(acting_user, "grant" if grant else "refuse", request):
        raise PermissionDenied("Only the Unit Chief and National Program Managers decide waivers.")
    request = WaiverRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != WaiverRequestStatus.PENDING:
        raise TransitionNotAllowed(f"This request is already {request.get_status_display().lower()}.")
    note = (note or "").strip()
    if grant:
        finding_waive(
            finding=request.finding, acting_user=acting_user, reason=note or request.reason, until=request.until
        )
    elif not note:
        raise ValidationError({"note": ["Say why the waiver is refused."]})
    request.status = WaiverRequestStatus.GRANTED if grant else WaiverRequestStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_note = acting_user, timezone.now(), note
    stamp(request, acting_user, request.get_status_display())
    request.save()
    _note(request.finding, acting_user, NoteKind.WAIVER_GRANTED if grant else NoteKind.WAIVER_REFUSED, note)
    return request


# --- digest preferences ----------------------------------------------------------------------


@transaction.atomic
def digest_preference_set(*, acting_user, frequency: str) -> DigestPreference:
    if frequency not in DigestFrequency.values:
        raise ValidationError({"frequency": ["Choose daily, weekly, high only or no e-mail."]})
    preference, _ = DigestPreference.objects.get_or_create(user=acting_user)
    preference.frequency = frequency
    preference.full_clean()
    stamp(preference, acting_user, "Digest preference")
    preference.save()
    return preference


def inbox_mark_seen(*, user) -> None:
    """The person opened their inbox: the header's unread count starts again from now."""
    # Not a change of the person's preferences: no history row for a visit.
    if not DigestPreference.objects.filter(user=user).update(inbox_seen_at=timezone.now()):
        DigestPreference.objects.create(user=user, inbox_seen_at=timezone.now())
