"""Federal single sign-on through OpenID Connect (mozilla-django-oidc).

Off unless ``OIDC_RP_CLIENT_ID`` is set. The provider vouches for a person's e-mail
address; the portal lets them in only as the existing, active member of staff with that
address (and a role). It never creates an account or gives a role.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

security_log = logging.getLogger("portal.security")


class StaffOIDCBackend(OIDCAuthenticationBackend):
    def verify_token(self, token, **kwargs):
        """Besides the signature and nonce: the id_token must be issued for this portal."""
        from django.core.exceptions import SuspiciousOperation

        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the id_token (userinfo as a JWT carries no audience)
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The id_token was not issued for this portal.")
        return payload

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email or claims.get("email_verified") is False:
            security_log.warning("Single sign-on refused: no verified e-mail", extra={"event": "sso_refused"})
            return get_user_model().objects.none()
        users = get_user_model().objects.filter(email__iexact=email, is_active=True, staff_profile__isnull=False)
        if not users.exists():
            security_log.warning(
                "Single sign-on refused: no staff account with this e-mail",
                extra={"event": "sso_refused", "email": email},
            )
        return users

    def create_user(self, claims):  # pragma: no cover - OIDC_CREATE_USER is always False
        return None

    def update_user(self, user, claims):
        """Keep the account as HQ set it up: single sign-on changes nothing on it."""
        security_log.info("Signed in through single sign-on", extra={"event": "sso_login", "username": user.username})
        return user


def _only_when_enabled(view):
    def wrapped(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = getattr(view, "__name__", "oidc_view")
    return wrapped


authenticate = _only_when_enabled(oidc_views.OIDCAuthenticationRequestView.as_view())
callback = _only_when_enabled(oidc_views.OIDCAuthenticationCallbackView.as_view())
