"""Choices of the staffing app."""

from django.db import models


class AssignmentKind(models.TextChoices):
    PRIMARY = "primary", "Primary program manager"
    BACKUP = "backup", "Backup program manager"


class ReportingLineKind(models.TextChoices):
    """The two lines a field program manager reports on (OIG recommendation 2)."""

    PROGRAM = "program", "Program (National PM or Unit Chief)"
    ADMINISTRATIVE = "administrative", "Administrative (Field Office Director)"


class AbsenceKind(models.TextChoices):
    LEAVE = "leave", "Leave"
    TRAINING = "training", "Training"
    TRAVEL = "travel", "Travel"
