"""Writes of the agreements app: agencies and agreements. Every change records the
acting user in the record's history."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import dates
from portal.errors import TransitionNotAllowed

from .choices import AgreementStatus, PENDING_STATUSES
from .models import Agency, Agreement, FieldOffice, StateOffice, agency_match_key


def field_office_for(*, state: str, county: str = "") -> tuple[FieldOffice | None, bool]:
    """The field office covering a state (and county, where the state is split), and
    whether that answer is certain. A split state's county the portal does not know
    gets the state's default office, flagged as uncertain."""
    rows = {row.county: row.field_office for row in StateOffice.objects.filter(state=state).select_related("field_office")}
    if not rows:
        return None, False
    county_key = agency_match_key(county).removesuffix(" county").removesuffix(" parish")
    if county_key and county_key in rows:
        return rows[county_key], True
    default = rows.get("")
    is_split = len({office.pk for office in rows.values()}) > 1
    return default, not is_split


def _stamp(instance, acting_user, reason: str = ""):
    instance._history_user = acting_user
    if reason:
        instance._change_reason = reason


@transaction.atomic
def agency_create(*, acting_user, name: str, state: str, agency_type: str, county: str = "",
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
    _stamp(agency, acting_user, "Created")
    agency.save()
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, acting_user, **fields) -> Agency:
    for name, value in fields.items():
        setattr(agency, name, value)
    if "field_office" in fields:
        agency.field_office_confirmed = True
    agency.match_key = agency_match_key(agency.name)
    agency.full_clean()
    _stamp(agency, acting_user, "Updated")
    agency.save()
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
    _stamp(agreement, acting_user, "Application recorded")
    agreement.save()
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
    agreement.status = AgreementStatus.SIGNED
    agreement.signed_on = signed_on
    if moa_url:
        agreement.moa_url = moa_url
    agreement.full_clean()
    _stamp(agreement, acting_user, reason or f"Signed on {signed_on:%Y-%m-%d}")
    agreement.save()
    from .signals import agreement_signed

    agreement_signed.send(sender=Agreement, agreement=agreement, acting_user=acting_user)
    return agreement
