"""Writes of the agreements app: agencies and agreements. Every change records the
acting user in the record's history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import dates, uploads
from portal.errors import TransitionNotAllowed
from portal.history import stamp
from portal.jobs import progress
from portal.tables import display
from portal.writes import model_update

from .choices import (
    ENDED_STATUSES,
    HELD_STATUSES,
    PENDING_STATUSES,
    AgencyType,
    AgreementStatus,
    DocumentKind,
    Transition,
)
from .models import (
    Agency,
    Agreement,
    AgreementDocument,
    AgreementEvent,
    AgreementSuspension,
    FieldOffice,
    StateOffice,
    agency_match_key,
)

#: The resolution written on findings closed because their agreement ended.
AGREEMENT_ENDED = "agreement ended"
#: The resolution written on findings closed because their agreement was suspended.
AGREEMENT_SUSPENDED = "agreement suspended"


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
        rows = {
            row.county: row.field_office
            for row in StateOffice.objects.filter(state=state).select_related("field_office")
        }
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
def agency_create(
    *,
    acting_user,
    name: str,
    state: str,
    agency_type: str = AgencyType.COUNTY,
    county: str = "",
    field_office: FieldOffice | None = None,
    **fields,
) -> Agency:
    confirmed = True
    if field_office is None:
        field_office, confirmed = field_office_for(state=state, county=county)
        if field_office is None:
            raise ValidationError({"state": [f"No field office covers {state!r}."]})
    agency = Agency(
        name=" ".join(name.split()),
        state=state,
        agency_type=agency_type,
        county=county,
        field_office=field_office,
        field_office_confirmed=confirmed,
        **fields,
    )
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
def agreement_create(
    *,
    acting_user,
    agency: Agency,
    program_model: str,
    applied_on: dt.date | None = None,
    status: str = AgreementStatus.APPLICATION_RECEIVED,
    moa_url: str = "",
    addendum_url: str = "",
) -> Agreement:
    if status not in PENDING_STATUSES:
        raise ValidationError(
            {"status": ["A new agreement starts as an application (received, under review or approved)."]}
        )
    if applied_on and applied_on > dates.today():
        raise ValidationError({"applied_on": ["The application date cannot be in the future."]})
    if Agreement.objects.filter(agency=agency, program_model=program_model).exclude(status__in=ENDED_STATUSES).exists():
        raise ValidationError({"program_model": ["This agency already has an agreement under this 287(g) model."]})
    agreement = Agreement(
        agency=agency,
        program_model=program_model,
        status=status,
        applied_on=applied_on,
        moa_url=moa_url,
        addendum_url=addendum_url,
    )
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
        raise ValidationError(
            {"signed_on": [f"The signing date cannot be before the application ({display(agreement.applied_on)})."]}
        )


@transaction.atomic
def agreement_sign(
    *, agreement: Agreement, acting_user, signed_on: dt.date, moa_url: str = "", reason: str = ""
) -> Agreement:
    """Record the signature of an MOA: the agreement becomes active."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status not in TRANSITION_FROM["sign"]:
        raise TransitionNotAllowed(
            f"A {agreement.get_status_display().lower()} agreement cannot be signed; only a pending application can."
        )
    validate_signing_date(agreement, signed_on)
    from_status = agreement.status
    model_update(
        instance=agreement,
        acting_user=acting_user,
        reason=reason or f"Signed on {display(signed_on)}",
        data={
            "status": AgreementStatus.SIGNED,
            "signed_on": signed_on,
            "signed_on_raw": "",
            **({"moa_url": moa_url} if moa_url else {}),
        },
    )
    _event(agreement, Transition.SIGN, from_status, acting_user, signed_on, reason)
    from .signals import agreement_signed

    agreement_signed.send(sender=Agreement, agreement=agreement, acting_user=acting_user)
    return agreement


# --- the lifecycle ------------------------------------------------------------------------


def _event(
    agreement: Agreement,
    transition: str,
    from_status: str,
    acting_user,
    effective_on: dt.date,
    reason: str,
    previous_signed_on: dt.date | None = None,
) -> AgreementEvent:
    return AgreementEvent.objects.create(
        agreement=agreement,
        transition=transition,
        from_status=from_status,
        to_status=agreement.status,
        effective_on=effective_on,
        reason=(reason or "")[:500],
        previous_signed_on=previous_signed_on,
        acting_user=acting_user if getattr(acting_user, "pk", None) else None,
    )


def _locked(agreement: Agreement) -> Agreement:
    return Agreement.objects.select_for_update().select_related("agency").get(pk=agreement.pk)


#: The statuses each transition leaves from, in the order of an agreement's life: the one
#: rule the transitions' services check and the agreement's page offers.
TRANSITION_FROM = {
    "review": (AgreementStatus.APPLICATION_RECEIVED,),
    "approve": (AgreementStatus.UNDER_REVIEW,),
    "sign": PENDING_STATUSES,
    "withdraw": PENDING_STATUSES,
    "renew": (AgreementStatus.SIGNED,),
    "suspend": (AgreementStatus.SIGNED,),
    "reinstate": (AgreementStatus.SUSPENDED,),
    "terminate": HELD_STATUSES,
}


