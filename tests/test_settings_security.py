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
