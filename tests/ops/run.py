"""Run the ``salesflow`` command in a subprocess on its own installation directory (no DEBUG, no SECRET_KEY)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Variables of the developer's or CI's environment that would change what a fresh installation does.
STRIPPED = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "EMAIL_URL", "CSRF_TRUSTED_ORIGINS",
            "SALESFLOW_BASE_URL", "DJANGO_SETTINGS_MODULE"}


_databases: dict[Path, str] = {}


def fresh_database_url(var: Path) -> str | None:
    """On the PostgreSQL pass: a new, empty database of the test cluster for the installation in ``var``."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    if var not in _databases:
        import uuid
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        from salesflow.config import parse_database_url

        name = f"install_{uuid.uuid4().hex[:12]}"
        settings = parse_database_url(url)
        with psycopg.connect(dbname="postgres", user=settings["USER"] or None, host=settings["HOST"] or None,
                             port=settings["PORT"] or None, password=settings["PASSWORD"] or None,
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(url)
        _databases[var] = urlunsplit(parts._replace(path=f"/{name}"))
    return _databases[var]


def environment(var: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh installation in ``var``, plus ``extra``.

    Its database is SQLite in ``var``, or on the PostgreSQL pass a new database of the test cluster.
    """
    env = {key: value for key, value in os.environ.items() if key not in STRIPPED}
    env.update({"SALESFLOW_VAR_DIR": str(var), "PYTHONPATH": str(ROOT)})
    database = fresh_database_url(var)
    if database:
        env["DATABASE_URL"] = database
    env.update(extra)
    return env


def salesflow(var: Path, *args: str, timeout: float = 180, **extra: str) -> subprocess.CompletedProcess[str]:
    """``salesflow ARGS`` to completion."""
    return subprocess.run([sys.executable, "-m", "salesflow.cli", *args], env=environment(var, **extra),
                          capture_output=True, text=True, timeout=timeout, cwd=var.parent)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET ``url``: status, headers, body (HTTP errors are answers too)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 180) -> None:
    """Poll ``url`` until it answers; fail with the server's output if it dies first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"the server stopped (exit {process.returncode}):\n{output}")
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")
