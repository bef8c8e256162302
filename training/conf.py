"""The training app's settings, each with the program's default.

Any of them can be set in the Django settings module (or the environment that feeds it):

The grace periods and the automatic suspension/revocation are also the Unit Chief's to
change on the settings page (``/settings/``, stored in ``TrainingSettings``); a value in
the Django settings module overrides the page's.

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


#: The settings the Unit Chief edits on the settings page (``TrainingSettings``), by name.
EDITABLE = {
    "TRAINING_AUTO_SUSPEND": "auto_suspend",
    "TRAINING_AUTO_REVOKE": "auto_revoke",
    "TRAINING_REVOCATION_DAYS": "revocation_days",
    "TRAINING_CARD_WARNING_DAYS": "card_warning_days",
    "TRAINING_CARD_LAPSED_AFTER_DAYS": "card_lapsed_after_days",
    "TRAINING_REFRESHER_YEARS": "refresher_years",
}


def get(name: str):
    """A training setting: the Django settings module's value when it sets one, else the
    Unit Chief's (``TrainingSettings``) for the editable ones, else the default."""
    if hasattr(settings, name):
        return getattr(settings, name)
    if name in EDITABLE:
        return editable_values()[EDITABLE[name]]
    return DEFAULTS[name]


def get_many(*names: str) -> list:
    """Several training settings as ``get`` gives them, the Unit Chief's values read once
    (one cache read rather than one a setting)."""
    editable = None
    found = []
    for name in names:
        if hasattr(settings, name):
            found.append(getattr(settings, name))
        elif name in EDITABLE:
            editable = editable if editable is not None else editable_values()
            found.append(editable[EDITABLE[name]])
        else:
            found.append(DEFAULTS[name])
    return found


#: The cache key of the Unit Chief's values; ``TrainingSettings.save`` deletes it.
CACHE_KEY = "training:settings"


def editable_values() -> dict:
    """The Unit Chief's values, read once a minute at most (an officer list asks each row
    for its card state: one query per page, not per officer)."""
    from django.core.cache import cache

    values = cache.get(CACHE_KEY)
    if values is None:
        from .models import TrainingSettings

        row = TrainingSettings.objects.filter(pk=1).first() or TrainingSettings()  # a read never writes
        values = {field: getattr(row, field) for field in EDITABLE.values()}
        cache.set(CACHE_KEY, values, 60)
    return values


def basic_course_code(program_model: str) -> str:
    return get("TRAINING_BASIC_COURSE_BY_MODEL").get(program_model, "IADP")
