"""Field offices, law enforcement agencies and their 287(g) agreements (MOAs)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from portal.scoping import ScopedQuerySet

from .choices import (
    AgencyType,
    AgreementStatus,
    ChangeKind,
    DocumentKind,
    FetchStatus,
    IceEdition,
    ImportStatus,
    InstallationDecision,
    ProgramModel,
    ReviewStatus,
    Transition,
)
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
    county = models.CharField(
        max_length=80, blank=True, help_text="Normalised county name; empty for the state's default."
    )
    field_office = models.ForeignKey(FieldOffice, on_delete=models.CASCADE, related_name="coverage")

    class Meta:
        ordering = ["state", "county"]
        constraints = [models.UniqueConstraint(fields=["state", "county"], name="one_office_per_state_county")]

    def __str__(self) -> str:
        return f"{self.state} {self.county or '(default)'} -> {self.field_office.code}"


class AgencyQuerySet(ScopedQuerySet):
    def active_on(self, on: dt.date | None = None):
        """Agencies active on ``on``: one of their agreements is in force that day."""
        return self.filter(models.Exists(Agreement.objects.in_force(on).filter(agency=models.OuterRef("pk"))))


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
        null=True,
        blank=True,
        help_text="Set by the IT installation pipeline when the site's equipment is installed and connected; "
        "without it the agency's officers cannot log in to DHS systems.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["state", "name"]
        # The lists' default order (the API's), so a page of 50 is read off the index; and
        # by name (the agencies page's default, and the filter panels' list of agencies):
        # 9 and 12 ms of sorting 5,000 agencies at national scale, 0.1 and 0.2 ms with it.
        indexes = [
            models.Index(fields=["state", "name", "id"], name="agency_list_order_idx"),
            models.Index(fields=["name", "id"], name="agency_name_order_idx"),
        ]
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

    def is_active(self, on: dt.date | None = None) -> bool:
        """Whether one of the agency's agreements is in force on ``on`` (today by default)."""
        return Agreement.objects.in_force(on).filter(agency_id=self.pk).exists()


class AgreementQuerySet(ScopedQuerySet):
    def in_force(self, on: dt.date | None = None):
        """The agreements in force on ``on`` (today by default): the one definition every
        rule, page and API field uses.

        An agreement is in force from its signature (or, once renewed, the signature the
        renewal replaced) until its suspension, termination or withdrawal: signed on or
        before ``on`` (a signed agreement whose date ICE's list gave untrusted counts as
        signed); not terminated or withdrawn on or before ``on`` (``ended_on``); and
        not suspended on ``on`` (a suspension from its effective date up to the day before
        its reinstatement). The portal records no expiry date: an MOA that lapses is
        terminated by HQ on the day it lapsed."""
        from portal import dates

        on = on or dates.today()
        signed = models.Q(signed_on__lte=on) | models.Exists(
            AgreementEvent.objects.filter(
                agreement=models.OuterRef("pk"), transition=Transition.RENEW, previous_signed_on__lte=on
            )
        )
        # Signed agreements loaded from ICE's lists with a date the import could not trust
        # (kept in ``signed_on_raw`` for HQ) are signed on an unknown day in the past.
        signed |= models.Q(
            signed_on__isnull=True,
            status__in=[AgreementStatus.SIGNED, AgreementStatus.SUSPENDED, AgreementStatus.TERMINATED],
        )
        not_ended = models.Q(status__in=[AgreementStatus.SIGNED, AgreementStatus.SUSPENDED]) | models.Q(
            status__in=[AgreementStatus.TERMINATED, AgreementStatus.WITHDRAWN], ended_on__gt=on
        )
        suspended = models.Exists(
            AgreementSuspension.objects.filter(agreement=models.OuterRef("pk"), starts_on__lte=on).filter(
                models.Q(ends_on__isnull=True) | models.Q(ends_on__gt=on)
            )
        )
        # A suspended agreement without a recorded interval (written before intervals were
        # kept) counts as suspended on every day.
        unrecorded = models.Q(status=AgreementStatus.SUSPENDED) & ~models.Exists(
            AgreementSuspension.objects.filter(agreement=models.OuterRef("pk"), ends_on__isnull=True)
        )
        return self.filter(signed, not_ended).exclude(suspended).exclude(unrecorded)


