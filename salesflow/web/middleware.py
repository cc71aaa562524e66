"""Security headers on every response (ISO 27001 A.8.26): CSP, HSTS, no sniffing, no framing, no caching.

The Content Security Policy allows nothing but this site's own files: no inline script, no inline
style, no external host. htmx runs from a static file and is configured (in ``base.html``) not to
inject its indicator styles, so the policy needs no exception.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
])
#: One year, the usual HSTS preload minimum.
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeadersMiddleware:
    """Adds the security headers Django's own middleware does not (or only with settings)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure():
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            # Pages show classified records: keep them out of shared and browser caches.
            response.headers["Cache-Control"] = "private, no-store"
        return response
