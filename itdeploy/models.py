"""The IT installation pipeline: every new site's path from a signed MOA to working
equipment, step by step, with the plan HQ edits, pauses and OCIO's installers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from portal.scoping import ScopedQuerySet

from .choices import InstallationStatus, PauseReason, StepKind, StepOwner


class InstallationSettings(models.Model):
    """The pipeline's settings, one row edited by the Unit Chief: the goal from MOA
    signature to working equipment (180 days in the OIG report), the share of a step's time
    after which it is at risk, and how much history the forecast reads."""

    goal_days = models.PositiveIntegerField(
        default=180, validators=[MinValueValidator(1)], help_text="Days from MOA signature to operational equipment."
    )
    at_risk_percent = models.PositiveSmallIntegerField(
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="A step is at risk once this share of its planned time is used.",
    )
    forecast_min_history = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="Completed installations needed before a step's forecast uses actual durations instead of the plan.",
    )
    forecast_window = models.PositiveSmallIntegerField(
        default=40,
        validators=[MinValueValidator(1)],
        help_text="How many of the most recently completed steps of each kind the forecast reads.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "installation settings"
        verbose_name_plural = "installation settings"

    def __str__(self) -> str:
        return f"Goal {self.goal_days} days"

    @classmethod
    def current(cls) -> InstallationSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class ProgramModelSetting(models.Model):
    """Whether agreements under a 287(g) model need a site installation (yes for the Jail
    Enforcement Model, whose officers work at the agency's jail on ICE's systems)."""

    program_model = models.CharField(
        "287(g) model",
        max_length=3,
        unique=True,
        choices=[("jem", "Jail Enforcement Model"), ("tfm", "Task Force Model"), ("wso", "Warrant Service Officer")],
    )
    needs_installation = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["program_model"]

    def __str__(self) -> str:
        return f"{self.get_program_model_display()}: {'needs' if self.needs_installation else 'no'} site installation"

    @classmethod
    def models_needing_installation(cls) -> list[str]:
        return list(cls.objects.filter(needs_installation=True).values_list("program_model", flat=True))


class StepTemplate(models.Model):
    """A step of the default installation plan that each new installation copies: its
    owner, planned duration and the steps it starts after. The Unit Chief edits it; an
    installation keeps the plan it was opened with."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=200)
    owner = models.CharField(max_length=20, choices=StepOwner.choices)
    kind = models.CharField(max_length=10, choices=StepKind.choices, default=StepKind.OTHER)
    planned_days = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    depends_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="followed_by",
        help_text="The steps that must be complete before this one starts; none: it starts at the MOA signature.",
    )
    history = HistoricalRecords(m2m_fields=[depends_on])

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=~Q(kind="other"), name="one_template_step_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class InstallerQuerySet(ScopedQuerySet):
    """OCIO's installers: every member of staff sees them, the forecast depends on them (``portal.access``)."""


class Installer(models.Model):
    """An OCIO installer who installs and connects the equipment at new sites (the OIG
    found OCIO had one dedicated installer). Availability: active or not, and the days a
    week given to 287(g) sites; periods of unavailability are recorded separately."""

    name = models.CharField(max_length=120)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="installer",
        help_text="The portal account, if the installer has one.",
    )
    active = models.BooleanField(default=True)
    days_per_week = models.DecimalField(
        max_digits=2,
        decimal_places=1,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("5"))],
        help_text="Working days a week given to 287(g) sites (5: dedicated).",
    )
    home_base = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=250, blank=True)
    history = HistoricalRecords()

    objects = InstallerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstallerUnavailabilityQuerySet(ScopedQuerySet):
    """Periods an installer cannot install (``portal.access``)."""


class InstallerUnavailability(models.Model):
    """A period when an installer cannot install (leave, other programs' work)."""

    installer = models.ForeignKey(Installer, on_delete=models.CASCADE, related_name="unavailable_periods")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    objects = InstallerUnavailabilityQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                name="unavailability_ends_after_start",
                condition=Q(ends_on__gte=models.F("starts_on")),
                violation_error_message="A period of unavailability cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.installer}: {self.starts_on} to {self.ends_on}"


class InstallationQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=InstallationStatus.IN_PROGRESS)


