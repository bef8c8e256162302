"""Writes of the agreements app: agencies and agreements. Every change records the
acting user in the record's history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import dates, uploads
from portal.history import stamp
from portal.errors import TransitionNotAllowed
from portal.writes import model_update

from .choices import IN_FORCE_STATUSES, PENDING_STATUSES, AgencyType, AgreementStatus, DocumentKind, Transition
from .models import Agency, Agreement, AgreementDocument, AgreementEvent, FieldOffice, StateOffice, agency_match_key

#: The resolution written on findings closed because their agreement ended.
AGREEMENT_ENDED = "agreement ended"


def coverage_table() -> dict[str, dict[str, FieldOffice]]:
    """State -> {normalised county or "" for the default: field office}, in one query."""
    table: dict[str, dict[str, FieldOffice]] = {}
    for row in StateOffice.objects.select_related("field_office"):
        table.setdefault(row.state, {})[row.county] = row.field_office
    return table


def field_office_for(*, state: str, county: str = "", table: dict | None = None) -> tuple[FieldOffice | None, bool]:
    """The field office covering a state (and county, where the state is split), and
    whether that answer is certain. A split state's county the portal does not know
    gets the state's default office, flagged as uncertain. ``table`` (from
    ``coverage_table()``) saves the query when placing many agencies."""
    if table is None:
        rows = {row.county: row.field_office for row in StateOffice.objects.filter(state=state).select_related("field_office")}
    else:
        rows = table.get(state, {})
    if not rows:
        return None, False
    county_key = agency_match_key(county).removesuffix(" county").removesuffix(" parish")
    if county_key and county_key in rows:
        return rows[county_key], True
    default = rows.get("")
    is_split = len({office.pk for office in rows.values()}) > 1
    return default, not is_split


@transaction.atomic
def agency_create(*, acting_user, name: str, state: str, agency_type: str = AgencyType.COUNTY, county: str = "",
                  field_office: FieldOffice | None = None, **fields) -> Agency:
    confirmed = True
    if field_office is None:
        field_office, confirmed = field_office_for(state=state, county=county)
        if field_office is None:
            raise ValidationError({"state": [f"No field office covers {state!r}."]})
    agency = Agency(name=" ".join(name.split()), state=state, agency_type=agency_type, county=county,
                    field_office=field_office, field_office_confirmed=confirmed, **fields)
    agency.match_key = agency_match_key(agency.name)
    agency.full_clean()
    stamp(agency, acting_user, "Created")
    agency.save()
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, acting_user, **fields) -> Agency:
    data = dict(fields)
    if "field_office" in fields:
        data["field_office_confirmed"] = True
    data["match_key"] = agency_match_key(data.get("name", agency.name))
    agency, _ = model_update(instance=agency, data=data, acting_user=acting_user, reason="Updated")
    return agency


@transaction.atomic
def agreement_create(*, acting_user, agency: Agency, program_model: str, applied_on: dt.date | None = None,
                     status: str = AgreementStatus.APPLICATION_RECEIVED, moa_url: str = "", addendum_url: str = "") -> Agreement:
    if status not in PENDING_STATUSES:
        raise ValidationError({"status": ["A new agreement starts as an application (received, under review or approved)."]})
    if applied_on and applied_on > dates.today():
        raise ValidationError({"applied_on": ["The application date cannot be in the future."]})
    if Agreement.objects.filter(agency=agency, program_model=program_model).exists():
        raise ValidationError({"program_model": ["This agency already has an agreement under this 287(g) model."]})
    agreement = Agreement(agency=agency, program_model=program_model, status=status,
                          applied_on=applied_on, moa_url=moa_url, addendum_url=addendum_url)
    agreement.full_clean()
    stamp(agreement, acting_user, "Application recorded")
    agreement.save()
    _event(agreement, Transition.APPLICATION, "", acting_user, applied_on or dates.today(), "")
    return agreement


def validate_signing_date(agreement: Agreement, signed_on: dt.date | None) -> None:
    if signed_on is None:
        raise ValidationError({"signed_on": ["Give the date the MOA was signed."]})
    if signed_on > dates.today():
        raise ValidationError({"signed_on": ["The signing date cannot be in the future."]})
    if agreement.applied_on and signed_on < agreement.applied_on:
        raise ValidationError({"signed_on": [f"The signing date cannot be before the application ({agreement.applied_on:%Y-%m-%d})."]})


@transaction.atomic
def agreement_sign(*, agreement: Agreement, acting_user, signed_on: dt.date, moa_url: str = "", reason: str = "") -> Agreement:
    """Record the signature of an MOA: the agreement becomes active."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status not in PENDING_STATUSES:
        raise TransitionNotAllowed(
            f"A {agreement.get_status_display().lower()} agreement cannot be signed; only a pending application can."
        )
    validate_signing_date(agreement, signed_on)
    from_status = agreement.status
    model_update(instance=agreement, acting_user=acting_user, reason=reason or f"Signed on {signed_on:%Y-%m-%d}",
                 data={"status": AgreementStatus.SIGNED, "signed_on": signed_on, "signed_on_raw": "",
                       **({"moa_url": moa_url} if moa_url else {})})
    _event(agreement, Transition.SIGN, from_status, acting_user, signed_on, reason)
    from .signals import agreement_signed

    agreement_signed.send(sender=Agreement, agreement=agreement, acting_user=acting_user)
    return agreement


