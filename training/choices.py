"""Choices of the training app: officers' standing, courses, classes and credentials."""

from django.db import models


class OfficerStatus(models.TextChoices):
    """Where a Designated Immigration Officer (DIO) stands in the program."""

    NOMINATED = "nominated", "Nominated"
    ADJUDICATED = "adjudicated", "Background adjudicated"
    IN_TRAINING = "in_training", "In basic training"
    CERTIFIED = "certified", "Certified"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"
    LEFT = "left", "Left the program"


#: The transitions an officer may make: verb -> (allowed from, to).
TRANSITIONS = {
    "adjudicate": ((OfficerStatus.NOMINATED,), OfficerStatus.ADJUDICATED),
    "begin_training": ((OfficerStatus.ADJUDICATED,), OfficerStatus.IN_TRAINING),
    "withdraw_training": ((OfficerStatus.IN_TRAINING,), OfficerStatus.ADJUDICATED),
    "certify": ((OfficerStatus.IN_TRAINING, OfficerStatus.ADJUDICATED), OfficerStatus.CERTIFIED),
    "suspend": ((OfficerStatus.CERTIFIED,), OfficerStatus.SUSPENDED),
    "reinstate": ((OfficerStatus.SUSPENDED,), OfficerStatus.CERTIFIED),
    "revoke": ((OfficerStatus.SUSPENDED, OfficerStatus.CERTIFIED), OfficerStatus.REVOKED),
    "leave": (
        (
            OfficerStatus.NOMINATED,
            OfficerStatus.ADJUDICATED,
            OfficerStatus.IN_TRAINING,
            OfficerStatus.CERTIFIED,
            OfficerStatus.SUSPENDED,
        ),
        OfficerStatus.LEFT,
    ),
}


class SuspensionCause(models.TextChoices):
    RECERTIFICATION = "recertification", "Missed the annual recertification"
    #: The agreement the officer's designation rested on was terminated or withdrawn; a
    #: new agreement of the agency being signed reinstates the officer.
    DESIGNATION_ENDED = "designation", "Designation ended (agreement ended)"
    OTHER = "other", "Other cause"


class CourseKind(models.TextChoices):
    BASIC = "basic", "Basic course (academy)"
    REFRESHER = "refresher", "Refresher course (academy)"
    PALMS = "palms", "PALMS online course"


class RecertificationStatus(models.TextChoices):
    NOT_YET_DUE = "not_yet_due", "Not yet due"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    OVERDUE = "overdue", "Overdue"


class CardState(models.TextChoices):
    ACTIVE = "active", "Active"
    WARNING = "warning", "Warning (no login for 25 days or more)"
    LAPSED = "lapsed", "Lapsed (no login for more than 30 days)"


class ClassStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "Enrolled (has a seat)"
    WAITLISTED = "waitlisted", "On the waiting list"
    WITHDRAWN = "withdrawn", "Withdrawn"
    COMPLETED = "completed", "Completed the class"
    NOT_COMPLETED = "not_completed", "Did not complete the class"


ACTIVE_ENROLLMENT = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)


class CompletionSource(models.TextChoices):
    PALMS_EXPORT = "palms", "PALMS export"
    ACADEMY = "academy", "Academy class"
    MANUAL = "manual", "Recorded by hand"
    ROSTER = "roster", "Roster import"
