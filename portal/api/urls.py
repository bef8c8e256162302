"""The field API, ``/api/v1/``: one router per app (``<app>/api/urls.py`` ``router``),
merged here in the order of INSTALLED_APPS."""

from rest_framework.routers import DefaultRouter

from portal.apps import app_modules
from portal.audit.api import AuditEventViewSet

from .views import ApiTokenViewSet, FindingViewSet, SweepRunViewSet

router = DefaultRouter()
router.register("findings", FindingViewSet, basename="finding")
router.register("sweep-runs", SweepRunViewSet, basename="sweeprun")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("audit-events", AuditEventViewSet, basename="auditevent")
for config, module in app_modules("api.urls"):
    if config.name != "portal":
        router.registry.extend(module.router.registry)

app_name = "api"
urlpatterns = router.urls
