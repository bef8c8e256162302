from rest_framework.routers import DefaultRouter

from .views import AssignmentViewSet, StaffViewSet

router = DefaultRouter()
router.register("staff", StaffViewSet, basename="staff")
router.register("assignments", AssignmentViewSet, basename="assignment")