class Agreement(models.Model):
    """A Memorandum of Agreement (MOA) between ICE and an agency under one 287(g) model:
    the Jail Enforcement Model, the Task Force Model or the Warrant Service Officer model.
    One agreement per agency and model; it is applied for, reviewed, approved, signed,
    and may be suspended, reinstated, renewed, terminated or (while pending) withdrawn."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="agreements")
    program_model = models.CharField("287(g) model", max_length=3, choices=ProgramModel.choices)
    status = models.CharField(
        max_length=24, choices=AgreementStatus.choices, default=AgreementStatus.APPLICATION_RECEIVED
    )
    applied_on = models.DateField(null=True, blank=True)
    signed_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    moa_url = models.URLField("MOA document", max_length=500, blank=True)
    addendum_url = models.URLField("addendum document", max_length=500, blank=True)
    signed_on_raw = models.CharField(
        "signing date as ICE wrote it",
        max_length=60,
        blank=True,
        help_text="The value of ICE's list when it could not be trusted as a date (kept, never guessed).",
    )
    needs_review = models.BooleanField(default=False, help_text="HQ must check and correct this agreement.")
    review_reason = models.CharField(max_length=250, blank=True)
    pending_listed_on = models.DateField(
        "first seen on ICE's pending list",
        null=True,
        blank=True,
        help_text="Starts the review clock when the application date is not known.",
    )
    ice_listed_on = models.DateField("last seen on ICE's list", null=True, blank=True)
    not_listed_since = models.DateField(
        "not on ICE's list since",
        null=True,
        blank=True,
        help_text="The import date of the first edition of ICE's list that no longer showed it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["agency__state", "agency__name", "program_model"]
        constraints = [
            # One live agreement per agency and model: after a termination or withdrawal
            # the agency may sign a new agreement under the same model.
            models.UniqueConstraint(
                fields=["agency", "program_model"],
                condition=~models.Q(status__in=["terminated", "withdrawn"]),
                name="one_live_agreement_per_agency_and_model",
                violation_error_message="This agency already has an agreement under this 287(g) model.",
            ),
            models.CheckConstraint(
                name="signed_not_before_applied",
                condition=models.Q(signed_on__isnull=True)
                | models.Q(applied_on__isnull=True)
                | models.Q(signed_on__gte=models.F("applied_on")),
                violation_error_message="An agreement cannot be signed before it was applied for.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.name}: {self.get_program_model_display()}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("agreements:agreement-detail", args=[self.pk])

    def is_in_force(self, on: dt.date | None = None) -> bool:
        """Whether this agreement is in force on ``on``: ``Agreement.objects.in_force`` for one row."""
        return Agreement.objects.in_force(on).filter(pk=self.pk).exists()


class AgreementSuspension(models.Model):
    """A period an agreement was suspended: from the suspension's effective date up to the
    day before its reinstatement (``ends_on``, the reinstatement's effective date; empty
    while suspended). The agreement is not in force on those days."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="suspensions")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="The reinstatement's effective date.")
    reason = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="suspension_ends_after_start",
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                violation_error_message="A suspension cannot end before it starts.",
            ),
            models.UniqueConstraint(
                fields=["agreement"], condition=models.Q(ends_on__isnull=True), name="one_open_suspension_per_agreement"
            ),
        ]

    def __str__(self) -> str:
        return f"Suspension of {self.agreement} from {self.starts_on}"


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
    previous_signed_on = models.DateField(
        null=True, blank=True, help_text="For a renewal: the signing date it replaced."
    )
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
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
    """One edition of ICE's published lists (Participating or Pending Agencies): the file
    itself (its bytes, kept in the database so SQLite and PostgreSQL keep it alike), its
    SHA-256 (the same bytes are one edition), which list it is (from its header), and the
    date it is as of with the evidence used. It is read and previewed, then applied,
    discarded, or, when an edition of the same list as of a later date is already applied,
    stored and compared without undoing the newer one. Keeps the cleaned rows and the
    report so HQ can review what it did."""

    file_name = models.CharField(max_length=250)
    edition = models.CharField("list", max_length=14, choices=IceEdition.choices)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    import_date = models.DateField(help_text="The date written on the records it changes: its as-of date when known.")
    content = models.BinaryField(null=True, blank=True, editable=False, help_text="The file, byte for byte.")
    sha256 = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    as_of = models.DateField(
        "as of", null=True, blank=True, help_text="The date of ICE's edition; never before its latest signing date."
    )
    as_of_basis = models.CharField("as-of evidence used", max_length=300, blank=True)
    as_of_evidence = models.JSONField(
        default=list, blank=True, help_text="Every date the file and its fetch gave: kind, date, detail."
    )
    latest_signed_on = models.DateField("latest signing date inside", null=True, blank=True)
    source_url = models.URLField(max_length=500, blank=True, help_text="Where the file was fetched from, if it was.")
    http_last_modified = models.DateTimeField(null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The edition of the same list just before it (as-of order).",
    )
    digest_sent_at = models.DateTimeField(null=True, blank=True, help_text="When the change digest went to HQ.")
    rows = models.JSONField(default=list, help_text="The cleaned rows that can be applied.")
    report = models.JSONField(default=dict, help_text="Counts, cleanings, flagged and rejected rows.")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_valid_only = models.BooleanField(default=False, help_text="Applied with rejected rows left out.")
    # The file's bytes and cleaned rows are kept once, never edited: the history follows
    # the dates, status and report (the audit journal reads it).
    history = HistoricalRecords(excluded_fields=["content", "rows"])

    objects = IceImportQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "ICE list edition"

    def __str__(self) -> str:
        when = self.as_of.isoformat() if self.as_of else "undated"
        return f"{self.file_name} ({self.get_edition_display()}, as of {when})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("agreements:ice-import-detail", args=[self.pk])


