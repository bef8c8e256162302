"""The field API, ``/api/v1/``: one router per app, merged here."""

from rest_framework.routers import DefaultRouter

from agreements.api.urls import router as agreements_router
from itdeploy.api.urls import router as itdeploy_router
from staffing.api.urls import router as staffing_router
from training.api.urls import router as training_router

from portal.audit.api import AuditEventViewSet

from .views import ApiTokenViewSet, FindingViewSet, SweepRunViewSet

router = DefaultRouter()
router.register("findings", FindingViewSet, basename="finding")
router.register("sweep-runs", SweepRunViewSet, basename="sweeprun")
router.register("tokens", ApiTokenViewSet, basename="token")
router.register("audit-events", AuditEventViewSet, basename="auditevent")
for app_router in (agreements_router, staffing_router, itdeploy_router, training_router):
    router.registry.extend(app_router.registry)

app_name = "api"
urlpatterns = router.urls
