"""The API's error answers: 400 with field messages, 403, 404, 409 for a state conflict."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import OutOfScope, TransitionNotAllowed


def _record_refusal(exc, context) -> None:
    """Journal a refused attempt: 403 (the role may not act), a 404 on a record outside the
    caller's scope. A 404 for a record that does not exist is not a refusal, and a call
    without credentials (401) is not journaled; bad tokens are, by the authentication."""
    from django.core.exceptions import PermissionDenied
    from rest_framework import exceptions

    from portal.audit.recording import record_out_of_scope, record_refusal

    request = context.get("request")
    if isinstance(exc, OutOfScope) and exc.model is not None and exc.pk is not None:
        user = getattr(request, "user", None)
        record_out_of_scope(exc.model, exc.pk, user if getattr(user, "is_authenticated", False) else None)
    elif isinstance(exc, (PermissionDenied, exceptions.PermissionDenied)):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        view = context.get("view")
        model = obj_id = None
        if view is not None and getattr(view, "kwargs", None):
            lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
            obj_id = view.kwargs.get(lookup)
            queryset = getattr(view, "queryset", None)
            model = queryset.model if queryset is not None and obj_id is not None else None
        record_refusal(getattr(request, "_request", request), status=403, model=model,
                       object_id=obj_id if model is not None else None, user=user,
                       reason=str(getattr(exc, "detail", "") or exc or "Not allowed")[:500])


def exception_handler(exc, context):
    _record_refusal(exc, context)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {
                ("non_field_errors" if field == "__all__" else field): [str(m) for e in errors for m in e.messages]
                for field, errors in exc.error_dict.items()
            }
        else:
            data = {"non_field_errors": exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TransitionNotAllowed):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
