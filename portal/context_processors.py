from . import access
from .navigation import menu_for
from .roles import HQ_ROLES, Role, role_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = role_of(user)
    return {
        "nav_items": menu_for(user, request.path),
        "user_role": role,
        "user_role_label": Role(role).label if role else "No role",
        # For templates that offer links only to the roles that may open them.
        "user_is_hq": role in HQ_ROLES,
        "user_is_director": role == Role.FIELD_OFFICE_DIRECTOR,
        # The settings page, beside the account's links (not in the main navigation).
        "user_sees_settings": access.may(user, *reversed(access.PAGES["settings"])),
    }


def sweep_banner(request):
    """For HQ: the state of the compliance sweep when the last run failed or the last
    success is stale (one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or role_of(user) not in HQ_ROLES:
        return {}
    from .health import sweep_state

    state = sweep_state()
    return {"sweep_alert": None if state["ok"] else state}
