from django.urls import path

from . import views, views_feed

app_name = "agreements"
urlpatterns = [
    path("agencies/", views.AgencyListView.as_view(), name="agency-list"),
    path("agencies/<int:pk>/", views.AgencyDetailView.as_view(), name="agency-detail"),
    path("agreements/", views.AgreementListView.as_view(), name="agreement-list"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path("agreements/ice-imports/", views.IceImportListView.as_view(), name="ice-import-list"),
    path("agreements/ice-imports/<int:pk>/", views.IceImportDetailView.as_view(), name="ice-import-detail"),
    path("agreements/ice-fetches/", views_feed.IceFetchListView.as_view(), name="ice-fetch-list"),
    path("agreements/ice-digest/", views_feed.IceDigestView.as_view(), name="ice-digest"),
    path("agreements/timeline/", views_feed.TimelineView.as_view(), name="timeline"),
    path("agreements/onboarding/", views_feed.OnboardingView.as_view(), name="onboarding"),
]
