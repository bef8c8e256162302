"""Choices of the staffing app."""

from django.db import models


class AssignmentKind(models.TextChoices):
    PRIMARY = "primary", "Primary program manager"
    BACKUP = "backup", "Backup program manager"