# --- the lifecycle ------------------------------------------------------------------------

def _event(agreement: Agreement, transition: str, from_status: str, acting_user, effective_on: dt.date,
           reason: str, previous_signed_on: dt.date | None = None) -> AgreementEvent:
    return AgreementEvent.objects.create(
        agreement=agreement, transition=transition, from_status=from_status, to_status=agreement.status,
        effective_on=effective_on, reason=(reason or "")[:500], previous_signed_on=previous_signed_on,
        acting_user=acting_user if getattr(acting_user, "pk", None) else None,
    )


def _locked(agreement: Agreement) -> Agreement:
    return Agreement.objects.select_for_update().select_related("agency").get(pk=agreement.pk)


def _refuse_unless(agreement: Agreement, allowed, verb: str, allowed_text: str) -> None:
    if agreement.status not in allowed:
        raise TransitionNotAllowed(
            f"A {agreement.get_status_display().lower()} agreement cannot be {verb}; only {allowed_text} can."
        )


def _check_date(agreement: Agreement, on: dt.date | None, field: str = "effective_on") -> dt.date:
    """A transition's date: given, not in the future, and not before the application, the
    signature or the agreement's last recorded transition."""
    if on is None:
        raise ValidationError({field: ["Give the date the change took effect."]})
    if on > dates.today():
        raise ValidationError({field: ["The date cannot be in the future."]})
    floor, what = agreement.applied_on, "the application"
    if agreement.signed_on and (floor is None or agreement.signed_on > floor):
        floor, what = agreement.signed_on, "the signature"
    last = agreement.events.order_by("-effective_on").values_list("effective_on", flat=True).first()
    if last and (floor is None or last > floor):
        floor, what = last, "the agreement's last recorded change"
    if floor and on < floor:
        raise ValidationError({field: [f"The date cannot be before {what} ({floor:%Y-%m-%d})."]})
    return on


def _need_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise ValidationError({"reason": ["Give the reason for this change."]})
    return reason.strip()


