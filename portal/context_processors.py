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
