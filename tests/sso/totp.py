"""Codes as an authenticator app computes them from the secret shown on the set-up page (RFC 6238)."""

from __future__ import annotations

import base64
import time

from django_otp.oath import TOTP


def code(secret_base32: str, steps_ahead: int = 0) -> str:
    """The six digits for now (or a later 30-second step: a code is accepted only once)."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"
