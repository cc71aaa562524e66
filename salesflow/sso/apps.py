from django.apps import AppConfig


class SsoConfig(AppConfig):
    """OpenID Connect sign-in (mozilla-django-oidc) and TOTP (django-otp)."""

    name = "salesflow.sso"
    label = "sso"
    verbose_name = "Sign-in"
