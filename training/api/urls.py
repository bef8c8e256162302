from rest_framework.routers import DefaultRouter

from .views import (
    AcademyClassViewSet,
    AcademySiteViewSet,
    CapacityPlanViewSet,
    CardLoginViewSet,
    CompletionViewSet,
    CourseViewSet,
    EnrollmentViewSet,
    OfficerViewSet,
    WaiverViewSet,
)

router = DefaultRouter()
router.register("officers", OfficerViewSet)
router.register("courses", CourseViewSet)
router.register("classes", AcademyClassViewSet, basename="academyclass")
router.register("academy-sites", AcademySiteViewSet)
router.register("enrollments", EnrollmentViewSet)
router.register("completions", CompletionViewSet)
router.register("card-logins", CardLoginViewSet)
router.register("waivers", WaiverViewSet)
router.register("capacity-plans", CapacityPlanViewSet, basename="capacity-plan")
