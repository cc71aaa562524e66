"""Root URL configuration. The Django admin is deliberately not mounted."""

from django.urls import include, path

handler400 = "salesflow.web.limits.bad_request"

urlpatterns = [
    path("api/", include("salesflow.api.urls")),
    path("guidelines/", include("salesflow.guidelines.urls")),
    path("controlling/", include("salesflow.analytics.urls")),
    path("quality/", include("salesflow.quality.urls")),
    path("", include("salesflow.web.urls")),
]
