from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("officers/", views.OfficerListView.as_view(), name="officer-list"),
    path("officers/<int:pk>/", views.OfficerDetailView.as_view(), name="officer-detail"),
    path("training/classes/", views.ClassCalendarView.as_view(), name="class-calendar"),
    path("training/classes/<int:pk>/", views.ClassDetailView.as_view(), name="class-detail"),
    path("training/recertification/", views.RecertificationProgressView.as_view(), name="recertification"),
    path("training/capacity/", views.CapacityPlanView.as_view(), name="capacity"),
    path("training/import/<slug:kind>/", views.ImportView.as_view(), name="import"),
]
