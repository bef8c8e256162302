"""Choices of the agreements app."""

from django.db import models


class AgencyType(models.TextChoices):
    COUNTY = "county", "County"
    MUNICIPALITY = "municipality", "Municipality"
    STATE_AGENCY = "state_agency", "State agency"
    OTHER = "other", "Other"


class ProgramModel(models.TextChoices):
    """The 287(g) model under which an agreement delegates immigration functions."""

    JAIL_ENFORCEMENT = "jem", "Jail Enforcement Model"
    TASK_FORCE = "tfm", "Task Force Model"
    WARRANT_SERVICE = "wso", "Warrant Service Officer"


class AgreementStatus(models.TextChoices):
    APPLICATION_RECEIVED = "application_received", "Application received"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved"
    SIGNED = "signed", "Signed (active)"
    SUSPENDED = "suspended", "Suspended"
    TERMINATED = "terminated", "Terminated"
    WITHDRAWN = "withdrawn", "Withdrawn"


PENDING_STATUSES = (
    AgreementStatus.APPLICATION_RECEIVED,
    AgreementStatus.UNDER_REVIEW,
    AgreementStatus.APPROVED,
)
ACTIVE_STATUSES = (AgreementStatus.SIGNED,)
ENDED_STATUSES = (AgreementStatus.TERMINATED, AgreementStatus.WITHDRAWN)
