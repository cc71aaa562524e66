"""Report results cached per event-log head (Django's cache framework; local memory by default).

A report is computed once per *key* and then served from the cache. The key holds everything the
result depends on, so an entry can never be served to a reader or a state it was not computed for:

- the **event-log head** (sequence number and hash of the last event): every change of records,
  targets, exchange rates, assessments, 1:1s, teams, roles and the library is an event, so a new
  event gives new keys — except the events no report reads (signing in and out, refused attempts,
  tokens, logged reads and exports: `NOT_READ_BY_REPORTS`); the forecast snapshots (written by the
  scheduler, not events) add their count and newest id;
- the **reader's access scope**: the user's id, whether they are a superuser, their role ids and
  team ids — two users never share an entry, and a user's entry is not reused after their access
  changed;
- the **language** of the request;
- every **parameter** (the report kind and the query: process, from, to, by, period, as-of) and the
  **corporate currency** of the library settings;
- the **clock**: reports speak of "now" (stays still running, the open pipeline as of today), so
  the key also holds the current time slot of ``SALESFLOW_REPORT_CACHE_SECONDS`` (default 600 s);
  within a slot an unchanged log is computed once. ``0`` switches the cache off.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")
#: Bump when the shape of cached values changes (old entries are then never read).
VERSION = 1


def slot_seconds() -> int:
    """How long a cached report may speak of "now" (seconds; 0 = no cache)."""
    return int(getattr(settings, "SALESFLOW_REPORT_CACHE_SECONDS", 600))


#: Events no report reads: signing in and out (and refused or throttled attempts, second factors, tokens,
#: passwords) and the logged reads and exports. They do not make the cached reports stale — else every
#: sign-in of anyone would have every dashboard computed again.
NOT_READ_BY_REPORTS = tuple(f"security.{kind}" for kind in (
    "login", "logout", "login_failed", "login_locked", "2fa_verified", "2fa_failed", "2fa_enabled", "2fa_disabled",
    "password_changed", "password_reset", "token_created", "token_refused", "token_revoked", "export",
    "view_strictly_confidential", "download_strictly_confidential"))


def log_head() -> tuple[int, str]:
    """(seq, hash) of the last event of the chain the reports can depend on (`NOT_READ_BY_REPORTS` skipped:
    usually the chain's head itself; one query, read from the newest events backwards)."""
    from salesflow.records.models import Event

    found = (Event.objects.exclude(kind__in=NOT_READ_BY_REPORTS).order_by("-seq")
             .values_list("seq", "hash").first())
    return found or (0, "")


def reference_state() -> tuple[int, int]:
    """What the reports read besides the event log: (count, newest id) of the forecast snapshots."""
    from django.db.models import Count, Max

    from salesflow.analytics.models import ForecastSnapshot

    row = ForecastSnapshot.objects.aggregate(count=Count("id"), newest=Max("id"))
    return int(row["count"] or 0), int(row["newest"] or 0)


def access_scope(user: Any | None) -> list[Any]:
    """The reader's identity and what decides their access: id, superuser flag, role ids, team ids."""
    if user is None:
        return ["all"]
    teams = sorted(user.teams.values_list("id", flat=True)) if hasattr(user, "teams") else []
    return [user.pk, bool(user.is_superuser), bool(user.is_active), sorted(user.role_ids()), teams]


def reader_state(user: Any | None, language: str, currency: str, now: float | None = None) -> dict[str, Any]:
    """The parts of the key shared by every report of one reader and moment (a few small queries)."""
    slot = int((now if now is not None else time.time()) // max(slot_seconds(), 1))
    return {"v": VERSION, "db": str(settings.DATABASES["default"].get("NAME")), "head": list(log_head()),
            "reference": list(reference_state()), "scope": access_scope(user), "language": language,
            "currency": currency, "slot": slot}


def report_key(kind: str, query: dict[str, str], state: dict[str, Any]) -> str:
    """The cache key of one report (``kind`` with the query parameters) for one `reader_state`."""
    parts = {**state, "kind": kind, "query": sorted(query.items())}
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"salesflow:report:{digest}"


_IN_FLIGHT: dict[str, threading.Event] = {}
_IN_FLIGHT_LOCK = threading.Lock()
#: How long a request waits for the same report being computed by another thread (then computes it itself).
WAIT_SECONDS = 30.0


def _claim(key: str) -> threading.Event | None:
    """Claim the computation of ``key``: a new event when this caller computes it, None when another does."""
    with _IN_FLIGHT_LOCK:
        if key in _IN_FLIGHT:
            return None
        event = _IN_FLIGHT[key] = threading.Event()
        return event


def _release(key: str, event: threading.Event) -> None:
    with _IN_FLIGHT_LOCK:
        if _IN_FLIGHT.get(key) is event:
            del _IN_FLIGHT[key]
    event.set()


def cached(key: str, compute: Callable[[], T]) -> T:
    """The value cached under ``key``, computed (and stored) when missing; no caching when switched off.

    When another thread of this process is computing the same key (the dashboard's warm-up), this waits for
    its result instead of computing it a second time.
    """
    seconds = slot_seconds()
    if seconds <= 0:
        return compute()
    found = cache.get(key)
    if found is not None:
        return found
    claim = _claim(key)
    if claim is None:
        with _IN_FLIGHT_LOCK:
            running = _IN_FLIGHT.get(key)
        if running is not None:
            running.wait(WAIT_SECONDS)
        found = cache.get(key)
        if found is not None:
            return found
        return compute()
    try:
        value = compute()
        cache.set(key, value, timeout=seconds)
        return value
    finally:
        _release(key, claim)


def warm(jobs: list[tuple[str, dict[str, str]]], state: dict[str, Any],
         compute_all: Callable[[list[tuple[str, str, dict[str, str]]], Callable[[str, Any], None]], None]) -> None:
    """Compute the reports ``jobs`` ((kind, query) pairs) not cached yet for one reader, in a background thread.

    Every missing key is claimed at once, so the panel requests that arrive meanwhile wait for the warm-up
    instead of computing the same report again; ``compute_all(missing, store)`` computes them (sharing one
    load of the data) and calls ``store(key, report)`` for each. A key it does not store is released, and
    its request computes it itself (and shows the error, if any).
    """
    seconds = slot_seconds()
    if seconds <= 0:
        return
    missing: list[tuple[str, str, dict[str, str]]] = []
    claims: dict[str, threading.Event] = {}
    for kind, query in jobs:
        key = report_key(kind, query, state)
        if cache.get(key) is not None:
            continue
        claim = _claim(key)
        if claim is not None:
            claims[key] = claim
            missing.append((key, kind, query))
    if not missing:
        return

    def store(key: str, value: Any) -> None:
        cache.set(key, value, timeout=seconds)
        claim = claims.pop(key, None)
        if claim is not None:
            _release(key, claim)

    def run() -> None:
        from django.db import connection

        try:
            compute_all(missing, store)
        except Exception:  # noqa: BLE001 - the requests compute (and report) what the warm-up could not
            pass
        finally:
            for key, claim in list(claims.items()):
                _release(key, claim)
            connection.close()

    threading.Thread(target=run, name="salesflow-report-warmup", daemon=True).start()
