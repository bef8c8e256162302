"""The API's error answers: 400 with field messages, 403, 404, 409 for a state conflict.

``api_exception`` is the one translation of a service's errors into DRF's: the
``ServiceActionMixin`` (``portal/api/actions.py``) raises its result from every action,
and the exception handler applies it to whatever a view lets escape.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
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
        record_refusal(
            getattr(request, "_request", request),
            status=403,
            model=model,
            object_id=obj_id if model is not None else None,
            user=user,
            reason=str(getattr(exc, "detail", "") or exc or "Not allowed")[:500],
        )


#: The errors a service raises, which the API maps (``portal/errors.py``).
SERVICE_ERRORS = (DjangoValidationError, TransitionNotAllowed, DjangoPermissionDenied)


class Conflict(exceptions.APIException):
    """The record's state does not allow the action."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record's state does not allow this action."
    default_code = "conflict"


def field_messages(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ``ValidationError`` as the API's ``{"field": ["message"]}`` (``__all__``
    and messages without a field under ``non_field_errors``)."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(exc, "error_dict"):
        return {
            (non_field if field == "__all__" else field): [str(m) for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {non_field: [str(m) for m in exc.messages]}


def api_exception(exc: Exception) -> exceptions.APIException | None:
    """The DRF exception answering a service's error: ``ValidationError`` 400 with field
    messages, ``TransitionNotAllowed`` 409, ``PermissionDenied`` 403 with the service's
    reason; None for anything else."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(field_messages(exc))
    if isinstance(exc, TransitionNotAllowed):
        return Conflict(exc.message)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    return None


def exception_handler(exc, context):
    _record_refusal(exc, context)
    response = drf_exception_handler(api_exception(exc) or exc, context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST and isinstance(response.data, list):
        # A ValidationError raised with bare messages: still {"field": [...]}, as the schema says.
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response
