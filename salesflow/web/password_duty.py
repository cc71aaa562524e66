"""A one-time password must be changed at the next sign-in (ISO 27001 A.5.17).

`PasswordChangeRequiredMiddleware` sends a signed-in user whose ``must_change_password`` is set to
the password change page, whatever they open (sign-out, the language switch and static files stay
reachable); a session call of the API is answered 403. API calls with a personal token are not
sessions and are not affected. `OwnPasswordChangeForm` asks for a new password different from the
current one; changing it clears the duty (`salesflow.people.lifecycle.password_changed`).
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

#: Paths open while the password must be changed (besides the change page itself).
OPEN_PREFIXES = ("/accounts/logout/", "/accounts/login/", "/i18n/", "/static/", "/healthz", "/api/me/password")


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's password change (old password, new password twice, the validators), refusing the old one again."""

    def clean(self) -> dict:
        cleaned = super().clean()
        new = cleaned.get("new_password2")
        if new and not self.has_error("new_password2") and self.user.check_password(new):
            self.add_error("new_password2", forms.ValidationError(
                _("Choose a password different from the current one."), code="password_reused"))
        return cleaned


class PasswordChangeRequiredMiddleware:
    """Keeps a user with a one-time password on the password change page until they have chosen their own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            target = reverse("password_change")
            path = request.path
            if path != target and not path.startswith(OPEN_PREFIXES):
                if path.startswith("/api/"):
                    from salesflow.api.errors import problem

                    return problem("not_permitted", "change your one-time password first (on the web: "
                                                    f"{target}) or call the API with a personal token")
                return redirect(f"{target}?next={path}" if request.method == "GET" else target)
        return self.get_response(request)