@transaction.atomic
def agreement_review(*, agreement: Agreement, acting_user, effective_on: dt.date | None = None,
                     reason: str = "") -> Agreement:
    """HQ starts reviewing an application it received."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, (AgreementStatus.APPLICATION_RECEIVED,), "put under review", "a received application")
    on = _check_date(agreement, effective_on or dates.today())
    from_status = agreement.status
    model_update(instance=agreement, data={"status": AgreementStatus.UNDER_REVIEW}, acting_user=acting_user,
                 reason=reason or f"Review started on {on:%Y-%m-%d}")
    _event(agreement, Transition.REVIEW, from_status, acting_user, on, reason)
    return agreement


@transaction.atomic
def agreement_approve(*, agreement: Agreement, acting_user, effective_on: dt.date | None = None,
                      reason: str = "", impact_assessment: int | None = None, justification: str = "") -> Agreement:
    """HQ approves an application under review; the MOA can then be signed.

    Before the approval, the ``agreement_approval_check`` provider (the oversight app's
    expansion impact check) may refuse it (``ValidationError``: an approval over a red
    assessment without a written ``justification``) and returns what to record with it:
    the assessment the approval was made on, and the justification, kept in the history."""
    from portal import hooks

    agreement = _locked(agreement)
    _refuse_unless(agreement, (AgreementStatus.UNDER_REVIEW,), "approved", "an application under review")
    on = _check_date(agreement, effective_on or dates.today())
    note = hooks.call("agreement_approval_check", agreement=agreement, acting_user=acting_user,
                      assessment_id=impact_assessment, justification=justification, default="") or ""
    if not note and justification.strip():
        note = f"Justification: {justification.strip()}"
    reason = " ".join(part for part in (reason.strip(), note) if part)[:500]
    from_status = agreement.status
    model_update(instance=agreement, data={"status": AgreementStatus.APPROVED}, acting_user=acting_user,
                 reason=reason or f"Approved on {on:%Y-%m-%d}")
    _event(agreement, Transition.APPROVE, from_status, acting_user, on, reason)
    hooks.call("agreement_approved", agreement=agreement, acting_user=acting_user, assessment_id=impact_assessment,
               justification=justification)
    return agreement


def _send_ended(agreement: Agreement, acting_user, reason: str, transition: str) -> None:
    from .signals import agreement_ended

    agreement_ended.send(sender=Agreement, agreement=agreement, acting_user=acting_user, reason=reason,
                         transition=transition)


@transaction.atomic
def agreement_suspend(*, agreement: Agreement, acting_user, effective_on: dt.date, reason: str) -> Agreement:
    """ICE suspends a signed agreement: its officers may not act under it until it is
    reinstated. Other apps react to ``agreement_ended`` (installation steps paused)."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, (AgreementStatus.SIGNED,), "suspended", "a signed agreement")
    reason = _need_reason(reason)
    on = _check_date(agreement, effective_on)
    from_status = agreement.status
    model_update(instance=agreement, data={"status": AgreementStatus.SUSPENDED}, acting_user=acting_user,
                 reason=f"Suspended on {on:%Y-%m-%d}: {reason}")
    _event(agreement, Transition.SUSPEND, from_status, acting_user, on, reason)
    _send_ended(agreement, acting_user, reason, Transition.SUSPEND)
    return agreement


@transaction.atomic
def agreement_reinstate(*, agreement: Agreement, acting_user, effective_on: dt.date, reason: str = "") -> Agreement:
    """A suspended agreement is in force again."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, (AgreementStatus.SUSPENDED,), "reinstated", "a suspended agreement")
    on = _check_date(agreement, effective_on)
    from_status = agreement.status
    model_update(instance=agreement, data={"status": AgreementStatus.SIGNED}, acting_user=acting_user,
                 reason=reason or f"Reinstated on {on:%Y-%m-%d}")
    _event(agreement, Transition.REINSTATE, from_status, acting_user, on, reason)
    from .signals import agreement_reinstated

    agreement_reinstated.send(sender=Agreement, agreement=agreement, acting_user=acting_user)
    return agreement


@transaction.atomic
def agreement_renew(*, agreement: Agreement, acting_user, signed_on: dt.date, moa_url: str = "",
                    reason: str = "") -> Agreement:
    """A signed agreement is renewed: it takes the new signing date; the one it replaces
    stays in its timeline and history."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, (AgreementStatus.SIGNED,), "renewed", "a signed agreement")
    on = _check_date(agreement, signed_on, "signed_on")
    if agreement.signed_on and on <= agreement.signed_on:
        raise ValidationError({"signed_on": [f"A renewal is signed after the current signature ({agreement.signed_on:%Y-%m-%d})."]})
    previous = agreement.signed_on
    model_update(instance=agreement, acting_user=acting_user, reason=reason or f"Renewed on {on:%Y-%m-%d}",
                 data={"signed_on": on, "signed_on_raw": "", **({"moa_url": moa_url} if moa_url else {})})
    _event(agreement, Transition.RENEW, AgreementStatus.SIGNED, acting_user, on, reason, previous_signed_on=previous)
    if moa_url:
        document_add(agreement=agreement, acting_user=acting_user, kind=DocumentKind.MOA, dated_on=on,
                     title=f"Renewed MOA of {on:%Y-%m-%d}", url=moa_url)
    return agreement


