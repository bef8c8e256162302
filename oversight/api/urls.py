from rest_framework.routers import DefaultRouter

from .views import DashboardViewSet, ImpactAssessmentViewSet, ReadinessViewSet

router = DefaultRouter()
router.register("dashboard", DashboardViewSet, basename="dashboard")
router.register("readiness", ReadinessViewSet, basename="readiness")
router.register("impact-assessments", ImpactAssessmentViewSet, basename="impactassessment")
