from django.urls import path

from . import views

app_name = "staffing"
urlpatterns = [
    path("staffing/organisation/", views.OrganisationView.as_view(), name="organisation"),
    path("staffing/load/", views.ManagerLoadView.as_view(), name="manager-load"),
    path("staffing/offices/", views.OfficeStaffingView.as_view(), name="office-staffing"),
    path("staffing/plan/", views.StaffingPlanView.as_view(), name="plan"),
    path("staffing/coverage/", views.CoverageView.as_view(), name="coverage"),
    path("staffing/workload/import/", views.WorkloadImportView.as_view(), name="workload-import"),
    path("staffing/model/", views.StaffingModelView.as_view(), name="model"),
    path("staffing/handover/", views.HandoverView.as_view(), name="handover"),
]
