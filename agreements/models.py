"""Field offices, law enforcement agencies and their 287(g) agreements (MOAs)."""

from __future__ import annotations

import re
import unicodedata

from django.db import models
from simple_history.models import HistoricalRecords

from portal.scoping import ScopedQuerySet

from django.conf import settings

from .choices import AgencyType, AgreementStatus, DocumentKind, IceEdition, ImportStatus, ProgramModel, Transition
from .geo import STATE_CHOICES


def agency_match_key(name: str) -> str:
    """The normalised key agencies are matched on: case, spacing, punctuation and the
    kinds of apostrophe folded, so "St. Lucie County Sheriff’s Office " and
    "st lucie county sheriff's office" are the same agency."""
    text = unicodedata.normalize("NFKD", name or "")
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("&", " and ")
    text = re.sub(r"[’'`´.]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


class FieldOfficeQuerySet(ScopedQuerySet):
    """Field offices: reference data every member of staff sees (``portal.access``)."""


class FieldOffice(models.Model):
    """An ICE Enforcement and Removal Operations (ERO) field office. Its Field Office
    Director runs it; its field program managers report to it administratively. The
    office's area of responsibility is a set of states and territories; a state shared by
    several offices has a default office and, where the portal knows it, a county table."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=80, unique=True)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    states = models.JSONField(
        default=list, help_text="Two-letter codes of the states and territories in its area of responsibility."
    )
    history = HistoricalRecords()

    objects = FieldOfficeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StateOffice(models.Model):
    """Which field office covers a state or territory. A state covered by several offices
    (Texas, California, New York) has one default row and county rows for the counties
    the portal knows; an agency in a county not listed gets the default and is flagged for
    HQ to confirm."""

    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    county = models.CharField(max_length=80, blank=True, help_text="Normalised county name; empty for the state's default.")
    field_office = models.ForeignKey(FieldOffice, on_delete=models.CASCADE, related_name="coverage")

    class Meta:
        ordering = ["state", "county"]
        constraints = [models.UniqueConstraint(fields=["state", "county"], name="one_office_per_state_county")]

    def __str__(self) -> str:
        return f"{self.state} {self.county or '(default)'} -> {self.field_office.code}"


class Agency(models.Model):
    """A state or local law enforcement agency (LEA) that holds, or applies for, one or
    more 287(g) agreements. Agencies are matched on state and a normalised name."""

    name = models.CharField(max_length=200)
    match_key = models.CharField(max_length=200, editable=False)
    agency_type = models.CharField("type", max_length=20, choices=AgencyType.choices, default=AgencyType.COUNTY)
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    county = models.CharField(max_length=80, blank=True)
    field_office = models.ForeignKey(FieldOffice, on_delete=models.PROTECT, related_name="agencies")
    field_office_confirmed = models.BooleanField(
        default=True,
        help_text="False when the office was defaulted from a state shared by several offices and HQ must confirm it.",
    )
    address = models.CharField(max_length=250, blank=True)
    contact_name = models.CharField("main contact", max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    area_sq_mi = models.PositiveIntegerField("jurisdiction area (sq mi)", null=True, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    equipment_operational_since = models.DateField(
        null=True, blank=True,
        help_text="Set by the IT installation pipeline when the site's equipment is installed and connected; "
        "without it the agency's officers cannot log in to DHS systems.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["state", "name"]
        constraints = [
            models.UniqueConstraint(fields=["state", "match_key"], name="one_agency_per_state_and_name"),
            models.CheckConstraint(name="agency_has_a_name", condition=~models.Q(match_key="")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"

    def save(self, *args, **kwargs):
        self.match_key = agency_match_key(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("agreements:agency-detail", args=[self.pk])


class Agreement(models.Model):
    """A Memorandum of Agreement (MOA) between ICE and an agency under one 287(g) model:
    the Jail Enforcement Model, the Task Force Model or the Warrant Service Officer model.
    One agreement per agency and model; it is applied for, reviewed, approved, signed,
    and may be suspended, reinstated, renewed, terminated or (while pending) withdrawn."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="agreements")
    program_model = models.CharField("287(g) model", max_length=3, choices=ProgramModel.choices)
    status = models.CharField(max_length=24, choices=AgreementStatus.choices, default=AgreementStatus.APPLICATION_RECEIVED)
    applied_on = models.DateField(null=True, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    moa_url = models.URLField("MOA document", max_length=500, blank=True)
    addendum_url = models.URLField("addendum document", max_length=500, blank=True)
    signed_on_raw = models.CharField(
        "signing date as ICE wrote it", max_length=60, blank=True,
        help_text="The value of ICE's list when it could not be trusted as a date (kept, never guessed).",
    )
    needs_review = models.BooleanField(default=False, help_text="HQ must check and correct this agreement.")
    review_reason = models.CharField(max_length=250, blank=True)
    pending_listed_on = models.DateField(
        "first seen on ICE's pending list", null=True, blank=True,
        help_text="Starts the review clock when the application date is not known.",
    )
    ice_listed_on = models.DateField("last seen on ICE's list", null=True, blank=True)
    not_listed_since = models.DateField(
        "not on ICE's list since", null=True, blank=True,
        help_text="The import date of the first edition of ICE's list that no longer showed it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["agency__state", "agency__name", "program_model"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "program_model"], name="one_agreement_per_agency_and_model"),
            models.CheckConstraint(
                name="signed_not_before_applied",
                condition=models.Q(signed_on__isnull=True) | models.Q(applied_on__isnull=True) | models.Q(signed_on__gte=models.F("applied_on")),
                violation_error_message="An agreement cannot be signed before it was applied for.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.name}: {self.get_program_model_display()}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("agreements:agreement-detail", args=[self.pk])


class AgreementEvent(models.Model):
    """One transition in an agreement's life (review, approval, signature, suspension,
    reinstatement, renewal, termination, withdrawal): when it took effect, who recorded
    it and why. Renewals keep the signing date they replaced, so the timeline shows
    every signature the agreement ever had."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(max_length=12, choices=Transition.choices)
    from_status = models.CharField(max_length=24, choices=AgreementStatus.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=AgreementStatus.choices)
    effective_on = models.DateField(help_text="The date the transition took effect.")
    reason = models.CharField(max_length=500, blank=True)
    previous_signed_on = models.DateField(null=True, blank=True, help_text="For a renewal: the signing date it replaced.")
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["effective_on", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.get_transition_display()} on {self.effective_on}"


def _document_path(instance, filename: str) -> str:
    return f"agreement-documents/{instance.agreement_id}/{filename}"


class AgreementDocument(models.Model):
    """A dated document of an agreement: the MOA itself, an amendment or an addendum,
    as a link to ice.gov or an uploaded file."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    dated_on = models.DateField("date")
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=_document_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["dated_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="document_has_a_link_or_a_file",
                condition=~models.Q(url="") | ~models.Q(file=""),
                violation_error_message="Give the document's link or upload its file.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.dated_on}: {self.title}"

    @property
    def href(self) -> str:
        return self.url or (self.file.url if self.file else "")


class IceImportQuerySet(ScopedQuerySet):
    """Imports of ICE's lists: HQ's work (``portal.access``)."""


class IceImport(models.Model):
    """One file of ICE's published lists, read and previewed, then applied or discarded.
    Keeps the cleaned rows and the report so HQ can review what an import did."""

    file_name = models.CharField(max_length=250)
    edition = models.CharField(max_length=14, choices=IceEdition.choices)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    import_date = models.DateField(help_text="The date the list is taken as of (the day it was read).")
    rows = models.JSONField(default=list, help_text="The cleaned rows that can be applied.")
    report = models.JSONField(default=dict, help_text="Counts, cleanings, flagged and rejected rows.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_valid_only = models.BooleanField(default=False, help_text="Applied with rejected rows left out.")
    # The cleaned rows are the file itself, kept once; the history follows status and report.
    history = HistoricalRecords(excluded_fields=["rows"])

    objects = IceImportQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_edition_display()}, {self.uploaded_at:%Y-%m-%d})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("agreements:ice-import-detail", args=[self.pk])


class AgreementSettings(models.Model):
    """Settings of the agreements rules, edited by the Unit Chief (one row)."""

    review_days_limit = models.PositiveIntegerField(
        "days an application may stay under review", default=90,
        help_text="An application pending longer than this is reported by the nightly sweep.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "agreement settings"
        verbose_name_plural = "agreement settings"

    def __str__(self) -> str:
        return "Agreement settings"

    def save(self, *args, **kwargs):
        self.pk = 1  # a single row
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "AgreementSettings":
        return cls.objects.get_or_create(pk=1)[0]
