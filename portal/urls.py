from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views
from .audit.views import AuditEventListView

handler403 = "portal.audit.views.permission_denied"
handler404 = "portal.audit.views.page_not_found"

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.HomeView.as_view(), name="home"),
    path("findings/", views.FindingListView.as_view(), name="findings"),
    path("findings/<int:pk>/", views.FindingDetailView.as_view(), name="finding-detail"),
    path("tokens/", views.TokenView.as_view(), name="tokens"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("audit/", AuditEventListView.as_view(), name="audit"),
    path("", include("agreements.urls")),
    path("", include("staffing.urls")),
    path("", include("itdeploy.urls")),
    path("", include("training.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
