"""Errors that services raise, mapped to HTTP by the API and to messages by the pages.

- ``django.core.exceptions.ValidationError``: bad input, 400 with field messages.
- ``TransitionNotAllowed``: the record's state does not allow the action, 409.
- ``django.core.exceptions.PermissionDenied``: the role may not act, 403.
- ``OutOfScope``: the record exists outside the caller's scope, 404 as if it did not.
"""

from django.http import Http404


class TransitionNotAllowed(Exception):
    """An action that the record's current state does not allow (HTTP 409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class OutOfScope(Http404):
    """A record that exists, but outside what the caller may see: answered exactly like a
    record that does not exist (404, "not found"), and journaled as a refused attempt."""

    def __init__(self, model=None, pk=None, message: str = "Not found."):
        super().__init__(message)
        self.model = model
        self.pk = pk


class SweepAlreadyRunning(Exception):
    """Another compliance sweep is running; only one runs at a time."""
