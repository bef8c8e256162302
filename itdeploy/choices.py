"""Choices of the IT installation app."""

from django.db import models


class InstallationStatus(models.TextChoices):
    """Where an agency site's installation stands."""

    UNCONFIRMED = "unconfirmed", "Status unknown, to confirm"
    IN_PROGRESS = "in_progress", "In progress"
    OPERATIONAL = "operational", "Operational"
    CANCELLED = "cancelled", "Cancelled (agreement ended)"


class StepOwner(models.TextChoices):
    """Who carries out a step of the installation plan (domain.md's table)."""

    HQ_OCIO = "hq_ocio", "HQ IT specialist / OCIO"
    CISO = "ciso", "ICE CISO"
    OAQ = "oaq", "Office of Acquisition Management (OAQ)"
    VENDOR = "vendor", "Equipment vendor"
    TELECOM = "telecom", "Telecom contractor"
    OCIO_INSTALLER = "ocio_installer", "OCIO installer"
    AGENCY = "agency", "The agency"


class StepKind(models.TextChoices):
    """What a step means to the portal's rules. The ISA step must be complete before the
    installation step starts; the installation step takes an installer and, once complete,
    makes the site operational."""

    OTHER = "other", "Other"
    REQUEST = "request", "Installation request"
    ISA = "isa", "Interconnection Service Agreement"
    PURCHASE = "purchase", "Equipment purchase"
    DELIVERY = "delivery", "Equipment delivery"
    TELECOM = "telecom", "Telecom line"
    INSTALL = "install", "Equipment installation (operational)"


class StepState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    PAUSED = "paused", "Paused"
    COMPLETE = "complete", "Complete"


class ClockState(models.TextChoices):
    """A step's or an installation's clock: on track, at risk (75% of its time used),
    breached (past its time)."""

    NOT_RUNNING = "not_running", "Not running"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"


class PauseReason(models.TextChoices):
    WAITING_ON_AGENCY = "waiting_on_agency", "Waiting on the agency"
    SITE_ACCESS = "site_access", "Site access"
    AGREEMENT_ENDED = "agreement_ended", "Agreement suspended or terminated"
    OTHER = "other", "Other"