def transitions_open(agreement: Agreement) -> list[str]:
    """The transitions the agreement's status allows now (their services refuse the others
    with 409), in the order of its life. Who may make them is the access policy's."""
    return [verb for verb, statuses in TRANSITION_FROM.items() if agreement.status in statuses]


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
        raise ValidationError({field: [f"The date cannot be before {what} ({display(floor)})."]})
    return on


def _need_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise ValidationError({"reason": ["Give the reason for this change."]})
    return reason.strip()


@transaction.atomic
def agreement_review(
    *, agreement: Agreement, acting_user, effective_on: dt.date | None = None, reason: str = ""
) -> Agreement:
    """HQ starts reviewing an application it received."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, TRANSITION_FROM["review"], "put under review", "a received application")
    on = _check_date(agreement, effective_on or dates.today())
    from_status = agreement.status
    model_update(
        instance=agreement,
        data={"status": AgreementStatus.UNDER_REVIEW},
        acting_user=acting_user,
        reason=reason or f"Review started on {display(on)}",
    )
    _event(agreement, Transition.REVIEW, from_status, acting_user, on, reason)
    return agreement


@transaction.atomic
def agreement_approve(
    *,
    agreement: Agreement,
    acting_user,
    effective_on: dt.date | None = None,
    reason: str = "",
    impact_assessment: int | None = None,
    justification: str = "",
) -> Agreement:
    """HQ approves an application under review; the MOA can then be signed.

    Before the approval, the ``agreement_approval_check`` provider (the oversight app's
    expansion impact check) may refuse it (``ValidationError``: an approval over a red
    assessment without a written ``justification``) and returns what to record with it:
    the assessment the approval was made on, and the justification, kept in the history."""
    from portal import hooks

    agreement = _locked(agreement)
    _refuse_unless(agreement, TRANSITION_FROM["approve"], "approved", "an application under review")
    on = _check_date(agreement, effective_on or dates.today())
    note = (
        hooks.call(
            "agreement_approval_check",
            agreement=agreement,
            acting_user=acting_user,
            assessment_id=impact_assessment,
            justification=justification,
            default="",
        )
        or ""
    )
    if not note and justification.strip():
        note = f"Justification: {justification.strip()}"
    reason = " ".join(part for part in (reason.strip(), note) if part)[:500]
    from_status = agreement.status
    model_update(
        instance=agreement,
        data={"status": AgreementStatus.APPROVED},
        acting_user=acting_user,
        reason=reason or f"Approved on {display(on)}",
    )
    _event(agreement, Transition.APPROVE, from_status, acting_user, on, reason)
    hooks.call(
        "agreement_approved",
        agreement=agreement,
        acting_user=acting_user,
        assessment_id=impact_assessment,
        justification=justification,
    )
    return agreement


def _send_ended(agreement: Agreement, acting_user, reason: str, transition: str, on: dt.date) -> None:
    from .signals import agreement_ended

    agreement_ended.send(
        sender=Agreement,
        agreement=agreement,
        acting_user=acting_user,
        reason=reason,
        transition=transition,
        effective_on=on,
    )


@transaction.atomic
def agreement_suspend(*, agreement: Agreement, acting_user, effective_on: dt.date, reason: str) -> Agreement:
    """ICE suspends a signed agreement: its officers may not act under it until it is
    reinstated. Other apps react to ``agreement_ended`` (installation steps paused)."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, TRANSITION_FROM["suspend"], "suspended", "a signed agreement")
    reason = _need_reason(reason)
    on = _check_date(agreement, effective_on)
    from_status = agreement.status
    model_update(
        instance=agreement,
        data={"status": AgreementStatus.SUSPENDED},
        acting_user=acting_user,
        reason=f"Suspended on {display(on)}: {reason}",
    )
    _event(agreement, Transition.SUSPEND, from_status, acting_user, on, reason)
    suspension = AgreementSuspension(agreement=agreement, starts_on=on, reason=reason[:500])
    suspension.full_clean()
    stamp(suspension, acting_user, f"Suspended on {display(on)}: {reason}"[:100])
    suspension.save()
    _close_findings(agreement, acting_user, on, AGREEMENT_SUSPENDED)
    _send_ended(agreement, acting_user, reason, Transition.SUSPEND, on)
    return agreement


def _end_suspension(agreement: Agreement, acting_user, on: dt.date, why: str) -> None:
    for suspension in AgreementSuspension.objects.filter(agreement=agreement, ends_on__isnull=True):
        suspension.ends_on = max(on, suspension.starts_on)
        stamp(suspension, acting_user, why[:100])
        suspension.save(update_fields=["ends_on"])


