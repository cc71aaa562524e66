"""Helpers that turn environment variables into Django settings values.

They live outside ``settings.py`` so that they can be unit-tested without
configuring Django. Every helper raises ``ImproperlyConfigured`` naming the
offending variable when a value cannot be understood.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})

SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}

#: ``SALESFLOW_SQLITE_SYNCHRONOUS``: how hard SQLite syncs to disk (README "Audit trail and backups").
SQLITE_SYNCHRONOUS_VAR = "SALESFLOW_SQLITE_SYNCHRONOUS"
SQLITE_SYNCHRONOUS_LEVELS = ("NORMAL", "FULL", "EXTRA")


def sqlite_options(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The SQLite connection options, with ``PRAGMA synchronous`` from ``SALESFLOW_SQLITE_SYNCHRONOUS``.

    NORMAL (default) in WAL mode never corrupts the database, but a power loss or OS crash may undo
    the last transactions committed before it; FULL (or EXTRA) syncs the WAL at every commit so an
    acknowledged commit survives that too. Any other value raises ``ImproperlyConfigured``.
    """
    env = os.environ if environ is None else environ
    raw = env.get(SQLITE_SYNCHRONOUS_VAR, "")
    level = raw.strip().upper() or "NORMAL"
    if level not in SQLITE_SYNCHRONOUS_LEVELS:
        raise ImproperlyConfigured(
            f"{SQLITE_SYNCHRONOUS_VAR} must be one of {', '.join(SQLITE_SYNCHRONOUS_LEVELS)}; got {raw!r}")
    return {**SQLITE_OPTIONS, "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={level};"}


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Read a boolean environment variable.

    Accepts 1/0, true/false, yes/no and on/off in any case (surrounding
    whitespace ignored). An unset or empty variable yields ``default``; any
    other value raises ``ImproperlyConfigured`` naming the variable and value.
    """
    env = os.environ if environ is None else environ
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_list(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> list[str]:
    """Read a comma-separated environment variable into a list of non-empty, stripped items.

    ``default`` (itself a comma-separated string) is used when the variable is unset.
    """
    env = os.environ if environ is None else environ
    raw = env.get(name)
    if raw is None:
        raw = default
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(
    url: str, *, var: str = "DATABASE_URL", base_dir: Path | None = None
) -> dict[str, Any]:
    """Turn a database URL into a Django ``DATABASES`` entry.

    Supported forms:

    * ``sqlite:////abs/path.sqlite3`` — absolute path (four slashes);
      ``sqlite:///rel/path.sqlite3`` — path relative to ``base_dir`` (default:
      the current directory); ``sqlite://:memory:`` — in-memory database.
      The SQLite entry gets IMMEDIATE transactions, a 20 s busy timeout and WAL.
    * ``postgres://user:pass@host:port/name`` or ``postgresql://...``;
      ``?host=/socket/dir`` selects a unix-socket directory (it overrides the
      host part); other query parameters are passed through as OPTIONS
      (e.g. ``sslmode``).

    Raises ``ImproperlyConfigured`` naming ``var`` for an unknown scheme or a
    missing database name. Nothing is created on disk.
    """
    if not url or not url.strip():
        raise ImproperlyConfigured(f"{var} is empty")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()

    if scheme == "sqlite":
        if parts.netloc == ":memory:" or parts.path in {":memory:", "/:memory:"}:
            name = ":memory:"
        else:
            if parts.netloc:
                raise ImproperlyConfigured(
                    f"{var} must look like sqlite:///relative/path or sqlite:////absolute/path: {url!r}"
                )
            path = unquote(parts.path)[1:]  # drop the slash that separates the (empty) host
            if not path or path.endswith("/"):
                raise ImproperlyConfigured(f"{var} has no database file name: {url!r}")
            db_path = Path(path)
            if not db_path.is_absolute():
                db_path = (base_dir or Path.cwd()) / db_path
            name = str(db_path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": sqlite_options(),
        }

    if scheme in {"postgres", "postgresql", "pgsql"}:
        try:
            port = parts.port
        except ValueError as exc:
            raise ImproperlyConfigured(f"{var} has an invalid port ({exc}): {_redact(url)!r}") from exc
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"{var} has no database name: {_redact(url)!r}")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        host = query.pop("host", None) or unquote(parts.hostname or "")
        port_text = query.pop("port", None) or (str(port) if port else "")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": host,
            "PORT": port_text,
            "ATOMIC_REQUESTS": False,
            "CONN_MAX_AGE": 0,
            "OPTIONS": query,
        }

    raise ImproperlyConfigured(
        f"{var} has unsupported scheme {parts.scheme!r} (use sqlite:// or postgres://): {_redact(url)!r}"
    )


def _redact(url: str) -> str:
    """Hide the password in a URL so that it never ends up in an error message."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable>"
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def env_int(name: str, default: int, *, minimum: int = 1, maximum: int = 10**9,
            environ: Mapping[str, str] | None = None) -> int:
    """Read a whole-number environment variable between ``minimum`` and ``maximum``.

    An unset or empty variable yields ``default``; anything else that is not a whole number in
    range raises ``ImproperlyConfigured`` naming the variable and the value.
    """
    env = os.environ if environ is None else environ
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}; got {raw!r}")
    return value


def env_networks(name: str, environ: Mapping[str, str] | None = None) -> list[Any]:
    """Read a comma list of IP addresses or networks (CIDR, e.g. ``10.0.0.0/8, ::1``) into `ipaddress` networks.

    A single address is a network of one. A value that is neither raises ``ImproperlyConfigured``
    naming the variable and the value.
    """
    import ipaddress

    networks = []
    for item in env_list(name, "", environ):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an IP address or network (CIDR)") from None
    return networks
