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

#: Agreements signed and not ended: signed (in force) or suspended (not in force, but it may be
#: reinstated). Whether an agreement is *in force on a day* is ``Agreement.objects.in_force(on)``
#: (docs/agreements.md, "In force"), never a status list.
HELD_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.SUSPENDED)
#: Kept for callers written before ``in_force(on)``: the same as ``HELD_STATUSES``.
IN_FORCE_STATUSES = HELD_STATUSES


class Transition(models.TextChoices):
    """The transitions of an agreement's life, as recorded in its timeline."""

    APPLICATION = "application", "Application recorded"
    REVIEW = "review", "Review started"
    APPROVE = "approve", "Approved"
    SIGN = "sign", "Signed"
    SUSPEND = "suspend", "Suspended"
    REINSTATE = "reinstate", "Reinstated"
    RENEW = "renew", "Renewed"
    TERMINATE = "terminate", "Terminated"
    WITHDRAW = "withdraw", "Withdrawn"
    IMPORT = "import", "Updated from ICE's list"


class DocumentKind(models.TextChoices):
    MOA = "moa", "Memorandum of agreement"
    AMENDMENT = "amendment", "Amendment"
    ADDENDUM = "addendum", "Addendum"


class IceEdition(models.TextChoices):
    """Which of ICE's two published lists a file is."""

    PARTICIPATING = "participating", "Participating agencies (signed agreements)"
    PENDING = "pending", "Pending agencies (applications)"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Previewed, not applied"
    APPLIED = "applied", "Applied"
    DISCARDED = "discarded", "Discarded"
    STORED = "stored", "Stored and compared, not applied"


class ChangeKind(models.TextChoices):
    """What the change list between two editions of one of ICE's lists records."""

    NEW = "new", "New agreement"
    REMOVED = "removed", "No longer listed"
    CHANGED = "changed", "Changed"


#: The fields of a row of ICE's list the change list compares, with their labels.
CHANGE_FIELDS = {
    "name": "Agency's spelling",
    "agency_type": "Agency type",
    "county": "County",
    "signed_on": "Signing date",
    "moa_url": "MOA link",
    "addendum_url": "Addendum link",
}


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "To review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class FetchStatus(models.TextChoices):
    NEW_EDITION = "new_edition", "New edition"
    NOT_MODIFIED = "not_modified", "Not modified (HTTP 304)"
    UNCHANGED = "unchanged", "Unchanged bytes (a known edition)"
    PAGE = "page", "Page read, workbook links followed"
    FAILED = "failed", "Failed"


class InstallationDecision(models.TextChoices):
    UNDECIDED = "", "Not decided"
    NEEDED = "needed", "Installation needed"
    NOT_NEEDED = "not_needed", "No installation needed"