@transaction.atomic
def agreement_reinstate(*, agreement: Agreement, acting_user, effective_on: dt.date, reason: str = "") -> Agreement:
    """A suspended agreement is in force again."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, TRANSITION_FROM["reinstate"], "reinstated", "a suspended agreement")
    on = _check_date(agreement, effective_on)
    from_status = agreement.status
    model_update(
        instance=agreement,
        data={"status": AgreementStatus.SIGNED},
        acting_user=acting_user,
        reason=reason or f"Reinstated on {display(on)}",
    )
    _event(agreement, Transition.REINSTATE, from_status, acting_user, on, reason)
    _end_suspension(agreement, acting_user, on, f"Reinstated on {display(on)}")
    from .signals import agreement_reinstated

    agreement_reinstated.send(sender=Agreement, agreement=agreement, acting_user=acting_user, effective_on=on)
    return agreement


@transaction.atomic
def agreement_renew(
    *, agreement: Agreement, acting_user, signed_on: dt.date, moa_url: str = "", reason: str = ""
) -> Agreement:
    """A signed agreement is renewed: it takes the new signing date; the one it replaces
    stays in its timeline and history."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, TRANSITION_FROM["renew"], "renewed", "a signed agreement")
    on = _check_date(agreement, signed_on, "signed_on")
    if agreement.signed_on and on <= agreement.signed_on:
        raise ValidationError(
            {"signed_on": [f"A renewal is signed after the current signature ({display(agreement.signed_on)})."]}
        )
    previous = agreement.signed_on
    model_update(
        instance=agreement,
        acting_user=acting_user,
        reason=reason or f"Renewed on {display(on)}",
        data={"signed_on": on, "signed_on_raw": "", **({"moa_url": moa_url} if moa_url else {})},
    )
    _event(agreement, Transition.RENEW, AgreementStatus.SIGNED, acting_user, on, reason, previous_signed_on=previous)
    if moa_url:
        document_add(
            agreement=agreement,
            acting_user=acting_user,
            kind=DocumentKind.MOA,
            dated_on=on,
            title=f"Renewed MOA of {display(on)}",
            url=moa_url,
        )
    return agreement


def _close_findings(agreement: Agreement, acting_user, on: dt.date, resolution: str) -> int:
    """The open findings about the agreement close with ``resolution``; so do the agency's
    when no other agreement of the agency is in force on ``on``. The sweep's rules look
    only at what is in force, so none reopens them."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q
    from django.utils import timezone

    from portal.compliance.models import OPEN_STATUSES, Finding, FindingStatus

    others_in_force = (
        Agreement.objects.in_force(on).filter(agency_id=agreement.agency_id).exclude(pk=agreement.pk).exists()
    )
    about = Q(subject_type=ContentType.objects.get_for_model(Agreement), subject_id=agreement.pk)
    if not others_in_force:
        about |= Q(agency_id=agreement.agency_id)
    from portal.audit.bulk import queryset_update

    return queryset_update(
        Finding.objects.filter(about, status__in=OPEN_STATUSES),
        action="resolve",
        reason=resolution,
        user=acting_user if getattr(acting_user, "pk", None) else None,
        status=FindingStatus.RESOLVED,
        resolved_at=timezone.now(),
        resolved_by=acting_user if getattr(acting_user, "pk", None) else None,
        resolution=resolution,
    )


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, acting_user, effective_on: dt.date, reason: str) -> Agreement:
    """The agreement ends for good on ``effective_on``. Its findings close as "agreement
    ended" (the agency's too when no other agreement is in force). The other apps react to
    ``agreement_ended``: assignments, installation, officers' designation."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, TRANSITION_FROM["terminate"], "terminated", "a signed or suspended agreement")
    reason = _need_reason(reason)
    on = _check_date(agreement, effective_on)
    from_status = agreement.status
    model_update(
        instance=agreement,
        data={"status": AgreementStatus.TERMINATED, "ended_on": on},
        acting_user=acting_user,
        reason=f"Terminated on {display(on)}: {reason}",
    )
    _event(agreement, Transition.TERMINATE, from_status, acting_user, on, reason)
    _end_suspension(agreement, acting_user, on, f"Terminated on {display(on)}")
    _close_findings(agreement, acting_user, on, AGREEMENT_ENDED)
    _send_ended(agreement, acting_user, reason, Transition.TERMINATE, on)
    return agreement


@transaction.atomic
def agreement_withdraw(*, agreement: Agreement, acting_user, effective_on: dt.date, reason: str) -> Agreement:
    """The agency withdraws its application before the MOA is signed."""
    agreement = _locked(agreement)
    _refuse_unless(agreement, TRANSITION_FROM["withdraw"], "withdrawn", "a pending application")
    reason = _need_reason(reason)
    on = _check_date(agreement, effective_on)
    from_status = agreement.status
    model_update(
        instance=agreement,
        data={"status": AgreementStatus.WITHDRAWN, "ended_on": on},
        acting_user=acting_user,
        reason=f"Withdrawn on {display(on)}: {reason}",
    )
    _event(agreement, Transition.WITHDRAW, from_status, acting_user, on, reason)
    _close_findings(agreement, acting_user, on, AGREEMENT_ENDED)
    _send_ended(agreement, acting_user, reason, Transition.WITHDRAW, on)
    return agreement


@transaction.atomic
def agreement_mark_reviewed(*, agreement: Agreement, acting_user, note: str = "") -> Agreement:
    """HQ has checked an agreement the import flagged (for example a signing date ICE
    wrote as ``7/72025``) and clears the flag."""
    agreement = _locked(agreement)
    if not agreement.needs_review:
        raise TransitionNotAllowed("This agreement is not flagged for review.")
    model_update(
        instance=agreement,
        data={"needs_review": False, "review_reason": ""},
        acting_user=acting_user,
        reason=note or "Checked by HQ",
    )
    return agreement


