from django.contrib import admin
from django.urls import include, path

from . import health, job_views, views
from .api.docs import ApiDocsView, ApiSchemaView
from .audit.views import AuditEventListView

handler403 = "portal.audit.views.permission_denied"
handler404 = "portal.audit.views.page_not_found"

urlpatterns = [
    path("healthz/", health.healthz, name="healthz"),
    path("readyz/", health.readyz, name="readyz"),
    # Before the pages' includes, which every API request would otherwise be tried against.
    path("api/v1/", include("portal.api.urls")),
    path("", include("portal.accounts.urls")),
    path("", views.HomeView.as_view(), name="home"),
    path("", include("oversight.urls")),
    path("findings/", views.FindingListView.as_view(), name="findings"),
    path("findings/<int:pk>/", views.FindingDetailView.as_view(), name="finding-detail"),
    path("tokens/", views.TokenView.as_view(), name="tokens"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("audit/", AuditEventListView.as_view(), name="audit"),
    path("jobs/<int:pk>/", job_views.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/status/", job_views.JobStatusView.as_view(), name="job-status"),
    path("jobs/<int:pk>/download/", job_views.JobDownloadView.as_view(), name="job-download"),
    path("findings/sweep/", job_views.SweepStartView.as_view(), name="sweep-start"),
    path("filters/agencies/", views.FilterSuggestionsView.as_view(source="agencies"), name="filter-agencies"),
    path("filters/staff/", views.FilterSuggestionsView.as_view(source="staff"), name="filter-staff"),
    path("filters/managers/", views.FilterSuggestionsView.as_view(source="managers"), name="filter-managers"),
    path("", include("agreements.urls")),
    path("", include("staffing.urls")),
    path("", include("itdeploy.urls")),
    path("", include("training.urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
