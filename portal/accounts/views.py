"""Sign-in pages: the login form (with lockout and single sign-on), two-factor enrolment
and verification, and HQ's list of sign-in lockouts."""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from ..tables import Column, Table
from . import services
from .middleware import has_confirmed_device, two_factor_required

LOCKED_MESSAGE = (
    "This account or address is locked after too many failed sign-in attempts. "
    "Ask the Unit Chief or a National Program Manager to unlock it"
)


def _cooloff_text() -> str:
    cooloff = settings.AXES_COOLOFF_TIME
    if not cooloff:
        return "."
    return f", or try again in {int(cooloff.total_seconds() // 60)} minutes."


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """What a locked-out sign-in gets (django-axes' lockout response): the login page
    with a plain statement of the lockout, which does not tell whether the username or
    the password was wrong. Status 429."""
    from django.contrib.auth.forms import AuthenticationForm

    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "locked": LOCKED_MESSAGE + _cooloff_text(),
            "oidc_enabled": settings.OIDC_ENABLED,
            "oidc_provider": settings.OIDC_PROVIDER_NAME,
        },
        status=429,
    )


class PortalLoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            oidc_enabled=settings.OIDC_ENABLED,
            oidc_provider=settings.OIDC_PROVIDER_NAME,
            sso_failed=self.request.GET.get("sso") == "failed",
        )
        return context


def _next_url(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return target


class TwoFactorEnrolView(LoginRequiredMixin, View):
    """Enrol an authenticator app: a QR code (SVG drawn by the server) and the secret
    for typing in, then a code from the app to confirm."""

    template_name = "registration/two_factor_enrol.html"

    def _context(self, request, device, error=""):
        import segno

        uri = device.config_url
        svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#1b1b1b", light="#ffffff", omitsize=False)
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        return {
            "qr_svg": svg,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "error": error,
            "required": two_factor_required(request.user),
            "next": _next_url(request, ""),
            "enrolled": has_confirmed_device(request.user),
        }

    def get(self, request):
        if has_confirmed_device(request.user) and not request.user.is_verified():
            return redirect(f"/accounts/two-factor/verify/?next={_next_url(request)}")
        device = services.totp_device_for_enrolment(user=request.user)
        return render(request, self.template_name, self._context(request, device))

    def post(self, request):
        if has_confirmed_device(request.user) and not request.user.is_verified():
            return redirect("/accounts/two-factor/verify/")
        from django_otp import login as otp_login

        device = services.totp_device_for_enrolment(user=request.user)
        if not services.totp_confirm(device=device, token=request.POST.get("token", "")):
            return render(
                request,
                self.template_name,
                self._context(request, device, "That code is not right. Enter the 6-digit code your app shows now."),
                status=400,
            )
        otp_login(request, device)
        messages.success(request, "Two-factor sign-in is set up. You will be asked for a code each time you sign in.")
        return redirect(_next_url(request))


class TwoFactorVerifyView(LoginRequiredMixin, View):
    """After the password: the 6-digit code of the person's authenticator."""

    template_name = "registration/two_factor_verify.html"

    def get(self, request):
        if request.user.is_verified() or not has_confirmed_device(request.user):
            return redirect(_next_url(request))
        return render(request, self.template_name, {"next": _next_url(request, "")})

    def post(self, request):
        from django_otp import login as otp_login
        from django_otp import match_token

        token = request.POST.get("token", "").strip().replace(" ", "")
        device = match_token(request.user, token) if token.isdigit() else None
        if device is None:
            services.security_log.warning(
                "Wrong two-factor code", extra={"event": "totp_failed", "username": request.user.username}
            )
            return render(
                request,
                self.template_name,
                {
                    "next": _next_url(request, ""),
                    "error": "That code is not right. Enter the 6-digit code your app shows now.",
                },
                status=400,
            )
        otp_login(request, device)
        return redirect(_next_url(request))


def _lockout_state(attempt) -> str:
    return "Locked" if attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT else "Counting"


#: The lockouts' table, on the page and in its exports.
LOCKOUT_COLUMNS = [
    Column("Username", lambda a: a.username or "(any)"),
    Column("Address", "ip_address"),
    Column("Failures", "failures_since_start", numeric=True),
    Column("Last attempt", "attempt_time"),
    Column("State", _lockout_state),
]


class LockoutListView(LoginRequiredMixin, TemplateView):
    """HQ's list of sign-in lockouts (usernames and addresses with failed attempts), each
    with a form to lift it and say why."""

    template_name = "registration/lockouts.html"

    def table(self):
        from axes.models import AccessAttempt

        attempts = AccessAttempt.objects.order_by("-attempt_time", "-pk")
        return Table(LOCKOUT_COLUMNS, attempts, target="portal.account", name="lockouts", title="Sign-in lockouts")

    def get(self, request, *args, **kwargs):
        if (export := self.table().export(request)) is not None:
            return export
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.table().page(self.request))
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["title"] = "Sign-in lockouts"
        return context

    def post(self, request):
        try:
            removed = services.lockout_unlock(
                attempt_id=int(request.POST.get("attempt", "0") or 0),
                acting_user=request.user,
                reason=request.POST.get("reason", ""),
            )
        except (ValueError, OverflowError):
            removed = 0
        except ValidationError as exc:
            messages.error(request, " ".join(exc.message_dict.get("reason", exc.messages)))
            return redirect("lockouts")
        if removed:
            messages.success(request, "The lockout is lifted.")
        else:
            messages.warning(request, "That lockout was already lifted.")
        return redirect("lockouts")