class EditionChange(models.Model):
    """One line of the change list between an edition of ICE's list and the edition of
    the same list before it: an agreement new to the list, one no longer listed, or one
    field of a listed agreement with its value before and after. Agreements are matched
    on state, agency (case, spacing and apostrophes folded) and 287(g) model. Computed
    from the two files, recomputed when an older edition arrives late; never edited."""

    edition = models.ForeignKey(IceImport, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=8, choices=ChangeKind.choices)
    state = models.CharField(max_length=2)
    agency_name = models.CharField(max_length=200)
    match_key = models.CharField(max_length=200)
    program_model = models.CharField("287(g) model", max_length=3, choices=ProgramModel.choices)
    field = models.CharField(max_length=20, blank=True)
    before = models.CharField(max_length=500, blank=True)
    after = models.CharField(max_length=500, blank=True)
    agreement = models.ForeignKey(Agreement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()  # HQ's, like the editions (portal.access)

    class Meta:
        ordering = ["edition", "kind", "state", "agency_name", "program_model", "field"]
        indexes = [models.Index(fields=["edition", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.agency_name} ({self.state}) {self.field}"

    @property
    def field_label(self) -> str:
        from .choices import CHANGE_FIELDS

        return CHANGE_FIELDS.get(self.field, self.field)


class SigningDateReviewQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(status=ReviewStatus.PENDING)


class SigningDateReview(models.Model):
    """A signing date ICE's list changed for an agreement the portal holds: HQ accepts it
    (the agreement's date and its installation's 180-day clock move, with history) or
    rejects it; with the HQ setting "apply at once" it is accepted by the import itself."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signing_date_reviews")
    edition = models.ForeignKey(IceImport, on_delete=models.CASCADE, related_name="date_reviews")
    previous_signed_on = models.DateField(null=True, blank=True)
    new_signed_on = models.DateField()
    status = models.CharField(max_length=8, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=250, blank=True)
    history = HistoricalRecords()

    objects = SigningDateReviewQuerySet.as_manager()

    class Meta:
        ordering = ["status", "agreement__agency__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["agreement", "edition"], name="one_date_review_per_edition")]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.previous_signed_on} -> {self.new_signed_on}"


class IceSource(models.Model):
    """An address the scheduled fetch reads (ICE's 287(g) page or a workbook), with what
    its server said last time, so the next request is conditional."""

    url = models.URLField(max_length=500, unique=True)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True, help_text="The Last-Modified header, as sent.")
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()  # HQ's (portal.access)

    class Meta:
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url


class IceFetch(models.Model):
    """One request of the scheduled fetch and what came of it: a new edition, not
    modified, bytes already known, a page whose workbook links were followed, or a failure
    with its reason. A log, never edited."""

    url = models.URLField(max_length=500)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=14, choices=FetchStatus.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    edition = models.ForeignKey(IceImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="fetches")

    objects = ScopedQuerySet.as_manager()  # HQ's (portal.access)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.url} {self.started_at:%Y-%m-%d %H:%M}: {self.get_status_display()}"


class IceDigestSubscription(models.Model):
    """Whether an HQ user receives the e-mail digest of what each new edition of ICE's
    lists changed. A small record of its own, to merge later into the portal's general
    notification preferences."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ice_digest")
    subscribed = models.BooleanField(default=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()  # each HQ user their own (portal.access)

    def __str__(self) -> str:
        return f"{self.user}: {'subscribed' if self.subscribed else 'not subscribed'}"


class OnboardingEntry(models.Model):
    """An agency an edition of ICE's participating list added, in HQ's onboarding queue
    until its field office is confirmed, it has a primary and a backup program manager,
    and its site installation is decided. Within the grace period HQ sets, the sweep
    reports the queue (one finding per edition) instead of each rule for each agency."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="onboarding")
    edition = models.ForeignKey(IceImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="onboarding")
    entered_on = models.DateField(help_text="The as-of date of the edition that added the agency.")
    installation_decision = models.CharField(
        max_length=10, choices=InstallationDecision.choices, blank=True, default=InstallationDecision.UNDECIDED
    )
    completed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["completed_on", "-entered_on", "agency__state", "agency__name"]
        verbose_name_plural = "onboarding entries"

    def __str__(self) -> str:
        return f"Onboarding of {self.agency}"


class AgreementSettings(models.Model):
    """Settings of the agreements rules, edited by the Unit Chief (one row)."""

    review_days_limit = models.PositiveIntegerField(
        "days an application may stay under review",
        default=90,
        help_text="An application pending longer than this is reported by the nightly sweep.",
    )
    apply_signing_date_changes = models.BooleanField(
        "apply changed signing dates at once",
        default=False,
        help_text="When ICE's list changes an agreement's signing date: apply it at once (on) or ask HQ to review it (off).",
    )
    onboarding_grace_days = models.PositiveIntegerField(
        "onboarding grace period (days)",
        default=30,
        help_text="Days after an edition adds an agency during which the sweep reports its onboarding as one finding "
        "per edition instead of the usual per-agency findings.",
    )
    officers_per_jem = models.PositiveIntegerField(
        "assumed officers per Jail Enforcement Model agreement",
        default=6,
        help_text="Used by the timeline's staffing estimate until rosters come in.",
    )
    officers_per_tfm = models.PositiveIntegerField(
        "assumed officers per Task Force Model agreement",
        default=4,
        help_text="Used by the timeline's staffing estimate until rosters come in.",
    )
    officers_per_wso = models.PositiveIntegerField(
        "assumed officers per Warrant Service Officer agreement",
        default=2,
        help_text="Used by the timeline's staffing estimate until rosters come in.",
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
    def current(cls) -> AgreementSettings:
        return cls.objects.get_or_create(pk=1)[0]

    def officers_per_agreement(self) -> dict[str, int]:
        return {
            ProgramModel.JAIL_ENFORCEMENT: self.officers_per_jem,
            ProgramModel.TASK_FORCE: self.officers_per_tfm,
            ProgramModel.WARRANT_SERVICE: self.officers_per_wso,
        }
