"""URLs under ``/api/``: the API, then a 404 problem for any other path (never the HTML page)."""

from django.urls import path, re_path

from salesflow.api.api import api
from salesflow.api.errors import not_found_view

urlpatterns = [
    path("", api.urls),
    re_path(r"^.*$", not_found_view),
]
