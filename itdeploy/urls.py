from django.urls import path

from . import views

app_name = "itdeploy"
urlpatterns = [
    path("installations/", views.PipelineView.as_view(), name="pipeline"),
    path("installations/chart/", views.ChartView.as_view(), name="chart"),
    path("installations/confirm/", views.ConfirmView.as_view(), name="confirm"),
    path("installations/<int:pk>/", views.InstallationDetailView.as_view(), name="installation-detail"),
]
