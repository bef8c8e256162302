from rest_framework.routers import DefaultRouter

from .views import (
    AbsenceViewSet,
    AssignmentViewSet,
    OtherDutyViewSet,
    ReportingLineViewSet,
    StaffingFigureViewSet,
    StaffViewSet,
    WorkloadReportViewSet,
)

router = DefaultRouter()
router.register("staff", StaffViewSet, basename="staff")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("absences", AbsenceViewSet, basename="absence")
router.register("workload-reports", WorkloadReportViewSet, basename="workload-report")
router.register("staffing-figures", StaffingFigureViewSet, basename="staffing-figure")
router.register("reporting-lines", ReportingLineViewSet, basename="reporting-line")
router.register("other-duties", OtherDutyViewSet, basename="other-duty")
