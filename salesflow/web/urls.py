"""URLs of the web interface: login/logout, a health check and the start page.

Names are not namespaced (``login``, ``logout``, ``healthz``, ``home``) so that
Django's own conventions for the auth views keep working.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from salesflow.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
