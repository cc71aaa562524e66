"""Views of the web interface."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe: answers ``ok`` as plain text without touching the database."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Start page for signed-in users (placeholder until the dashboard exists)."""
    return render(request, "web/home.html")
