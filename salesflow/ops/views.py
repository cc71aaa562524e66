"""``/metrics`` for Prometheus (restricted: a bearer token or an allowed client address)."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from salesflow.ops import metrics


@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The metrics; 403 for a client that neither shows ``METRICS_TOKEN`` nor comes from ``METRICS_ALLOWED_IPS``."""
    if not metrics.may_read(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)
