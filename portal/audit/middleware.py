"""The request's audit context: request id (``X-Request-ID`` in, validated, and always
out), channel, client address and, lazily, the user and API token the request
authenticates."""

from __future__ import annotations

from django.conf import settings

from .context import Channel, clean_request_id, context

REQUEST_ID_HEADER = "X-Request-ID"


def client_address(request) -> str | None:
    """REMOTE_ADDR, or the client X-Forwarded-For names when ``AUDIT_TRUST_X_FORWARDED_FOR``
    says a proxy in front of the portal sets it (the nearest hop the proxy appended)."""
    address = request.META.get("REMOTE_ADDR") or None
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            address = hops[-1]
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_ipv46_address

    try:
        validate_ipv46_address(address or "")
    except ValidationError:
        return None
    return address


def channel_of(request) -> str:
    path = request.path_info
    if path.startswith("/api/"):
        return Channel.API
    if path.startswith("/admin/"):
        return Channel.ADMIN
    return Channel.PAGE


class AuditContextMiddleware:
    """Opens the audit context of each request (place it right after
    AuthenticationMiddleware) and returns the request id as ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = clean_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        with context(
            request=request,
            request_id=request_id,
            channel=channel_of(request),
            address=client_address(request),
            actor_label="",
            reason="",
        ):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
