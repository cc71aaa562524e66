"""Two-factor authentication (TOTP, RFC 6238) for local accounts, by django-otp.

A user may turn it on for themselves; holders of the roles in ``SALESFLOW_REQUIRE_2FA_ROLES`` (an
installation setting) must. After the password, :class:`SecondFactorMiddleware` sends a user with a
device to the code page, and a user who must have one but has none to the set-up page. Users signed
in through the identity provider are not asked: their provider does the strong authentication.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from salesflow.people.security import log_security_event
from salesflow.sso.config import BACKEND

#: Paths a signed-in user reaches before the second factor.
EXEMPT = ("/account/2fa/", "/accounts/logout/", "/account/sso/", "/static/", "/healthz", "/metrics", "/i18n/")


def required_for(user: Any) -> bool:
    """Whether the installation requires a second factor of this user (by role)."""
    required = set(getattr(settings, "REQUIRE_2FA_ROLES", []))
    return bool(required & set(user.role_ids()))


def confirmed_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def signed_in_by_sso(request: HttpRequest) -> bool:
    """Whether this session was opened through the identity provider."""
    return request.session.get(BACKEND_SESSION_KEY) == BACKEND


class SecondFactorMiddleware:
    """Asks for the code (or its set-up) before any page once the password was right."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(EXEMPT) \
                and not signed_in_by_sso(request) and not user.is_verified():
            device = confirmed_device(user)
            if device is not None or required_for(user):
                if request.path.startswith("/api/"):
                    return JsonResponse({"error": "second_factor_required",
                                         "message": "sign in with your second factor first"}, status=403)
                target = "twofactor_verify" if device is not None else "twofactor_setup"
                from django.urls import reverse
                from django.utils.http import urlencode

                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return "/"
    return target


def _code(request: HttpRequest) -> str:
    return "".join(request.POST.get("code", "").split())[:12]


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Show the QR code of a new TOTP secret and confirm it with a first code; or the device's status."""
    device = confirmed_device(request.user)
    if device is not None:
        return render(request, "sso/twofactor_status.html", {"required": required_for(request.user)})
    pending, _created = TOTPDevice.objects.get_or_create(user=request.user, confirmed=False,
                                                         defaults={"name": "Authenticator app"})
    error = ""
    if request.method == "POST":
        if pending.verify_token(_code(request)):
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            otp_login(request, pending)
            log_security_event("2fa_enabled", request.user, request=request)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_next(request))
        error = _("The code is not right. Check the time on your phone and try again.")
    secret = base64.b32encode(bytes.fromhex(pending.key)).decode().rstrip("=")
    qr = segno.make(pending.config_url, error="m").svg_data_uri(scale=5, border=2)
    return render(request, "sso/twofactor_setup.html", {
        "secret": secret, "qr": qr, "error": error, "next": _next(request),
        "required": required_for(request.user)}, status=200 if not error else 400)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code of the authenticator app after the password."""
    if request.user.is_verified():
        return redirect(_next(request))
    error = ""
    if request.method == "POST":
        code = _code(request)
        for device in devices_for_user(request.user, confirmed=True):
            if device.verify_token(code):
                otp_login(request, device)
                log_security_event("2fa_verified", request.user, request=request)
                return redirect(_next(request))
        log_security_event("2fa_failed", request.user, request=request)
        error = _("The code is not right (or too many tries: wait a little).")
    return render(request, "sso/twofactor_verify.html", {"error": error, "next": _next(request)},
                  status=200 if not error else 400)


@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor authentication off (with a current code); refused where a role requires it."""
    if required_for(request.user):
        messages.error(request, _("Your role requires two-factor authentication: it cannot be turned off."))
        return redirect("twofactor_setup")
    device = confirmed_device(request.user)
    if device is None or not device.verify_token(_code(request)):
        messages.error(request, _("The code is not right."))
        return redirect("twofactor_setup")
    TOTPDevice.objects.filter(user=request.user).delete()
    log_security_event("2fa_disabled", request.user, request=request)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("account")
