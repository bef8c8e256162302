from rest_framework.routers import DefaultRouter

from .views import InstallationViewSet, InstallerViewSet

router = DefaultRouter()
router.register("installations", InstallationViewSet, basename="installation")
router.register("installers", InstallerViewSet, basename="installer")
