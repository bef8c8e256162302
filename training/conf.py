"""The training app's settings, each with the program's default.

Any of them can be set in the Django settings module (or the environment that feeds it):

- ``TRAINING_BASIC_COURSE_BY_MODEL``: which basic course each 287(g) model requires
  (the report's 4-week IADP for the Jail Enforcement Model).
- ``TRAINING_AUTO_SUSPEND``: True suspends officers who missed the 30 September
  recertification automatically; False (default) only proposes it to the manager
  through the sweep's finding.
- ``TRAINING_AUTO_REVOKE``: the same for revocation 90 days after a suspension.
- ``TRAINING_REVOCATION_DAYS`` (90), ``TRAINING_CARD_WARNING_DAYS`` (25),
  ``TRAINING_CARD_LAPSED_AFTER_DAYS`` (30), ``TRAINING_REFRESHER_YEARS`` (2),
  ``TRAINING_DEFAULT_CLASS_SIZE`` (24), ``TRAINING_OFFICERS_PER_AGREEMENT`` (fallback
  when history has none: 5).
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "TRAINING_BASIC_COURSE_BY_MODEL": {"jem": "IADP", "tfm": "IADP", "wso": "IADP"},
    "TRAINING_AUTO_SUSPEND": False,
    "TRAINING_AUTO_REVOKE": False,
    "TRAINING_REVOCATION_DAYS": 90,
    "TRAINING_CARD_WARNING_DAYS": 25,
    "TRAINING_CARD_LAPSED_AFTER_DAYS": 30,
    "TRAINING_REFRESHER_YEARS": 2,
    "TRAINING_DEFAULT_CLASS_SIZE": 24,
    "TRAINING_OFFICERS_PER_AGREEMENT": 5,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def basic_course_code(program_model: str) -> str:
    return get("TRAINING_BASIC_COURSE_BY_MODEL").get(program_model, "IADP")
