"""Personal API tokens (ISO 27001 A.5.17 / A.8.5): created and revoked by their user, stored hashed.

A token's secret (``sf_`` + 43 random URL-safe characters) is shown once, when it is created; the
database keeps only its SHA-256 hash, so a leaked database does not leak working tokens. A token
acts with its user's roles; a revoked or expired token, or one of a deactivated user, does nothing.
Creating and revoking a token are security events in the hash-chained event log.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.people.models import ApiToken
from salesflow.people.security import log_security_event

#: Every secret starts with this, so secret scanners (and people) recognise a Salesflow token.
SECRET_PREFIX = "sf_"
#: How many characters of the secret are kept to tell tokens apart.
SHOWN_PREFIX = 8
#: The longest secret accepted for a look-up (a real one is 46 characters).
MAX_SECRET = 200
MAX_NAME = 100
#: Active (not revoked, not expired) tokens a user may hold at once.
MAX_ACTIVE = 20
#: ``last_used_at`` is written at most this often per token (no write on every request).
TOUCH_INTERVAL = datetime.timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    """The SHA-256 (hex) of a secret: what the database stores and looks up."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    """A fresh random secret."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _actor(by: Any | None) -> dict[str, Any]:
    """Who did it, for `log_security_event`: the signed-in user, or the system (command line)."""
    return {"user": by, "name": "system"}


def active_tokens(user: Any, now: datetime.datetime | None = None) -> QuerySet:
    """The user's tokens that are neither revoked nor expired."""
    now = now or timezone.now()
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).exclude(expires_at__lte=now)


def create_token(user: Any, name: str, by: Any | None = None,
                 expires_at: datetime.datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns it with its secret (shown once, never stored).

    ``by`` is who created it (the user in the web interface, None from the command line).
    """
    label = " ".join(str(name or "").split())
    if not label:
        raise BadInput("name: say what the token is for, e.g. 'CRM sync'")
    if len(label) > MAX_NAME:
        raise BadInput(f"name: at most {MAX_NAME} characters")
    if "\x00" in label:
        raise BadInput("name: must not contain NUL characters")
    if user is None or not user.is_active:
        raise NotPermitted("tokens can only be created for an active user")
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise BadInput("expires: the expiry must lie in the future")
    with transaction.atomic():
        if active_tokens(user, now).count() >= MAX_ACTIVE:
            raise Conflict(f"{user.username} already holds {MAX_ACTIVE} active tokens: revoke one first")
        secret = new_secret()
        token = ApiToken.objects.create(user=user, name=label, prefix=secret[:SHOWN_PREFIX],
                                        secret_sha256=hash_secret(secret), created_at=now, expires_at=expires_at)
        log_security_event("token_created", **_actor(by), token_id=token.pk, token_name=label, prefix=token.prefix,
                           username=user.username,
                           expires_at=expires_at.isoformat() if expires_at is not None else None)
    return token, secret


def revoke_token(user: Any, token_id: Any, by: Any | None = None) -> ApiToken:
    """Revoke one of ``user``'s tokens. Another user's token counts as not found."""
    from salesflow.records.services import NotFound

    try:
        pk = int(token_id)
    except (TypeError, ValueError):
        raise NotFound(f"token {token_id!r} not found") from None
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=pk, user=user).first()
        if token is None:
            raise NotFound(f"token {token_id} not found")
        if token.revoked_at is not None:
            raise Conflict(f"token {token.name!r} is already revoked")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_security_event("token_revoked", **_actor(by), token_id=token.pk, token_name=token.name,
                           prefix=token.prefix, username=user.username)
    return token


def tokens_of(user: Any) -> QuerySet:
    """The user's tokens (revoked ones included), newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def authenticate_token(secret: Any) -> Any | None:
    """The active user a token secret belongs to, or None (unknown, revoked, expired, inactive user).

    The secret is looked up by its hash, so the time taken does not depend on how much of a guessed
    secret is right. Using a revoked or expired token is logged as a security event.
    """
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX) or len(secret) > MAX_SECRET:
        return None
    try:
        digest = hash_secret(secret)
    except UnicodeEncodeError:
        return None
    token = ApiToken.objects.select_related("user").filter(secret_sha256=digest).first()
    if token is None or not hmac.compare_digest(token.secret_sha256, digest):
        return None
    now = timezone.now()
    if not token.is_usable(now):
        log_security_event("token_refused", token.user, token_id=token.pk, prefix=token.prefix,
                           reason="revoked" if token.revoked_at is not None else "expired")
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user
