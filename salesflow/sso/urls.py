from django.urls import path

from salesflow.sso import twofactor, views

urlpatterns = [
    path("sso/start/", views.sso_start, name="oidc_authentication_init"),
    path("sso/callback/", views.sso_callback, name="oidc_authentication_callback"),
    path("sso/failed/", views.sso_failed, name="sso_failed"),
    path("2fa/", twofactor.setup, name="twofactor_setup"),
    path("2fa/verify/", twofactor.verify, name="twofactor_verify"),
    path("2fa/disable/", twofactor.disable, name="twofactor_disable"),
]