def _close_after_end(agreement: Agreement, acting_user, on: dt.date, *, end_assignments: bool) -> None:
    """What an agreement's end does in this app: its open findings are resolved as
    "agreement ended", and so are the agency's when no other agreement is in force; on a
    termination of the agency's last agreement in force, its program managers'
    assignments end on the termination date."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q
    from django.utils import timezone

    from portal.compliance.models import OPEN_STATUSES, Finding, FindingStatus

    others_in_force = Agreement.objects.filter(agency_id=agreement.agency_id, status__in=IN_FORCE_STATUSES).exclude(
        pk=agreement.pk).exists()
    about = Q(subject_type=ContentType.objects.get_for_model(Agreement), subject_id=agreement.pk)
    if not others_in_force:
        about |= Q(agency_id=agreement.agency_id)
    from portal.audit.bulk import queryset_update

    queryset_update(
        Finding.objects.filter(about, status__in=OPEN_STATUSES), action="resolve", reason=AGREEMENT_ENDED,
        user=acting_user if getattr(acting_user, "pk", None) else None,
        status=FindingStatus.RESOLVED, resolved_at=timezone.now(),
        resolved_by=acting_user if getattr(acting_user, "pk", None) else None, resolution=AGREEMENT_ENDED,
    )
    if end_assignments and not others_in_force:
        from staffing.models import Assignment
        from staffing.services import assignment_end

        running = Assignment.objects.filter(agency_id=agreement.agency_id, starts_on__lte=on).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=on))
        for assignment in running:
            assignment_end(assignment=assignment, acting_user=acting_user, ends_on=on)


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, acting_user, effective_on: dt.date, reason: str) -> Agreement:
    """The agreement ends for good. Its findings close as "agreement ended"; if it was
    the agency's last agreement in force, its program managers' assignments end too."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, IN_FORCE_STATUSES, "terminated", "a signed or suspended agreement")
    reason = _need_reason(reason)
    on = _check_date(agreement, effective_on)
    from_status = agreement.status
    model_update(instance=agreement, data={"status": AgreementStatus.TERMINATED, "ended_on": on},
                 acting_user=acting_user, reason=f"Terminated on {on:%Y-%m-%d}: {reason}")
    _event(agreement, Transition.TERMINATE, from_status, acting_user, on, reason)
    _close_after_end(agreement, acting_user, on, end_assignments=True)
    _send_ended(agreement, acting_user, reason, Transition.TERMINATE)
    return agreement


