"""Login throttling (ISO 27001 A.8.5): after repeated failures a user name or an address is locked for a while.

After ``LIMIT`` failed sign-ins for the same user name, or from the same address, within ``WINDOW``
seconds, further attempts for it are refused for ``LOCK`` seconds, whatever the password. Counters
live in Django's cache (the default local-memory cache is enough for one server process; use a
shared cache when running several). Each failure is already a ``security.login_failed`` event; a
lock adds one ``security.login_locked`` event.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from salesflow.people.security import client_address, log_security_event

LIMIT = getattr(settings, "LOGIN_FAILURE_LIMIT", 5)
WINDOW = getattr(settings, "LOGIN_FAILURE_WINDOW", 15 * 60)
LOCK = getattr(settings, "LOGIN_LOCK_SECONDS", 15 * 60)


def _keys(request: Any, username: str) -> list[str]:
    """Cache keys of the subjects one attempt counts against: the user name and the address."""
    subjects = []
    name = (username or "").strip().lower()
    if name:
        subjects.append("user:" + name)
    address = client_address(request)
    if address:
        subjects.append("addr:" + address)
    return [hashlib.sha256(subject.encode("utf-8")).hexdigest()[:32] for subject in subjects]


def locked_for(request: Any, username: str) -> int:
    """Seconds until a sign-in for this user name from this address may be tried again (0: not locked)."""
    now = time.time()
    remaining = 0
    for key in _keys(request, username):
        until = cache.get(f"login-lock:{key}")
        if until and until > now:
            remaining = max(remaining, int(until - now) + 1)
    return remaining


def record_failure(request: Any, username: str) -> bool:
    """Count a failed sign-in; returns True when this failure locked the user name or the address."""
    now = time.time()
    locked = False
    for key in _keys(request, username):
        failures = [at for at in cache.get(f"login-fail:{key}", []) if at > now - WINDOW]
        failures.append(now)
        cache.set(f"login-fail:{key}", failures, WINDOW)
        if len(failures) >= LIMIT:
            cache.set(f"login-lock:{key}", now + LOCK, LOCK)
            cache.delete(f"login-fail:{key}")
            locked = True
    if locked:
        log_security_event("login_locked", None, name=str(username)[:150], request=request,
                           username=str(username)[:150], minutes=LOCK // 60)
    return locked


def record_success(request: Any, username: str) -> None:
    """Forget the failures counted against a user name after a successful sign-in."""
    name = (username or "").strip().lower()
    if name:
        key = hashlib.sha256(("user:" + name).encode("utf-8")).hexdigest()[:32]
        cache.delete(f"login-fail:{key}")
