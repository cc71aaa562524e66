"""The liveness probe."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe: answers ``ok`` as plain text without touching the database."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
