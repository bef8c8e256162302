"""One way for an API action to write: validate the request, call a service, map its
errors, answer with the record.

Every ``@action`` of the apps' viewsets (agreement transitions, step actions, finding
acknowledge / resolve / waive, officer transitions, bulk confirmations...) goes through
``ServiceActionMixin.run_service``::

    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self.run_service(request, services.agreement_suspend, params=EndingTransitionSerializer,
                                agreement=self.get_object())

The service's ``ValidationError`` answers 400 with field messages, ``TransitionNotAllowed``
409, ``PermissionDenied`` 403 with the service's reason (``portal.api.errors.api_exception``);
who may call the action at all stays with the view's permission classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework import status
from rest_framework.response import Response

from .errors import SERVICE_ERRORS, api_exception


class ServiceActionMixin:
    """For viewsets whose actions call services."""

    def call_service(self, service: Callable[..., Any], /, **arguments) -> Any:
        """``service(acting_user=<the caller>, **arguments)``, its errors raised as the
        API's (400, 403, 409)."""
        try:
            return service(acting_user=self.request.user, **arguments)
        except SERVICE_ERRORS as exc:
            raise api_exception(exc) from exc

    def action_params(self, params, request=None) -> dict:
        """The request's body validated by the serializer class ``params`` (400 with its
        field messages otherwise)."""
        request = request or self.request
        serializer = params(data=request.data, context={"request": request, "view": self})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def run_service(
        self,
        request,
        service: Callable[..., Any],
        /,
        *,
        params=None,
        status_code: int = status.HTTP_200_OK,
        **arguments,
    ) -> Response:
        """Validate the body with ``params`` (if any), call ``service`` with ``arguments``
        and the body's values, and answer with the record it returns, serialized."""
        values = self.action_params(params, request) if params is not None else {}
        result = self.call_service(service, **arguments, **values)
        return Response(self.action_answer(result), status=status_code)

    def action_answer(self, record) -> Any:
        """The record as the viewset serializes it, read again through the viewset's
        queryset so its annotations and related rows are current."""
        queryset = self.get_queryset()
        if isinstance(record, queryset.model):
            record = queryset.get(pk=record.pk)
        return self.get_serializer(record).data