# --- documents ------------------------------------------------------------------------------


@transaction.atomic
def document_add(
    *, agreement: Agreement, acting_user, kind: str, dated_on: dt.date, title: str, url: str = "", file=None
) -> AgreementDocument:
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


# --- editions of ICE's published lists ----------------------------------------------------------


def _user(acting_user):
    return acting_user if getattr(acting_user, "pk", None) else None


def _stamp_dates() -> dict:
    """Name stamp -> as-of date of the participating editions already dated (their
    pending siblings, published under the same stamp, have no dates inside)."""
    from .editions import name_stamp
    from .models import IceImport

    found = {}
    for file_name, as_of in (
        IceImport.objects.filter(edition="participating", as_of__isnull=False)
        .exclude(status="discarded")
        .values_list("file_name", "as_of")
    ):
        stamp, _ = name_stamp(file_name)
        if stamp:
            found[stamp] = as_of
    return found


@transaction.atomic
def ice_import_preview(
    *,
    content: bytes,
    file_name: str,
    acting_user,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
    last_modified: dt.datetime | None = None,
    source_url: str = "",
    preview: bool = True,
    compare: bool = True,
):
    """Read a file of ICE's list and keep it as an edition, with its as-of date, its
    preview report and its change list against the edition before it, until HQ applies
    or discards it. The same bytes twice are one edition: the existing one is returned
    (with ``known = True``), the new sighting added to its evidence. Nothing else is
    written. ``preview`` and ``compare`` off skip the preview's plan and the change list
    (the history import plans on applying and compares once all files are read)."""
    import hashlib

    from .importers import collector_paused
    from .models import IceImport

    digest = hashlib.sha256(content).hexdigest()
    existing = IceImport.objects.filter(sha256=digest).first()
    if existing is not None and existing.status == "discarded":
        # Discarded once, uploaded again: HQ may now want it; it is previewed again.
        existing.status = "previewed"
        stamp(existing, acting_user, "Uploaded again after it was discarded")
        existing.save(update_fields=["status"])
        edition_compare(edition=existing)
        existing.known = False
        return existing
    if existing is not None:
        _note_sighting(existing, file_name, last_modified, source_url, acting_user)
        existing.known = True
        return existing
    today = today or dates.today()
    if as_of is not None and as_of > today:
        raise ValidationError({"as_of": ["The edition's date cannot be in the future."]})
    with collector_paused():
        return _preview_new(
            content=content,
            file_name=file_name,
            digest=digest,
            acting_user=acting_user,
            today=today,
            as_of=as_of,
            last_modified=last_modified,
            source_url=source_url,
            preview=preview,
            compare=compare,
        )


def _preview_new(*, content, file_name, digest, acting_user, today, as_of, last_modified, source_url, preview, compare):
    """Read, date, plan and store a new edition (``ice_import_preview``)."""
    from .editions import date_edition
    from .importers import plan_ice_import, read_ice_file, report_of, skip_keys
    from .models import IceImport

    progress(0, 4, f"Reading the rows of {file_name}")
    read = read_ice_file(content, file_name, today=today)
    progress(1, 4, f"Dating the edition ({len(read.rows):,} rows read)")
    dating = date_edition(
        file_name=file_name,
        rows=read.rows,
        today=today,
        given=as_of,
        last_modified=last_modified,
        stamp_dates=_stamp_dates(),
    )
    if as_of is not None and dating.latest_signed_on and as_of < dating.latest_signed_on:
        raise ValidationError(
            {
                "as_of": [
                    f"The edition cannot be dated before its latest signing date ({display(dating.latest_signed_on)})."
                ]
            }
        )
    import_date = dating.as_of or today
    # Planning reads the portal's records and writes nothing; the preview keeps only its
    # report (applying plans again), so it builds no model instances.
    progress(2, 4, "Checking each row against the agencies and agreements the portal has")
    if preview:
        plan = plan_ice_import(
            read.rows, read.edition, import_date, skip_unlisting=skip_keys(read.rejected), instances=False
        )
    else:
        from .importers import Plan

        plan = Plan()
    edition = IceImport(
        file_name=file_name[:250],
        edition=read.edition,
        import_date=import_date,
        rows=read.rows,
        report=report_of(read, plan),
        uploaded_by=_user(acting_user),
        content=content,
        sha256=digest,
        as_of=dating.as_of,
        as_of_basis=dating.basis,
        as_of_evidence=dating.evidence,
        latest_signed_on=dating.latest_signed_on,
        source_url=source_url[:500],
        http_last_modified=last_modified,
    )
    stamp(edition, acting_user, "Edition read")
    edition.save()
    edition.known = False
    if compare:
        progress(3, 4, "Comparing with the edition before it")
        edition_compare(edition=edition)
    progress(4, 4, "Preview ready")
    return edition


