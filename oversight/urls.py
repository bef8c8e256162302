from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("readiness/", views.ReadinessView.as_view(), name="readiness"),
    path("impact/", views.ImpactView.as_view(), name="impact"),
    path("impact/<int:pk>/", views.ImpactDetailView.as_view(), name="impact-detail"),
    path("findings/inbox/", views.InboxView.as_view(), name="inbox"),
    path("findings/inbox/count/", views.InboxCountView.as_view(), name="inbox-count"),
    path("findings/inbox/preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("findings/inbox/<int:pk>/", views.InboxFindingView.as_view(), name="inbox-finding"),
    path("reports/oversight/", views.ReportView.as_view(), name="report"),
]
