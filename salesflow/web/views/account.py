"""Signing in (throttled), the account page: password change, API tokens and the language."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from salesflow.engine.errors import EngineError
from salesflow.people import lifecycle
from salesflow.people.models import Role
from salesflow.records.demo import DEMO_USERS, demo_present
from salesflow.web import throttle
from salesflow.web.forms import LoginForm, TokenForm
from salesflow.web.i18n import localize
from salesflow.web.password_duty import OwnPasswordChangeForm
from salesflow.web.views.common import status_of


class LoginView(auth_views.LoginView):
    """Django's sign-in, refusing attempts for a locked user name or address (see `salesflow.web.throttle`)."""

    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_logins"] = demo_logins()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        seconds = throttle.locked_for(request, username)
        if seconds:
            return self.locked(request, seconds)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        username = self.request.POST.get("username", "")
        if username and self.request.POST.get("password"):
            throttle.record_failure(self.request, username)
            seconds = throttle.locked_for(self.request, username)
            if seconds:
                return self.locked(self.request, seconds)
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        throttle.record_success(self.request, form.get_user().get_username())
        return super().form_valid(form)

    def locked(self, request: HttpRequest, seconds: int) -> HttpResponse:
        """The sign-in page refusing further attempts for now (HTTP 429)."""
        minutes = max(1, (seconds + 59) // 60)
        form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
        context = self.get_context_data(form=form)
        context["locked"] = ngettext(
            "Too many failed sign-in attempts. For your security, signing in is blocked for %(minutes)d minute.",
            "Too many failed sign-in attempts. For your security, signing in is blocked for %(minutes)d minutes.",
            minutes) % {"minutes": minutes}
        return render(request, self.template_name, context, status=429)


def demo_logins() -> list[tuple[str, str]]:
    """In development (DEBUG) with the demo data loaded: the demo user names and their roles, for the login page."""
    if not settings.DEBUG:
        return []
    if not demo_present():
        return []
    titles = {role.id: role.title_in("en") for role in Role.objects.all()}
    return [(username, ", ".join(titles.get(role, role) for role in roles)) for username, _f, _l, roles, _t in DEMO_USERS]


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password (the old one is asked, the new one must differ); recorded as a security event.

    A user signed in with a one-time password is kept on this page until they have changed it
    (`salesflow.web.password_duty`); afterwards they go where they were going.
    """

    template_name = "web/password_change.html"
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("account")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["password_required"] = self.request.user.must_change_password
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        was_required = self.request.user.must_change_password
        response = super().form_valid(form)
        lifecycle.password_changed(self.request.user, request=self.request, was_required=was_required)
        messages.success(self.request, _("Your password was changed."))
        if was_required:
            target = self.request.GET.get("next", "")
            safe = url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()},
                                                   require_https=self.request.is_secure())
            return redirect(target if safe else "home")
        return response


def token_functions() -> ModuleType | None:
    """The API token functions (``salesflow.people.tokens``), when that module is installed."""
    try:
        from salesflow.people import tokens
    except ImportError:
        return None
    return tokens


def _account_page(request: HttpRequest, token_form: TokenForm | None = None, secret: str = "",
                  status: int = 200) -> HttpResponse:
    tokens = token_functions()
    user = request.user
    context = {
        "roles": [role.title_in((request.LANGUAGE_CODE or "en")[:2]) for role in user.roles.all()],
        "teams": list(user.teams.values_list("name", flat=True)),
        "tokens_available": tokens is not None,
        "tokens": list(tokens.tokens_of(user)) if tokens is not None else [],
        "token_form": token_form or TokenForm(), "secret": secret, "now": timezone.now(),
    }
    return render(request, "web/account.html", context, status=status)


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The account page: roles and teams, password, API tokens, language."""
    return _account_page(request)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create an API token; its secret is shown once, on this response only."""
    tokens = token_functions()
    if tokens is None:
        return redirect("account")
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form, status=400)
    try:
        _token, secret = tokens.create_token(request.user, form.cleaned_data["name"], by=request.user)
    except EngineError as refusal:
        form.add_error("name", localize(refusal.message))
        return _account_page(request, form, status=status_of(refusal))
    messages.success(request, _("Token created. Copy the secret now: it is not shown again."))
    return _account_page(request, TokenForm(), secret=secret)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of one's own API tokens."""
    tokens = token_functions()
    if tokens is None:
        return redirect("account")
    try:
        tokens.revoke_token(request.user, token_id, by=request.user)
    except EngineError as refusal:
        messages.error(request, localize(refusal.message))
        return redirect(reverse("account") + "#tokens")
    messages.success(request, _("Token revoked."))
    return redirect(reverse("account") + "#tokens")