def _note_sighting(edition, file_name: str, last_modified, source_url: str, acting_user) -> None:
    """The same bytes seen again under another name or from a fetch: ICE still published
    the edition then, which is evidence kept with it (its as-of date does not change)."""
    from .editions import archive_timestamp, name_stamp

    day = (last_modified.date() if last_modified else None) or archive_timestamp(file_name) or name_stamp(file_name)[1]
    if file_name == edition.file_name and day is None:
        return
    entry = {
        "kind": "seen_again",
        "date": day.isoformat() if day else None,
        "detail": f"The same bytes published again as {file_name}"[:250],
    }
    if entry in edition.as_of_evidence:
        return
    edition.as_of_evidence = [*edition.as_of_evidence, entry]
    stamp(edition, acting_user, "Same bytes seen again")
    edition.save(update_fields=["as_of_evidence"])


def _neighbour_edition(edition, *, later: bool):
    """The edition of the same list just before (or, with ``later``, just after) ``edition``
    in as-of order (ties by id), discarded ones left out."""
    from django.db.models import Q

    from .choices import ImportStatus
    from .models import IceImport

    if edition.as_of is None:
        return None
    side = "gt" if later else "lt"
    order = ("as_of", "pk") if later else ("-as_of", "-pk")
    return (
        IceImport.objects.filter(edition=edition.edition, as_of__isnull=False)
        .exclude(status=ImportStatus.DISCARDED)
        .exclude(pk=edition.pk)
        .filter(Q(**{f"as_of__{side}": edition.as_of}) | Q(as_of=edition.as_of, **{f"pk__{side}": edition.pk}))
        .order_by(*order)
        .first()
    )


def _previous_edition(edition):
    return _neighbour_edition(edition, later=False)


def _next_edition(edition):
    return _neighbour_edition(edition, later=True)


def _write_changes(edition) -> None:
    from .editions import compare_rows
    from .models import EditionChange

    EditionChange.objects.filter(edition=edition).delete()
    previous = _previous_edition(edition)
    edition.previous = previous
    edition.save(update_fields=["previous"])
    if previous is None:
        return
    lines = compare_rows(
        previous.rows,
        edition.rows,
        previous_columns=previous.report.get("columns"),
        columns=edition.report.get("columns"),
    )
    states = {line["state"] for line in lines}
    agreement_ids = {
        (state, key, model): pk
        for pk, state, key, model in Agreement.objects.filter(agency__state__in=states).values_list(
            "pk", "agency__state", "agency__match_key", "program_model"
        )
    }
    EditionChange.objects.bulk_create(
        [
            EditionChange(
                edition=edition,
                agreement_id=agreement_ids.get((ln["state"], ln["match_key"], ln["program_model"])),
                **ln,
            )
            for ln in lines
        ],
        batch_size=1000,
    )


@transaction.atomic
def edition_compare(*, edition) -> None:
    """(Re)compute the change list of an edition against the edition of the same list
    just before it, and the change list of the one just after it (an edition arriving
    late sits between two others)."""
    _write_changes(edition)
    following = _next_edition(edition)
    if following is not None:
        _write_changes(following)


@transaction.atomic
def ice_edition_set_as_of(*, edition, acting_user, as_of: dt.date, reason: str):
    """HQ corrects the date an edition is as of (recorded in its history with the reason).
    The date cannot be in the future nor before the latest signing date inside."""
    from .models import IceImport

    edition = IceImport.objects.select_for_update().get(pk=edition.pk)
    reason = _need_reason(reason)
    if as_of is None:
        raise ValidationError({"as_of": ["Give the date the edition is as of."]})
    if as_of > dates.today():
        raise ValidationError({"as_of": ["The edition's date cannot be in the future."]})
    if edition.latest_signed_on and as_of < edition.latest_signed_on:
        raise ValidationError(
            {
                "as_of": [
                    f"The edition cannot be dated before its latest signing date ({display(edition.latest_signed_on)})."
                ]
            }
        )
    old_next = _next_edition(edition)
    edition.as_of_evidence = [
        *edition.as_of_evidence,
        {"kind": "given", "date": as_of.isoformat(), "detail": f"Corrected by HQ: {reason}"[:250]},
    ]
    edition.as_of = as_of
    edition.as_of_basis = f"Corrected by HQ: {reason}"[:300]
    if edition.status == "previewed":
        edition.import_date = as_of
    stamp(edition, acting_user, f"As-of date set to {display(as_of)}: {reason}"[:100])
    edition.save()
    edition_compare(edition=edition)
    if old_next is not None:
        _write_changes(old_next)
    return edition


