"""Who calls the API: a personal API token (``Authorization: Bearer sf_…``) or the browser's session.

A token request needs no CSRF token (browsers never send the header on their own). A request
authenticated by the session cookie must pass Django's CSRF check for unsafe methods (POST, PATCH),
so the web interface can call the API and another site cannot make a signed-in browser do so.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from salesflow.people import throttle
from salesflow.people.tokens import authenticate_token


class TooManyAttempts(HttpError):
    """429 with ``Retry-After``: too many failed attempts (see `salesflow.people.throttle`)."""

    def __init__(self, seconds: int, what: str = "token attempts from this address") -> None:
        minutes = max(1, (seconds + 59) // 60)
        super().__init__(429, f"too many failed {what}; try again in {minutes} minute(s)")
        self.retry_after = seconds


class BearerToken(HttpBearer):
    """``Authorization: Bearer <personal API token>``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        seconds = throttle.api_locked_for(request)
        if seconds:
            raise TooManyAttempts(seconds)
        user = authenticate_token(token.strip())
        if user is None:
            throttle.record_failure(request, "", api=True)
            return None
        request.user = user  # the rest of the stack (logging, cache headers) sees who acts
        return user


class SessionCookie(APIKeyCookie):
    """The Django session of a signed-in browser, with the CSRF check for unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # no session: nothing to protect, and the caller gets 401, not a CSRF refusal
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
