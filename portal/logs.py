"""Logs as one JSON object a line, each carrying the request id.

``RequestIdMiddleware`` keeps the id of the request being served (the ``X-Request-ID``
header set by the proxy, or a fresh one) in a context variable; ``RequestIdFilter`` puts
it on every log record as ``request_id``; ``JsonFormatter`` writes the record as JSON.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_of(request) -> str:
    """The id a proxy gave the request in ``X-Request-ID`` if it is well-formed, else a
    new one (the audit journal's rule, ``portal.audit.context.clean_request_id``)."""
    from portal.audit.context import clean_request_id

    return clean_request_id(request.META.get("HTTP_X_REQUEST_ID"))


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Not reset on the way out: Django logs a 4xx/5xx response after the middleware
        # returns, and that line must carry the id too. The next request sets its own.
        request.request_id = request_id_of(request)
        # The audit journal (portal.audit) reads the same header: one id in both.
        request.META["HTTP_X_REQUEST_ID"] = request.request_id
        current_request_id.set(request.request_id)
        return self.get_response(request)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """A log record as JSON: time (UTC, ISO 8601), level, logger, message, request id,
    any ``extra`` fields, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def install_record_factory() -> None:
    """Give every log record its ``request_id`` when it is made, whichever handler (the
    console, a test's capture, Celery's) ends up writing it."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_portal_request_id", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = current_request_id.get()
        return record

    factory._portal_request_id = True
    logging.setLogRecordFactory(factory)