@transaction.atomic
def ice_import_apply(*, ice_import, acting_user, apply_valid: bool = False, send_digest: bool = True):
    """Apply a previewed edition, as of its date. When rows were rejected, nothing is
    applied unless HQ chose to apply the valid rows and keep the rejected ones listed.
    An edition older than one of the same list already applied is stored and compared
    only: it does not undo the newer one. Changed signing dates of agreements in force
    wait for HQ's review unless HQ set them to apply at once; agencies the edition adds
    enter the onboarding queue."""
    from collections import Counter

    from django.utils import timezone

    from .choices import ImportStatus
    from .importers import ReadResult, apply_ice_import, report_of
    from .models import IceImport

    ice_import = IceImport.objects.select_for_update().get(pk=ice_import.pk)
    if ice_import.status != ImportStatus.PREVIEWED:
        raise TransitionNotAllowed(f"This import is already {ice_import.get_status_display().lower()}.")
    if ice_import.as_of is None:
        raise ValidationError({"as_of": ["Give the date this edition is as of before applying it."]})
    newer = (
        IceImport.objects.filter(edition=ice_import.edition, status=ImportStatus.APPLIED, as_of__gt=ice_import.as_of)
        .order_by("-as_of")
        .first()
    )
    if newer is not None:
        ice_import.status = ImportStatus.STORED
        stamp(
            ice_import, acting_user, f"Older than the applied edition as of {display(newer.as_of)}: stored, not applied"
        )
        ice_import.save(update_fields=["status"])
        return ice_import
    rejected = ice_import.report.get("rejected", [])
    if rejected and not apply_valid:
        raise ValidationError(
            {
                "apply_valid": [
                    f"{len(rejected)} row(s) were rejected. Apply nothing, or choose to apply the valid rows."
                ]
            }
        )
    ice_import.import_date = ice_import.as_of
    progress(0, 4, f"Writing the agencies and agreements of {len(ice_import.rows):,} rows")
    plan = apply_ice_import(
        rows=ice_import.rows,
        edition=ice_import.edition,
        import_date=ice_import.as_of,
        acting_user=acting_user,
        file_name=ice_import.file_name,
        rejected=rejected,
    )
    read = ReadResult(
        file_name=ice_import.file_name,
        edition=ice_import.edition,
        rejected=rejected,
        flagged=ice_import.report.get("flagged_dates", []),
        rows_read=ice_import.report.get("rows_read", 0),
        ignored_columns=ice_import.report.get("ignored_columns", []),
        columns=ice_import.report.get("columns", []),
    )
    read.cleanings = Counter(ice_import.report.get("cleanings", {}))
    progress(1, 4, "Writing the final report")
    ice_import.report = report_of(read, plan)
    ice_import.status = ImportStatus.APPLIED
    ice_import.applied_by = _user(acting_user)
    ice_import.applied_at = timezone.now()
    ice_import.applied_valid_only = bool(rejected)
    stamp(ice_import, acting_user, "Applied")
    ice_import.save()
    progress(2, 4, "Recording changed signing dates and the agencies to onboard")
    _record_date_changes(ice_import, plan, acting_user)
    _enter_onboarding(ice_import, plan, acting_user)
    if send_digest:
        progress(3, 4, "Sending the change digest")
        edition_digest_send(edition=ice_import)
    progress(4, 4, "Applied")
    return ice_import


def _record_date_changes(edition, plan, acting_user) -> None:
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from .choices import ReviewStatus
    from .models import SigningDateReview
    from .signals import agreement_signing_date_changed

    if not plan.date_changes:
        return
    at_once = plan.date_changes_at_once
    reviews = [
        SigningDateReview(
            agreement=agreement,
            edition=edition,
            previous_signed_on=before,
            new_signed_on=after,
            status=ReviewStatus.ACCEPTED if at_once else ReviewStatus.PENDING,
            decided_by=_user(acting_user) if at_once else None,
            decided_at=timezone.now() if at_once else None,
            note="Applied at once (HQ's setting)" if at_once else "",
        )
        for agreement, before, after in plan.date_changes
    ]
    bulk_create_with_history(
        reviews,
        SigningDateReview,
        batch_size=500,
        default_user=_user(acting_user),
        default_change_reason=f"Signing date changed by {edition.file_name}"[:100],
    )
    if at_once:
        for agreement, before, _after in plan.date_changes:
            agreement_signing_date_changed.send(
                sender=Agreement, agreement=agreement, previous_signed_on=before, acting_user=_user(acting_user)
            )


def _enter_onboarding(edition, plan, acting_user) -> None:
    """Agencies the participating edition adds (new, or whose first agreement it signs)
    enter the onboarding queue, as of the edition's date."""
    from simple_history.utils import bulk_create_with_history

    from .choices import IceEdition
    from .models import OnboardingEntry

    if edition.edition != IceEdition.PARTICIPATING:
        return
    agency_ids = {a.pk for a in plan.new_agencies} | {a.agency_id for a in plan.signed_agreements}
    already = set(OnboardingEntry.objects.filter(agency_id__in=agency_ids).values_list("agency_id", flat=True))
    entries = [
        OnboardingEntry(agency_id=pk, edition=edition, entered_on=edition.as_of) for pk in sorted(agency_ids - already)
    ]
    if entries:
        bulk_create_with_history(
            entries,
            OnboardingEntry,
            batch_size=500,
            default_user=_user(acting_user),
            default_change_reason=f"Added by ICE's list as of {display(edition.as_of)}",
        )


@transaction.atomic
def ice_import_discard(*, ice_import, acting_user):
    from .choices import ImportStatus

    if ice_import.status != ImportStatus.PREVIEWED:
        raise TransitionNotAllowed(f"This import is already {ice_import.get_status_display().lower()}.")
    following = _next_edition(ice_import)
    ice_import.status = ImportStatus.DISCARDED
    stamp(ice_import, acting_user, "Discarded")
    ice_import.save(update_fields=["status"])
    from .models import EditionChange

    EditionChange.objects.filter(edition=ice_import).delete()
    if following is not None:
        _write_changes(following)
    return ice_import


