"""The roles of the 287(g) program's staff and what each may change (shared/roles.md).

What each role sees and may change is decided by the access policy, ``portal.access``;
this module names the roles, and the groups of them the demo data and navigation use.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    UNIT_CHIEF = "unit_chief", "Unit Chief"
    NATIONAL_PM = "national_pm", "National Program Manager"
    HQ_ANALYST = "hq_analyst", "HQ analyst (read only)"
    FIELD_OFFICE_DIRECTOR = "fod", "Field Office Director"
    FIELD_PM = "field_pm", "Field Program Manager"
    OCIO = "ocio", "OCIO IT specialist"


#: Roles that see the whole program.
HQ_ROLES = frozenset({Role.UNIT_CHIEF, Role.NATIONAL_PM, Role.HQ_ANALYST})
#: Roles that change everything but settings (the Unit Chief also changes settings).
HQ_WRITERS = frozenset({Role.UNIT_CHIEF, Role.NATIONAL_PM})
#: Roles that change settings (staffing model, step plan, sweep schedule).
SETTINGS_WRITERS = frozenset({Role.UNIT_CHIEF})
#: Roles that work for one field office.
FIELD_ROLES = frozenset({Role.FIELD_OFFICE_DIRECTOR, Role.FIELD_PM})
ALL_ROLES = frozenset(Role)


def role_of(user) -> str | None:
    """The portal role of a user; a superuser without a profile acts as Unit Chief."""
    if user is None or not user.is_authenticated:
        return None
    profile = getattr(user, "staff_profile", None)
    if profile is not None and profile.role:
        return profile.role
    if user.is_superuser:
        return Role.UNIT_CHIEF
    return None


def field_office_id_of(user) -> int | None:
    profile = getattr(user, "staff_profile", None)
    return profile.field_office_id if profile is not None else None


def has_role(user, roles) -> bool:
    return role_of(user) in roles


def is_hq(user) -> bool:
    return has_role(user, HQ_ROLES)
