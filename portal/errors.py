"""Errors that services raise, mapped to HTTP by the API and to messages by the pages.

- ``django.core.exceptions.ValidationError``: bad input, 400 with field messages.
- ``TransitionNotAllowed``: the record's state does not allow the action, 409.
- ``django.core.exceptions.PermissionDenied``: the role may not act, 403.
"""


class TransitionNotAllowed(Exception):
    """An action that the record's current state does not allow (HTTP 409)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SweepAlreadyRunning(Exception):
    """Another compliance sweep is running; only one runs at a time."""
