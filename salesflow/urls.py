"""Root URL configuration. The Django admin is deliberately not mounted."""

from django.urls import include, path

from salesflow.ops.views import metrics_view

urlpatterns = [
    path("metrics", metrics_view, name="metrics"),
    path("account/", include("salesflow.sso.urls")),
    path("account/email/", include("salesflow.mail.urls")),
    path("api/", include("salesflow.api.urls")),
    path("guidelines/", include("salesflow.guidelines.urls")),
    path("controlling/", include("salesflow.analytics.urls")),
    path("currency/", include("salesflow.currency.urls")),
    path("quality/", include("salesflow.quality.urls")),
    path("risks/", include("salesflow.risks.urls")),
    path("material/", include("salesflow.material.urls")),
    path("coaching/", include("salesflow.coaching.urls")),
    path("", include("salesflow.quotes.urls")),
    path("", include("salesflow.activities.urls")),
    path("", include("salesflow.lists.urls")),
    path("", include("salesflow.web.urls")),
]

handler400 = "salesflow.web.limits.bad_request"
