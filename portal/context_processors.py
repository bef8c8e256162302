from .navigation import menu_for
from .roles import role_of, Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = role_of(user)
    return {
        "nav_items": menu_for(user, request.path),
        "user_role": role,
        "user_role_label": Role(role).label if role else "No role",
    }