@transaction.atomic
def agreement_withdraw(*, agreement: Agreement, acting_user, effective_on: dt.date, reason: str) -> Agreement:
    """The agency withdraws its application before the MOA is signed."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, PENDING_STATUSES, "withdrawn", "a pending application")
    reason = _need_reason(reason)
    on = _check_date(agreement, effective_on)
    from_status = agreement.status
    model_update(instance=agreement, data={"status": AgreementStatus.WITHDRAWN, "ended_on": on},
                 acting_user=acting_user, reason=f"Withdrawn on {on:%Y-%m-%d}: {reason}")
    _event(agreement, Transition.WITHDRAW, from_status, acting_user, on, reason)
    _close_after_end(agreement, acting_user, on, end_assignments=False)
    _send_ended(agreement, acting_user, reason, Transition.WITHDRAW)
    return agreement


@transaction.atomic
def agreement_mark_reviewed(*, agreement: Agreement, acting_user, note: str = "") -> Agreement:
    """HQ has checked an agreement the import flagged (for example a signing date ICE
    wrote as ``7/72025``) and clears the flag."""
    agreement = _locked(agreement)
    if not agreement.needs_review:
        raise TransitionNotAllowed("This agreement is not flagged for review.")
    model_update(instance=agreement, data={"needs_review": False, "review_reason": ""}, acting_user=acting_user,
                 reason=note or "Checked by HQ")
    return agreement


# --- documents ------------------------------------------------------------------------------

@transaction.atomic
def document_add(*, agreement: Agreement, acting_user, kind: str, dated_on: dt.date, title: str, url: str = "",
                 file=None) -> AgreementDocument:
    """Keep a dated document of an agreement: its MOA, an amendment or an addendum."""
    if dated_on and dated_on > dates.today():
        raise ValidationError({"dated_on": ["The document's date cannot be in the future."]})
    if not url and not file:
        raise ValidationError({"url": ["Give the document's link or upload its file."]})
    document = AgreementDocument(agreement=agreement, kind=kind, dated_on=dated_on, title=title, url=url or "")
    if file:
        try:
            uploads.check_upload(file, kinds=("pdf", "docx"))
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
        document.file = file
    document.full_clean()
    stamp(document, acting_user, "Document added")
    document.save()
    return document


# --- imports of ICE's published lists ----------------------------------------------------------

@transaction.atomic
def ice_import_preview(*, content: bytes, file_name: str, acting_user, today: dt.date | None = None):
    """Read a file of ICE's list and keep it, with its preview report, until HQ applies
    or discards it. Nothing else is written."""
    from .importers import plan_ice_import, read_ice_file, report_of, skip_keys
    from .models import IceImport

    import_date = today or dates.today()
    read = read_ice_file(content, file_name, today=import_date)
    # Planning changes records in memory only; nothing is saved until HQ applies the import.
    plan = plan_ice_import(read.rows, read.edition, import_date, skip_unlisting=skip_keys(read.rejected))
    return IceImport.objects.create(
        file_name=file_name[:250], edition=read.edition, import_date=import_date, rows=read.rows,
        report=report_of(read, plan), uploaded_by=acting_user if getattr(acting_user, "pk", None) else None,
    )


@transaction.atomic
def ice_import_apply(*, ice_import, acting_user, apply_valid: bool = False):
    """Apply a previewed import. When rows were rejected, nothing is applied unless HQ
    chose to apply the valid rows and keep the rejected ones listed."""
    from django.utils import timezone

    from .choices import ImportStatus
    from .importers import apply_ice_import, report_of, ReadResult
    from .models import IceImport

    ice_import = IceImport.objects.select_for_update().get(pk=ice_import.pk)
    if ice_import.status != ImportStatus.PREVIEWED:
        raise TransitionNotAllowed(f"This import is already {ice_import.get_status_display().lower()}.")
    rejected = ice_import.report.get("rejected", [])
    if rejected and not apply_valid:
        raise ValidationError({"apply_valid": [
            f"{len(rejected)} row(s) were rejected. Apply nothing, or choose to apply the valid rows."]})
    plan = apply_ice_import(rows=ice_import.rows, edition=ice_import.edition, import_date=ice_import.import_date,
                            acting_user=acting_user, file_name=ice_import.file_name, rejected=rejected)
    read = ReadResult(file_name=ice_import.file_name, edition=ice_import.edition, rejected=rejected,
                      flagged=ice_import.report.get("flagged_dates", []), rows_read=ice_import.report.get("rows_read", 0),
                      ignored_columns=ice_import.report.get("ignored_columns", []))
    from collections import Counter

    read.cleanings = Counter(ice_import.report.get("cleanings", {}))
    model_update(instance=ice_import, acting_user=acting_user, reason="Applied", data={
        "report": report_of(read, plan), "status": ImportStatus.APPLIED,
        "applied_by": acting_user if getattr(acting_user, "pk", None) else None, "applied_at": timezone.now(),
        "applied_valid_only": bool(rejected),
    }, exclude=["uploaded_by", "applied_by"])  # the nightly fetch uploads and applies as no one
    return ice_import


@transaction.atomic
def ice_import_discard(*, ice_import, acting_user):
    from .choices import ImportStatus

    if ice_import.status != ImportStatus.PREVIEWED:
        raise TransitionNotAllowed(f"This import is already {ice_import.get_status_display().lower()}.")
    model_update(instance=ice_import, data={"status": ImportStatus.DISCARDED}, acting_user=acting_user, reason="Discarded",
                 exclude=["uploaded_by", "applied_by"])
    return ice_import


@transaction.atomic
def agreement_settings_update(*, acting_user, **fields):
    """Change the agreements rules' settings (the Unit Chief's): how long an
    application may wait on HQ before the sweep reports it."""
    from portal.settings_sections import row_update

    from .models import AgreementSettings

    return row_update(AgreementSettings.current(), acting_user=acting_user, reason="Agreement settings changed",
                      **fields)
