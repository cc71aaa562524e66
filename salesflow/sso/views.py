"""The single sign-on entry points: 404 unless SSO is configured; failures become a security event."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from salesflow.people.security import log_security_event


def _enabled() -> None:
    if not getattr(settings, "SSO_ENABLED", False):
        raise Http404("single sign-on is not configured")


def sso_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the identity provider."""
    _enabled()
    return OIDCAuthenticationRequestView.as_view()(request)


def sso_callback(request: HttpRequest) -> HttpResponse:
    """The identity provider's answer: signed in, or back to the sign-in page with a message."""
    _enabled()
    return OIDCAuthenticationCallbackView.as_view()(request)


def sso_failed(request: HttpRequest) -> HttpResponse:
    """Where a failed single sign-on lands."""
    log_security_event("login_failed", None, name="sso", request=request, method="sso",
                       error=request.GET.get("error", "")[:100])
    messages.error(request, _("Single sign-on did not succeed. Try again or ask your administrator."))
    return redirect(settings.LOGIN_URL)
