"""Sign-in throttling (ISO 27001 A.8.5) that every worker shares and that cannot lock a company out.

Failed sign-ins are counted in the database (table ``people_signinthrottle``), so every worker
process and every server sees the same counts, against two subjects:

- the **account** (the user name typed): ``SALESFLOW_SIGNIN_ACCOUNT_LIMIT`` failures (default 5)
  within ``SALESFLOW_SIGNIN_WINDOW_SECONDS`` (default 15 minutes) lock that account for
  ``SALESFLOW_SIGNIN_LOCK_SECONDS`` (default 15 minutes), from every address;
- the **client address** (through ``SALESFLOW_TRUSTED_PROXIES``, see `salesflow.people.addresses`):
  ``SALESFLOW_SIGNIN_ADDRESS_LIMIT`` failures (default 100, at least twice the account limit) lock
  the address. One person's typos lock only their own account, never everyone behind the office's
  address; someone trying many accounts from one address is stopped there.

API calls with an unknown bearer token count against the address in a scope of their own
(``api_address``, same address limit), which only stops further token attempts from that address:
a script with a revoked token cannot block the people signing in behind the same address.

Subjects are stored as SHA-256 hashes (no user name or address in clear). Every lock is a
``security.login_locked`` event in the hash-chained log; each failure already is a
``security.login_failed`` event. A successful sign-in clears its account's count; an
administrator setting a one-time password clears the account's lock.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from salesflow.people.models import SignInThrottle
from salesflow.people.security import client_address, log_security_event

ACCOUNT = "account"
ADDRESS = "address"
API_ADDRESS = "api_address"


@dataclass(frozen=True)
class Subject:
    """One thing failures are counted against."""

    scope: str
    value: str

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.scope}:{self.value}".encode()).hexdigest()

    @property
    def limit(self) -> int:
        if self.scope == ACCOUNT:
            return settings.SALESFLOW_SIGNIN_ACCOUNT_LIMIT
        return settings.SALESFLOW_SIGNIN_ADDRESS_LIMIT


def window() -> datetime.timedelta:
    """How long failures are counted."""
    return datetime.timedelta(seconds=settings.SALESFLOW_SIGNIN_WINDOW_SECONDS)


def lock_duration() -> datetime.timedelta:
    """How long a reached threshold locks its subject."""
    return datetime.timedelta(seconds=settings.SALESFLOW_SIGNIN_LOCK_SECONDS)


def account_name(username: Any) -> str:
    """The account a typed user name counts against (case and surrounding blanks ignored)."""
    return str(username or "").strip().lower()[:150]


def subjects(request: Any, username: str, *, api: bool = False) -> list[Subject]:
    """The subjects one attempt counts against: the account (when a name was typed) and the address."""
    found = []
    name = account_name(username)
    if name and not api:
        found.append(Subject(ACCOUNT, name))
    address = client_address(request)
    if address:
        found.append(Subject(API_ADDRESS if api else ADDRESS, address))
    return found


def _remaining(found: list[Subject], now: datetime.datetime) -> int:
    if not found:
        return 0
    until = (SignInThrottle.objects.filter(subject__in=[subject.key for subject in found], locked_until__gt=now)
             .order_by("-locked_until").values_list("locked_until", flat=True).first())
    return 0 if until is None else int((until - now).total_seconds()) + 1


def locked_for(request: Any, username: str) -> int:
    """Seconds until a sign-in for this user name from this address may be tried again (0: not locked)."""
    return _remaining(subjects(request, username), timezone.now())


def api_locked_for(request: Any) -> int:
    """Seconds until API token attempts from this address are accepted again (0: not locked)."""
    return _remaining(subjects(request, "", api=True), timezone.now())


def _count(subject: Subject, now: datetime.datetime) -> tuple[int, bool]:
    """Count one failure against a subject; returns (failures in the window, whether this one locked it)."""
    with transaction.atomic():
        row = SignInThrottle.objects.select_for_update().filter(subject=subject.key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = SignInThrottle.objects.create(subject=subject.key, scope=subject.scope, failures=0,
                                                        window_started=now)
            except IntegrityError:  # another worker created it at the same moment
                row = SignInThrottle.objects.select_for_update().get(subject=subject.key)
        expired_lock = row.locked_until is not None and row.locked_until <= now
        if expired_lock or now - row.window_started > window():
            row.failures, row.window_started, row.locked_until = 0, now, None
        row.failures += 1
        newly_locked = row.locked_until is None and row.failures >= subject.limit
        if newly_locked:
            row.locked_until = now + lock_duration()
        row.save(update_fields=["failures", "window_started", "locked_until"])
    return row.failures, newly_locked


def _forget_stale(now: datetime.datetime) -> None:
    """Delete counts whose window and lock are over (keeps the table small)."""
    stale = now - window() - lock_duration()
    SignInThrottle.objects.filter(window_started__lt=stale).delete()


def record_failure(request: Any, username: str, *, api: bool = False) -> bool:
    """Count a failed sign-in (or API token attempt); True when it locked the account or the address.

    Each lock is recorded as a ``security.login_locked`` event naming the scope (``account``,
    ``address`` or ``api_address``), the failures and the minutes.
    """
    now = timezone.now()
    _forget_stale(now)
    locked = False
    name = account_name(username)
    for subject in subjects(request, username, api=api):
        failures, newly_locked = _count(subject, now)
        if newly_locked:
            locked = True
            log_security_event("login_locked", None, name=name or "anonymous", request=request, scope=subject.scope,
                               username=name if subject.scope == ACCOUNT else "", failures=failures,
                               minutes=max(1, settings.SALESFLOW_SIGNIN_LOCK_SECONDS // 60))
    return locked


def record_success(request: Any, username: str) -> None:
    """Forget the failures counted against an account after a successful sign-in."""
    name = account_name(username)
    if name:
        SignInThrottle.objects.filter(subject=Subject(ACCOUNT, name).key).delete()


def unlock_account(username: str) -> bool:
    """Lift an account's lock and forget its failures (an administrator's act); True when it was locked."""
    name = account_name(username)
    if not name:
        return False
    key = Subject(ACCOUNT, name).key
    was_locked = SignInThrottle.objects.filter(subject=key, locked_until__gt=timezone.now()).exists()
    SignInThrottle.objects.filter(subject=key).delete()
    return was_locked
