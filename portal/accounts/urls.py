from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("accounts/login/", views.PortalLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", views.TwoFactorEnrolView.as_view(), name="two-factor"),
    path("accounts/two-factor/verify/", views.TwoFactorVerifyView.as_view(), name="two-factor-verify"),
    path("accounts/lockouts/", views.LockoutListView.as_view(), name="lockouts"),
]

from . import oidc  # noqa: E402

urlpatterns += [
    path("oidc/authenticate/", oidc.authenticate, name="oidc_authentication_init"),
    path("oidc/callback/", oidc.callback, name="oidc_authentication_callback"),
]
