"""Security events (ISO 27001 A.8.15): sign-ins, failed sign-ins, tokens, role changes, exports.

They go into the same hash-chained event log as every other change, with kinds ``security.*``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from salesflow.engine.state import EventDraft
from salesflow.people import addresses
from salesflow.records import eventlog


def client_address(request: Any | None) -> str:
    """The client's address (through the trusted proxies of ``SALESFLOW_TRUSTED_PROXIES``, see `addresses`)."""
    return addresses.client_address(request)


def log_security_event(kind: str, user: Any | None = None, *, name: str = "", request: Any | None = None,
                       record_id: int | None = None, **payload: Any) -> None:
    """Append a ``security.<kind>`` event in its own transaction (or the caller's)."""
    data = dict(payload)
    address = client_address(request)
    if address:
        data["address"] = address
    actor = eventlog.Actorship(user.pk if user is not None and user.pk else None,
                               (user.display_name if user is not None and user.pk else name) or "anonymous")
    with transaction.atomic():
        eventlog.append([EventDraft(kind=f"security.{kind}", payload=data)], actor=actor, at=timezone.now(),
                        record_id=record_id)


@receiver(user_logged_in)
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    log_security_event("login", user, request=request)


@receiver(user_logged_out)
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        log_security_event("logout", user, request=request)


@receiver(user_login_failed)
def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    log_security_event("login_failed", None, name=str(credentials.get("username", ""))[:150], request=request,
                       username=str(credentials.get("username", ""))[:150])