def ice_history_import(*, files: list[tuple[str, bytes]], acting_user, apply: bool = True) -> list[str]:
    """Import past editions of ICE's lists: every file is read and dated (participating
    lists first, so a pending list published under the same name stamp takes their date),
    compared in as-of order, then applied in that order, valid rows only, without digests.
    A file already imported (same bytes) is skipped, so a second run changes nothing.
    With ``apply`` off the editions are only stored and compared (the demo keeps ICE's
    record for the timeline without replacing its agencies)."""
    from .choices import IceEdition, ImportStatus
    from .importers import IceFileError

    lines, read = [], []
    ordered = sorted(files, key=lambda f: (not f[0].lower().startswith("participating"), f[0]))
    for name, content in ordered:
        try:
            edition = ice_import_preview(
                content=content, file_name=name, acting_user=acting_user, preview=False, compare=False
            )
        except IceFileError as exc:
            lines.append(f"{name}: not one of ICE's lists ({' '.join(exc.messages)})")
            continue
        if edition.known:
            lines.append(f"{name}: already imported (edition {edition.pk}, {edition.get_status_display().lower()})")
        else:
            read.append(edition)
    # Participating before pending on the same day: a pending list then finds the agreements it names signed.
    read.sort(key=lambda e: (e.as_of is None, e.as_of, e.edition != IceEdition.PARTICIPATING, e.pk))
    for edition in read:
        if edition.as_of is not None:
            edition_compare(edition=edition)
    for edition in read:
        if edition.as_of is None:
            lines.append(f"{edition.file_name}: no evidence of its date; give it on the edition's page, then apply")
            continue
        if not apply:
            edition.status = ImportStatus.STORED
            stamp(edition, acting_user, "Stored from the archive of ICE's lists")
            edition.save(update_fields=["status"])
            lines.append(f"{edition.file_name}: as of {edition.as_of}, stored and compared")
            continue
        edition = ice_import_apply(ice_import=edition, acting_user=acting_user, apply_valid=True, send_digest=False)
        if edition.status == ImportStatus.STORED:
            lines.append(f"{edition.file_name}: as of {edition.as_of}, older than an applied edition: stored, compared")
            continue
        g = edition.report["agreements"]
        lines.append(
            f"{edition.file_name}: as of {edition.as_of} ({edition.as_of_basis}); agreements {g['new']} new, "
            f"{g['updated']} updated, {g['signed']} signed, {g['no_longer_listed']} no longer listed, "
            f"{len(edition.report['rejected'])} rows rejected"
        )
    return lines


@transaction.atomic
def ice_import_drop(*, ice_import) -> None:
    """Forget a preview that was only read (a dry run, or rows rejected on the command
    line): the edition after it is compared with the one before again."""
    following = _next_edition(ice_import)
    ice_import.delete()
    if following is not None:
        _write_changes(following)


@transaction.atomic
def signing_date_review_decide(*, review, acting_user, accept: bool, note: str = ""):
    """HQ accepts a signing date ICE's list changed (the agreement's date moves, and with
    it its installation's 180-day clock, both with history) or rejects it."""
    from django.utils import timezone

    from .choices import ReviewStatus
    from .models import SigningDateReview
    from .signals import agreement_signing_date_changed

    review = SigningDateReview.objects.select_for_update().select_related("edition").get(pk=review.pk)
    if review.status != ReviewStatus.PENDING:
        raise TransitionNotAllowed(f"This signing date is already {review.get_status_display().lower()}.")
    if accept:
        agreement = _locked(review.agreement)
        validate_signing_date(agreement, review.new_signed_on)
        previous = agreement.signed_on
        model_update(
            instance=agreement,
            data={"signed_on": review.new_signed_on, "signed_on_raw": ""},
            acting_user=acting_user,
            reason=f"Signing date {previous or '(none)'} -> {display(review.new_signed_on)} "
            f"from ICE's list as of {display(review.edition.as_of)}",
        )
        agreement_signing_date_changed.send(
            sender=Agreement, agreement=agreement, previous_signed_on=previous, acting_user=_user(acting_user)
        )
    review.status = ReviewStatus.ACCEPTED if accept else ReviewStatus.REJECTED
    review.decided_by = _user(acting_user)
    review.decided_at = timezone.now()
    review.note = (note or "")[:250]
    stamp(review, acting_user, review.get_status_display())
    review.save()
    return review


@transaction.atomic
def digest_subscription_set(*, user, subscribed: bool, acting_user=None):
    """An HQ user subscribes to (or leaves) the change digest of ICE's editions."""
    from portal import access

    from .models import IceDigestSubscription, IceImport

    if subscribed and not access.may(user, "view", IceImport):
        raise ValidationError({"subscribed": ["Only HQ staff receive the digest of ICE's lists."]})
    subscription, _ = IceDigestSubscription.objects.get_or_create(user=user)
    subscription.subscribed = subscribed
    stamp(subscription, acting_user or user, "Subscribed" if subscribed else "Unsubscribed")
    subscription.save()
    return subscription


