"""Response headers the portal adds for security."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on API responses and exports (CSV, Excel, any
    attachment): what they carry must not be kept by a browser or a proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            or "export" in request.GET
            or response.get("Content-Disposition", "").startswith("attachment")
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response
