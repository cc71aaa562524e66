"""Pytest plugin: run the suite against a throw-away PostgreSQL cluster.

Loaded early with ``-p tests.pg_plugin`` (see ``addopts`` in pyproject.toml).
It does nothing unless ``SALESFLOW_TEST_DATABASE=postgres``; then, before
pytest-django configures Django, it

1. finds ``initdb``/``pg_ctl`` on PATH or under ``/usr/lib/postgresql/*/bin``,
2. creates a cluster in a fresh temporary directory (trust auth, user
   ``postgres``, UTF8, C locale, fsync off) listening only on a unix socket,
3. starts it on a free port and waits until it accepts connections,
4. sets ``DATABASE_URL=postgres://postgres@:<port>/salesflow?host=<socket dir>``
   (pytest-django then creates and drops ``test_salesflow``).

The cluster itself is managed by ``salesflow.devtools.pgcluster`` (shared with
the benchmarks). It is stopped and its directory removed at exit. When the binaries
are missing the run ends early: with exit code 1 if
``SALESFLOW_REQUIRE_POSTGRES=1``, otherwise with exit code 0 and a message.
When running as root, the server runs as the ``postgres`` user through
``runuser``.
"""

from __future__ import annotations

import atexit
import os

import pytest

from salesflow.devtools.pgcluster import Cluster, find_pg_bindir, start_cluster

_CLUSTER: list[Cluster] = []  # the running cluster, if any
_PENDING_EXIT: list[tuple[str, int]] = []  # (message, return code) decided before configure


def current_backend() -> str:
    """Return ``"postgresql"`` when the suite runs against PostgreSQL, else ``"sqlite"``.

    Decided from ``SALESFLOW_TEST_DATABASE`` / ``DATABASE_URL`` so it works
    without touching Django's connection (e.g. in ``skipif`` conditions).
    """
    if os.environ.get("SALESFLOW_TEST_DATABASE", "").lower() in {"postgres", "postgresql"}:
        return "postgresql"
    if os.environ.get("DATABASE_URL", "").lower().startswith(("postgres://", "postgresql://", "pgsql://")):
        return "postgresql"
    return "sqlite"


def stop_cluster() -> None:
    """Stop the cluster (fast shutdown) and delete its directory; safe to call twice."""
    while _CLUSTER:
        _CLUSTER.pop().stop()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    """Start PostgreSQL and point DATABASE_URL at it before Django is configured."""
    if os.environ.get("SALESFLOW_TEST_DATABASE", "").lower() not in {"postgres", "postgresql"}:
        return
    if _CLUSTER:
        return
    bindir = find_pg_bindir()
    if bindir is None:
        if os.environ.get("SALESFLOW_REQUIRE_POSTGRES") == "1":
            _PENDING_EXIT.append(
                ("PostgreSQL required (SALESFLOW_REQUIRE_POSTGRES=1) but initdb/pg_ctl not found", 1)
            )
        else:
            _PENDING_EXIT.append(
                ("skipped: PostgreSQL binaries not found (install postgresql to run the PostgreSQL pass)", 0)
            )
        return
    try:
        cluster = start_cluster(bindir)
    except Exception as exc:  # noqa: BLE001 - report any start-up failure as a clean exit
        _PENDING_EXIT.append((f"could not start the throw-away PostgreSQL cluster: {exc}", 1))
        return
    _CLUSTER.append(cluster)
    atexit.register(stop_cluster)
    os.environ["DATABASE_URL"] = cluster.url


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """End the run cleanly when the PostgreSQL pass cannot run.

    ``pytest.exit`` raised during ``pytest_load_initial_conftests`` escapes as
    a traceback with exit code 1, so the decision is carried over to here,
    where pytest honours the requested return code.
    """
    if _PENDING_EXIT:
        message, returncode = _PENDING_EXIT[0]
        pytest.exit(message, returncode=returncode)


def pytest_report_header(config: pytest.Config) -> str | None:
    """Show which database backend this run uses."""
    if _CLUSTER:
        cluster = _CLUSTER[0]
        return f"database: PostgreSQL (throw-away cluster, {cluster.bindir}, socket {cluster.sockdir})"
    return f"database: {current_backend()}"


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the cluster when pytest is done."""
    stop_cluster()
