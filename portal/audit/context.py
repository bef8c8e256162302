"""Who is acting, from where and why: the audit context of the current request, task or
command, held in a context variable so that it follows the code into services, signal
handlers and Celery tasks without being passed along.

A request's context is opened by ``portal.audit.middleware.AuditContextMiddleware``;
a task, a management command or the sweep opens one with ``context(actor=..., channel=...)``.
``reason("...")`` names the reason of every write made inside a block.
"""

from __future__ import annotations

import contextvars
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

#: An incoming X-Request-ID is kept only if it is this safe and this short.
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


class Channel:
    PAGE = "page"
    API = "api"
    ADMIN = "admin"
    IMPORT = "import"
    SWEEP = "sweep"
    COMMAND = "command"
    TASK = "task"

    choices = [
        (PAGE, "Page"),
        (API, "API"),
        (ADMIN, "Admin"),
        (IMPORT, "Import"),
        (SWEEP, "Sweep"),
        (COMMAND, "Command"),
        (TASK, "Task"),
    ]


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str:
    """The caller's request id if it is well-formed, else a new one."""
    if value and REQUEST_ID_RE.match(value):
        return value
    return new_request_id()


@dataclass(frozen=True)
class AuditContext:
    """What the journal records about the acting party of every write in the block."""

    request_id: str = field(default_factory=new_request_id)
    channel: str = Channel.COMMAND
    actor: object = None  # a user, or None
    actor_label: str = ""  # a named system actor: "sweep run #12", "import", ...
    address: str | None = None
    reason: str = ""
    request: object = None  # the Django request, for the user and token it authenticates

    @property
    def user(self):
        """The acting user: the one named, else the request's user once authenticated
        (DRF authenticates a token in the view, after the middleware ran)."""
        if self.actor is not None:
            return self.actor
        request = self.request
        if request is None:
            return None
        user = getattr(request, "user", None)
        try:
            return user if user is not None and user.is_authenticated else None
        except Exception:  # a lazy user whose lookup fails
            return None

    @property
    def token_id(self):
        if self.request is None:
            return None
        token = getattr(self.request, "auth", None)
        return getattr(token, "pk", None)


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("portal_audit_context", default=None)


def current() -> AuditContext:
    """The audit context in force; outside any, a command context of its own (each write
    made outside a context gets a request id of its own)."""
    return _current.get() or AuditContext()


def peek() -> AuditContext | None:
    return _current.get()


@contextmanager
def context(
    *,
    actor=None,
    channel: str | None = None,
    reason: str | None = None,
    actor_label: str | None = None,
    request_id: str | None = None,
    address: str | None = None,
    request=None,
):
    """Open an audit context for a block: a task, a command, an import, the sweep.

    Values not given are inherited from the enclosing context (so an import run from a
    page keeps the page's request id), except that a new actor replaces the request's."""
    outer = _current.get()
    base = outer or AuditContext()
    changes = {}
    if actor is not None:
        changes.update(actor=actor, request=None if request is None else request)
    if request is not None:
        changes["request"] = request
    for name, value in (
        ("channel", channel),
        ("reason", reason),
        ("actor_label", actor_label),
        ("request_id", request_id),
        ("address", address),
    ):
        if value is not None:
            changes[name] = value
    token = _current.set(replace(base, **changes))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


@contextmanager
def reason(text: str):
    """Name the reason of every write made inside the block."""
    with context(reason=text) as ctx:
        yield ctx
