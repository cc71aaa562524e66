"""Template context of the sign-in page: whether single sign-on and local passwords are offered."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def sign_in_options(request: HttpRequest) -> dict[str, Any]:
    """``sso_enabled``, ``sso_label`` and ``local_login`` for the templates."""
    return {"sso_enabled": getattr(settings, "SSO_ENABLED", False), "sso_label": getattr(settings, "SSO_LABEL", ""),
            "local_login": getattr(settings, "LOCAL_LOGIN", True)}
