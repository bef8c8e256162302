"""Session limits and the two-factor requirement, checked on every request."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from portal.roles import HQ_WRITERS, role_of

STARTED = "portal_session_started"
LAST_SEEN = "portal_session_last_seen"
#: How often the idle clock is written back to the session (not on every request).
TOUCH_EVERY = dt.timedelta(seconds=60)


def session_start(request) -> None:
    now = timezone.now().timestamp()
    request.session[STARTED] = now
    request.session[LAST_SEEN] = now


class SessionLimitsMiddleware:
    """End a session after ``SESSION_IDLE_MINUTES`` without a request, and
    ``SESSION_MAX_HOURS`` after sign-in whatever the activity. The sign-in time is kept
    in the session itself (set when the person signs in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = timezone.now()
            started = request.session.get(STARTED)
            last_seen = request.session.get(LAST_SEEN)
            if started is None:  # a session from before the limits: its clock starts now
                session_start(request)
            else:
                idle = now - dt.datetime.fromtimestamp(last_seen or started, tz=dt.UTC)
                age = now - dt.datetime.fromtimestamp(started, tz=dt.UTC)
                if age > dt.timedelta(hours=settings.SESSION_MAX_HOURS):
                    return self._end(
                        request,
                        f"Your session ended {settings.SESSION_MAX_HOURS} hours after you signed in. Please sign in again.",
                    )
                if idle > dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES):
                    return self._end(
                        request,
                        f"Your session ended after {settings.SESSION_IDLE_MINUTES} minutes without activity. Please sign in again.",
                    )
                if idle > TOUCH_EVERY:
                    request.session[LAST_SEEN] = now.timestamp()
        return self.get_response(request)

    @staticmethod
    def _end(request, message: str):
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=401)
        messages.info(request, message)
        return redirect(f"{reverse('login')}?next={request.path}")


def two_factor_required(user) -> bool:
    """HQ writers (Unit Chief, National Program Managers) must use two-factor sign-in when
    ``REQUIRE_2FA_FOR_HQ`` is on."""
    return bool(settings.REQUIRE_2FA_FOR_HQ) and role_of(user) in HQ_WRITERS


def has_confirmed_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


OPEN_PATHS = ("/accounts/", "/static/", "/healthz/", "/readyz/", "/oidc/")


class TwoFactorMiddleware:
    """A person who signed in with a password but has not given their code yet reaches
    only the sign-in pages: those with a confirmed authenticator are sent to enter a code,
    those who must have one (``two_factor_required``) to enrol one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PATHS)
        ):
            target = None
            if has_confirmed_device(user):
                target = "/accounts/two-factor/verify/"
            elif two_factor_required(user):
                target = "/accounts/two-factor/"
            if target:
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "Two-factor sign-in is required: enter your code in the portal first."}, status=403
                    )
                return redirect(f"{target}?next={request.get_full_path()}")
        return self.get_response(request)
