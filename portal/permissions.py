"""Who may do what over the API: the access policy (``portal.access``) read for the
view's record type and action.

Anonymous callers answer 401 (DRF, as the token authentication names its scheme); a
user without a role 403. A read of rows (list, retrieve) is narrowed to the caller's
scope by the viewset (``portal.api.viewsets.ScopedViewSetMixin``), so a record outside
it answers 404 and a list holds only the caller's rows; one computed resource (the
capacity plan of a year) needs a grant, else 403. A write on one record is decided only once the record was found in scope
(``has_object_permission``), so outside the scope it is 404, never 403; a write without
a record (create, bulk actions) needs the role's grant for the action.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from . import access
from .roles import role_of


class PolicyPermission(BasePermission):
    message = "Your role may not make this change."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if role_of(user) is None:
            self.message = "Your account has no role in the 287(g) program."
            return False
        target, action = access.api_target(view)
        if request.method in SAFE_METHODS:
            if target.model is not None or getattr(view, "action", None) in (None, "list"):
                return True  # rows are narrowed to the caller's scope
            self.message = access.message(action, target)
            return access.may(user, action, target.label)
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
        if lookup in getattr(view, "kwargs", {}):
            return True  # decided in has_object_permission, once the record is found in scope
        self.message = access.message(action, target)
        return access.may(user, action, target.label)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        target, action = access.api_target(view)
        self.message = access.message(action, target)
        return access.may(request.user, action, obj, target=target.label)


#: The former name, kept for settings and imports that name it.
RolePermission = PolicyPermission
