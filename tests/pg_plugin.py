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

The cluster is stopped and its directory removed at exit. When the binaries
are missing the run ends early: with exit code 1 if
``SALESFLOW_REQUIRE_POSTGRES=1``, otherwise with exit code 0 and a message.
When running as root, the server runs as the ``postgres`` user through
``runuser``.
"""

from __future__ import annotations

import atexit
import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

_STATE: dict[str, object] = {}
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


def _version_key(path: str) -> tuple[int, ...]:
    """Sort key for ``/usr/lib/postgresql/<version>/bin`` paths (numeric versions)."""
    match = re.search(r"/postgresql/([0-9.]+)/bin", path)
    return tuple(int(p) for p in match.group(1).split(".") if p) if match else ()


def find_pg_bindir() -> Path | None:
    """Return the directory holding both ``initdb`` and ``pg_ctl``, or ``None``.

    PATH wins; otherwise the newest ``/usr/lib/postgresql/*/bin`` is used.
    """
    initdb = shutil.which("initdb")
    if initdb:
        bindir = Path(os.path.realpath(initdb)).parent
        if (bindir / "pg_ctl").exists():
            return bindir
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for candidate in candidates:
        bindir = Path(candidate)
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


def _free_port() -> int:
    """Ask the kernel for a currently free TCP port number (used for the socket file name)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    """Prefix ``cmd`` with ``runuser -u postgres --`` when running as root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str], what: str) -> None:
    """Run a PostgreSQL tool, raising ``RuntimeError`` with its output when it fails."""
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")


def start_cluster(bindir: Path) -> dict[str, object]:
    """Create and start a throw-away cluster; return its state (dir, socket dir, port, bindir).

    On failure everything created so far is removed again and ``RuntimeError``
    is raised with the tools' output and the tail of the server log.
    """
    root = Path(tempfile.mkdtemp(prefix="salesflow-pg-"))
    datadir = root / "data"
    sockdir = root / "sock"
    logfile = root / "server.log"
    state: dict[str, object] = {"root": root, "datadir": datadir, "sockdir": sockdir, "bindir": bindir}
    try:
        sockdir.mkdir()
        if os.geteuid() == 0:
            os.chmod(root, 0o755)
            for path in (root, sockdir):
                shutil.chown(path, "postgres", "postgres")
        initdb = [str(bindir / "initdb"), "-D", str(datadir), "--auth=trust", "-U", "postgres"]
        initdb += ["--encoding=UTF8", "--locale=C", "--no-sync"]
        _run(_as_postgres(initdb), "initdb")
        last_error: Exception | None = None
        for _attempt in range(5):
            port = _free_port()
            opts = (
                f"-k {sockdir} -p {port} -c listen_addresses='' -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off"
            )
            pg_ctl = [str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(logfile), "-o", opts]
            try:
                _run(_as_postgres([*pg_ctl, "-w", "-t", "60", "start"]), "pg_ctl start")
            except RuntimeError as exc:  # e.g. the port was taken meanwhile: try another one
                last_error = exc
                continue
            state["port"] = port
            _wait_ready(sockdir, port)
            return state
        raise RuntimeError(f"{last_error}\n--- server log ---\n{_tail(logfile)}")
    except BaseException:
        stop_cluster(state)
        raise


def _tail(path: Path, lines: int = 20) -> str:
    """Last ``lines`` lines of a text file, or a note that it is missing."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no {path.name})"


def _wait_ready(sockdir: Path, port: int, timeout: float = 30.0) -> None:
    """Poll until the server accepts a connection on its unix socket."""
    import psycopg  # local import: only needed for the PostgreSQL pass

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(host=str(sockdir), port=port, user="postgres", dbname="postgres"):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop_cluster(state: dict[str, object] | None = None) -> None:
    """Stop the cluster (fast shutdown) and delete its directory; safe to call twice."""
    state = state if state is not None else _STATE
    root = state.get("root")
    if not root:
        return
    bindir = state["bindir"]
    datadir = state["datadir"]
    if Path(str(datadir), "postmaster.pid").exists():
        subprocess.run(
            _as_postgres([str(Path(str(bindir)) / "pg_ctl"), "-D", str(datadir), "-m", "fast", "-w", "stop"]),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    shutil.rmtree(str(root), ignore_errors=True)
    state.clear()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    """Start PostgreSQL and point DATABASE_URL at it before Django is configured."""
    if os.environ.get("SALESFLOW_TEST_DATABASE", "").lower() not in {"postgres", "postgresql"}:
        return
    if _STATE.get("root"):
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
        state = start_cluster(bindir)
    except Exception as exc:  # noqa: BLE001 - report any start-up failure as a clean exit
        _PENDING_EXIT.append((f"could not start the throw-away PostgreSQL cluster: {exc}", 1))
        return
    _STATE.update(state)
    atexit.register(stop_cluster)
    os.environ["DATABASE_URL"] = f"postgres://postgres@:{state['port']}/salesflow?host={state['sockdir']}"


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
    if _STATE.get("root"):
        return f"database: PostgreSQL (throw-away cluster, {_STATE['bindir']}, socket {_STATE['sockdir']})"
    return f"database: {current_backend()}"


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the cluster when pytest is done."""
    stop_cluster()