def edition_digest_send(*, edition) -> int:
    """E-mail the change digest of an applied edition to the HQ users who subscribe to it,
    once: what is new, changed, no longer listed, and the signing dates to review.
    Returns the number of recipients (0 when already sent or nobody subscribes)."""
    from django.conf import settings as django_settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import timezone

    from portal import access

    from .models import IceImport
    from .selectors import edition_summary

    # The digest goes to the roles that may read editions (HQ's, by the access policy).
    readers = set(access.target_of(IceImport).actions["view"])

    claimed = IceImport.objects.filter(pk=edition.pk, digest_sent_at__isnull=True).update(digest_sent_at=timezone.now())
    if not claimed:
        return 0
    from django.contrib.auth import get_user_model

    recipients = sorted(
        {
            email
            for email, role in get_user_model()
            .objects.filter(is_active=True, ice_digest__subscribed=True)
            .exclude(email="")
            .values_list("email", "staff_profile__role")
            if role in readers
        }
    )
    if not recipients:
        return 0
    summary = edition_summary(edition)
    body = render_to_string(
        "agreements/ice_digest.txt",
        {"edition": edition, "summary": summary, "base_url": getattr(django_settings, "PORTAL_BASE_URL", "")},
    )
    head = f"ICE {edition.get_edition_display().split(' (')[0].lower()} list as of {display(edition.as_of)}: "
    if summary["previous"] is None:
        subject = head + f"the first edition the portal has ({len(edition.rows)} agreements)"
    else:
        subject = head + (
            f"{summary['new']} new, {summary['changed']} changed, {summary['removed']} no longer listed, "
            f"{summary['to_review_count']} signing date(s) to review"
        )
    send_mail(subject, body, None, recipients)
    return len(recipients)


# --- the onboarding queue ---------------------------------------------------------------------


@transaction.atomic
def onboarding_update(
    *,
    entries,
    acting_user,
    confirm_office: bool = False,
    field_office=None,
    installation_decision: str = "",
    primary=None,
    backup=None,
    starts_on: dt.date | None = None,
    today: dt.date | None = None,
) -> dict:
    """Work through many entries of the onboarding queue at once, all or nothing: confirm
    (or set) their field office, assign a primary and a backup program manager (through
    the staffing app's provider, audited there), record the installation decision; then
    close the entries that lack nothing. Returns counts of what was done."""
    from portal import hooks

    from .choices import InstallationDecision
    from .models import OnboardingEntry
    from .selectors import onboarding_missing, onboarding_queue

    today = today or dates.today()
    entries = list(
        OnboardingEntry.objects.select_for_update()
        .filter(pk__in=[e.pk for e in entries], completed_on__isnull=True)
        .select_related("agency")
    )
    if not entries:
        raise ValidationError({"entries": ["Select at least one agency still in onboarding."]})
    if installation_decision and installation_decision not in InstallationDecision.values:
        raise ValidationError({"installation_decision": ["Choose whether an installation is needed."]})
    done = {"offices": 0, "assignments": 0, "decisions": 0, "completed": 0}
    if confirm_office or field_office is not None:
        for entry in entries:
            agency = entry.agency
            if field_office is not None and agency.field_office_id != field_office.pk:
                agency_update(agency=agency, acting_user=acting_user, field_office=field_office)
                done["offices"] += 1
            elif not agency.field_office_confirmed:
                agency.field_office_confirmed = True
                stamp(agency, acting_user, "Field office confirmed (onboarding)")
                agency.save(update_fields=["field_office_confirmed"])
                done["offices"] += 1
    if primary is not None or backup is not None:
        if starts_on is None:
            raise ValidationError({"starts_on": ["Give the date the assignments start."]})
        if not hooks.has("program_managers_assign"):
            raise ValidationError({"primary": ["The staffing app is not installed: managers cannot be assigned."]})
        done["assignments"] = hooks.call(
            "program_managers_assign",
            agency_ids=[e.agency_id for e in entries],
            primary_id=getattr(primary, "pk", None),
            backup_id=getattr(backup, "pk", None),
            starts_on=starts_on,
            acting_user=acting_user,
        )
    if installation_decision:
        for entry in entries:
            entry.installation_decision = installation_decision
            stamp(entry, acting_user, f"Installation: {InstallationDecision(installation_decision).label}")
            entry.save(update_fields=["installation_decision"])
            done["decisions"] += 1
    for entry in onboarding_queue(today=today).filter(pk__in=[e.pk for e in entries]):
        if not onboarding_missing(entry):
            entry.completed_on = today
            stamp(entry, acting_user, "Onboarding finished")
            entry.save(update_fields=["completed_on"])
            done["completed"] += 1
    return done


@transaction.atomic
def agreement_settings_update(*, acting_user, **fields):
    """Change the agreements rules' settings (the Unit Chief's): how long an
    application may wait on HQ before the sweep reports it."""
    from portal.settings_sections import row_update

    from .models import AgreementSettings

    return row_update(
        AgreementSettings.current(), acting_user=acting_user, reason="Agreement settings changed", **fields
    )
