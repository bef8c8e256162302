from django.urls import path

from . import views

app_name = "staffing"
urlpatterns = [
    path("staffing/organisation/", views.OrganisationView.as_view(), name="organisation"),
    path("staffing/load/", views.ManagerLoadView.as_view(), name="manager-load"),
    path("staffing/managers/<int:user_id>/", views.ManagerView.as_view(), name="manager"),
    path("staffing/managers/<int:user_id>/absences/", views.AbsenceCreateView.as_view(), name="manager-absence"),
    path(
        "staffing/managers/<int:user_id>/absences/<int:absence_id>/end/",
        views.AbsenceEndView.as_view(),
        name="manager-absence-end",
    ),
    path("staffing/managers/<int:user_id>/other-duties/", views.OtherDutyCreateView.as_view(), name="manager-duty"),
    path(
        "staffing/managers/<int:user_id>/reporting-lines/<str:kind>/",
        views.ReportingLineSetView.as_view(),
        name="manager-line",
    ),
    path("staffing/offices/", views.OfficeStaffingView.as_view(), name="office-staffing"),
    path("staffing/plan/", views.StaffingPlanView.as_view(), name="plan"),
    path("staffing/coverage/", views.CoverageView.as_view(), name="coverage"),
    path("staffing/workload/import/", views.WorkloadImportView.as_view(), name="workload-import"),
    path("staffing/model/", views.StaffingModelView.as_view(), name="model"),
    path("staffing/handover/", views.HandoverView.as_view(), name="handover"),
]
