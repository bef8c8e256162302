"""Who may change what over the API (shared/roles.md).

Reads are open to every signed-in member of staff with a role; what they read is
narrowed by ``portal.scoping``. Writes are allowed to the roles a view names in
``write_roles`` (default: Unit Chief and National Program Managers), or per action in
``action_roles``. On a single record the role is checked only after the record was
found within the caller's scope, so a record outside it answers 404, never 403.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import HQ_WRITERS, role_of


def roles_for(view) -> frozenset:
    action = getattr(view, "action", None)
    action_roles = getattr(view, "action_roles", {}) or {}
    if action in action_roles:
        return frozenset(action_roles[action])
    return frozenset(getattr(view, "write_roles", HQ_WRITERS))


class RolePermission(BasePermission):
    message = "Your role may not make this change."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if role_of(user) is None:
            self.message = "Your account has no role in the 287(g) program."
            return False
        if request.method in SAFE_METHODS:
            return True
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
        if lookup in getattr(view, "kwargs", {}):
            return True  # decided in has_object_permission, once the record is found in scope
        return role_of(user) in roles_for(view)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return role_of(request.user) in roles_for(view)
