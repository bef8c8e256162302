"""Choices of the oversight app."""

from django.db import models


class Readiness(models.TextChoices):
    """Whether an agency's site can work under its 287(g) agreement."""

    READY = "ready", "Ready"
    PARTLY = "partly", "Partly ready"
    NOT_READY = "not_ready", "Not ready"


class Rating(models.TextChoices):
    """The verdict of an expansion impact check: green fits, amber strains, red does not fit."""

    GREEN = "green", "Green: the expansion fits"
    AMBER = "amber", "Amber: the expansion strains the program"
    RED = "red", "Red: the expansion does not fit"


class AssessmentBasis(models.TextChoices):
    AGREEMENTS = "agreements", "Applications (agreements)"
    AGENCIES = "agencies", "What-if list of agencies"
    COUNTS = "counts", "Counts per field office"


class DigestFrequency(models.TextChoices):
    DAILY = "daily", "Daily: after every sweep that finds something new or changed"
    WEEKLY = "weekly", "Weekly: on Mondays, everything new or changed since the last digest"
    HIGH_ONLY = "high_only", "High only: after a sweep, only high and critical findings"
    NONE = "none", "No e-mail (the inbox only)"


class WaiverRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for HQ"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"


class NoteKind(models.TextChoices):
    NOTE = "note", "Note"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    WAIVER_REQUESTED = "waiver_requested", "Waiver requested"
    WAIVER_GRANTED = "waiver_granted", "Waiver granted"
    WAIVER_REFUSED = "waiver_refused", "Waiver refused"
    ESCALATED = "escalated", "Escalated"
