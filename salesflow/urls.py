"""Root URL configuration. The Django admin is deliberately not mounted."""

from django.urls import include, path

urlpatterns = [
    path("", include("salesflow.web.urls")),
]
