"""Errors that services raise, mapped to HTTP by the API and to messages by the pages.

- ``django.core.exceptions.ValidationError``: bad input, 400 with field messages.
- ``TransitionNotAllowed``: the record's state does not allow the action, 409.
- ``django.core.exceptions.PermissionDenied``: the role may not act, 403.
- ``OutOfScope`` (an ``Http404``): the record is outside the caller's scope, 404.
"""

from django.http import Http404


class TransitionNotAllowed(Exception):
    """An action that the record's current state does not allow (HTTP 409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class OutOfScope(Http404):
    """A record outside the caller's scope, answered as not found (404), never a hint
    that it exists. ``model`` is its model and ``pk`` its id when the row exists (None
    when nothing matched at all), for the audit trail of denied access."""

    def __init__(self, message: str = "Not found.", *, model=None, pk=None):
        super().__init__(message)
        self.model = model
        self.pk = pk


class SweepAlreadyRunning(Exception):
    """Another compliance sweep is running; only one runs at a time."""


class OutOfScope(Http404):
    """A record outside the caller's scope, answered as not found (404), never a hint
    that it exists. ``model`` is its model and ``pk`` its id when the row exists (None
    when nothing matched at all), for the audit trail of denied access."""

    def __init__(self, message: str = "Not found.", *, model=None, pk=None):
        super().__init__(message)
        self.model = model
        self.pk = pk