class Installation(models.Model):
    """The installation of ICE's equipment at an agency's site, from the signature of its
    first MOA that needs one to working equipment: one per agency, whatever the number of
    its agreements. Its clock runs from the MOA signature against the goal."""

    agency = models.OneToOneField("agreements.Agency", on_delete=models.PROTECT, related_name="installation")
    opened_from = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The signed agreement that opened the installation.",
    )
    status = models.CharField(max_length=12, choices=InstallationStatus.choices, default=InstallationStatus.IN_PROGRESS)
    moa_signed_on = models.DateField("MOA signed on")
    opened_on = models.DateField()
    operational_on = models.DateField(null=True, blank=True)
    cancelled_on = models.DateField(
        null=True, blank=True, help_text="The date the agreement that needed the site was terminated or withdrawn."
    )
    priority_rank = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="HQ's rank in the installer queue (1 first). Without one, sites queue by MOA signature date.",
    )
    dates_estimated = models.BooleanField(
        default=False,
        help_text="Step dates were confirmed in bulk by HQ, not recorded as they happened; "
        "the forecast does not learn from them.",
    )
    note = models.CharField(max_length=250, blank=True)
    history = HistoricalRecords()

    objects = InstallationQuerySet.as_manager()

    class Meta:
        ordering = ["moa_signed_on", "pk"]
        # The lists' default order, so a page is read off the index.
        indexes = [models.Index(fields=["moa_signed_on", "id"], name="installation_list_order_idx")]
        constraints = [
            models.CheckConstraint(
                name="operational_only_with_date",
                condition=~Q(status="operational") | Q(operational_on__isnull=False),
                violation_error_message="An operational installation has an operational date.",
            ),
            models.CheckConstraint(
                name="operational_not_before_moa",
                condition=Q(operational_on__isnull=True) | Q(operational_on__gte=models.F("moa_signed_on")),
                violation_error_message="A site cannot be operational before its MOA was signed.",
            ),
        ]

    def __str__(self) -> str:
        return f"Installation at {self.agency.name}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("itdeploy:installation-detail", args=[self.pk])

    def days_since_moa(self, today: dt.date) -> int:
        return ((self.operational_on or self.cancelled_on or today) - self.moa_signed_on).days

    def paused_days(self, today: dt.date) -> int:
        """Days the installation's clock was paused (its agreement suspended) up to the
        operational date or ``today``; reads the prefetched ``clock_pauses`` when present."""
        from .clocks import paused_days

        return paused_days(
            self.clock_pauses.all(), self.operational_on or self.cancelled_on or today, self.moa_signed_on
        )

    def counted_days(self, today: dt.date) -> int:
        """Days from the MOA signature counted against the goal: the suspended days left out."""
        return max(0, self.days_since_moa(today) - self.paused_days(today))


class InstallationStep(models.Model):
    """One step of an installation, copied from the plan when the installation opened:
    its owner, planned duration, the steps it starts after, and what actually happened
    (start, completion, pauses). Paused time is not counted against the step."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="steps")
    template = models.ForeignKey(StepTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    owner = models.CharField(max_length=20, choices=StepOwner.choices)
    kind = models.CharField(max_length=10, choices=StepKind.choices, default=StepKind.OTHER)
    planned_days = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="followed_by")
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    installer = models.ForeignKey(
        Installer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="steps",
        help_text="For the installation step: the installer doing it.",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A person answerable for the step (e.g. an OCIO "
        "specialist); by default the agency's primary program manager.",
    )
    note = models.CharField(max_length=250, blank=True)
    cancelled_on = models.DateField(
        null=True, blank=True, help_text="An open step closed with its installation when the agreement ended."
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["installation_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["installation", "number"], name="one_step_number_per_installation"),
            models.CheckConstraint(
                name="step_completed_only_when_started",
                condition=Q(completed_on__isnull=True) | Q(started_on__isnull=False),
                violation_error_message="A step cannot be complete without having started.",
            ),
            models.CheckConstraint(
                name="step_ends_after_start",
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=models.F("started_on")),
                violation_error_message="A step cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def is_complete(self) -> bool:
        return self.completed_on is not None


class StepPause(models.Model):
    """A pause of an installation step (waiting on the agency, site access, an agreement
    suspended): the days between its start and end are not counted against the step."""

    step = models.ForeignKey(InstallationStep, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(max_length=20, choices=PauseReason.choices)
    note = models.CharField(max_length=250, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="pause_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                violation_error_message="A pause cannot end before it starts.",
            ),
            models.UniqueConstraint(
                fields=["step"], condition=Q(ended_on__isnull=True), name="one_open_pause_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"Pause of {self.step}: {self.get_reason_display()}"


class InstallationPause(models.Model):
    """A period the installation's own clock against the goal was paused because the
    agency's agreement needing the site was suspended: from the suspension's effective date
    to the reinstatement's (open while suspended). A suspended site is never past the goal
    for those days."""

    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="clock_pauses")
    reason = models.CharField(max_length=20, choices=PauseReason.choices, default=PauseReason.AGREEMENT_ENDED)
    note = models.CharField(max_length=250, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="installation_pause_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                violation_error_message="A pause cannot end before it starts.",
            ),
            models.UniqueConstraint(
                fields=["installation"], condition=Q(ended_on__isnull=True), name="one_open_pause_per_installation"
            ),
        ]

    def __str__(self) -> str:
        return f"Pause of {self.installation} from {self.started_on}"


class ForecastRun(models.Model):
    """One computation of the national installation forecast, stored so that pages and
    the API read it in constant time. It is valid for its day (``computed_on``) and for the
    state of its inputs (``inputs``: the newest historical row of each table the forecast
    reads, so any recorded change to a site, step, pause, installer or setting makes it
    stale). A derived copy, like a cache: not part of the record, so kept out of the history."""

    computed_on = models.DateField()
    computed_at = models.DateTimeField(auto_now_add=True)
    inputs = models.CharField(max_length=250)
    seconds = models.FloatField(default=0, help_text="How long the computation took.")

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Forecast of {self.computed_on} ({self.computed_at:%H:%M:%S})"


class SiteForecast(models.Model):
    """The stored forecast of one open installation in a ``ForecastRun``: expected and
    pessimistic, each ``{"operational_on", "install_ready_on", "install_start_on",
    "installer_id", "steps": {number: [start_on, end_on, projected]}}``."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="sites")
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    expected = models.JSONField()
    pessimistic = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "installation"], name="one_forecast_per_site_and_run")]

    def __str__(self) -> str:
        return f"Forecast of installation #{self.installation_id}"
