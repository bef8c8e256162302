"""The API's schema and its documentation page, for signed-in staff only (a session or
an API token; ``SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]``). The documentation page is
Swagger UI from the sidecar package, with its start-up script served as a file so the
Content-Security-Policy needs no inline script."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated


class ApiSchemaView(SpectacularAPIView):
    pass


class ApiDocsView(SpectacularSwaggerSplitView):
    def handle_exception(self, exc):
        # A person who opens the page without signing in is sent to sign in.
        if isinstance(exc, NotAuthenticated) and self.request.GET.get("script") is None:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
