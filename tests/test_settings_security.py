"""Production settings: Argon2 password hashing and safe cookie/header defaults."""

from __future__ import annotations

import importlib


def test_argon2_is_the_password_hasher_in_production_settings() -> None:
    module = importlib.import_module("salesflow.settings")
    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_sessions_expire_and_cookies_are_http_only() -> None:
    module = importlib.import_module("salesflow.settings")
    assert module.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert module.SESSION_COOKIE_HTTPONLY is True
    assert 0 < module.SESSION_COOKIE_AGE <= 12 * 3600
    assert module.X_FRAME_OPTIONS == "DENY"


def test_debug_is_off_and_the_key_is_no_public_default_unless_asked() -> None:
    import os

    module = importlib.import_module("salesflow.settings")
    if "DEBUG" not in os.environ:
        assert module.DEBUG is False
    if "SECRET_KEY" not in os.environ:
        assert not module.SECRET_KEY.startswith("django-insecure") and len(module.SECRET_KEY) >= 50
        assert (module.VAR_DIR / "secret_key").read_text().strip() == module.SECRET_KEY


def test_static_files_are_served_by_whitenoise_right_after_the_security_middleware() -> None:
    module = importlib.import_module("salesflow.settings")
    assert module.MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") == 1
