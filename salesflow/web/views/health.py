"""The health probe."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from salesflow.ops.health import check


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """``ok`` (200) or ``fail`` (503) on the first line, then database, migrations and worker, one a line."""
    health = check()
    return HttpResponse(health.to_text(), status=200 if health.ok else 503,
                        content_type="text/plain; charset=utf-8")
