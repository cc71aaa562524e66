"""A throw-away PostgreSQL cluster for tests and benchmarks.

`start_cluster` finds ``initdb``/``pg_ctl`` (on PATH or the newest ``/usr/lib/postgresql/*/bin``),
creates a cluster in a fresh temporary directory (trust auth, user ``postgres``, UTF8, C locale,
fsync off) listening only on a unix socket, starts it on a free port and waits until it accepts
connections. `Cluster.stop` stops it and removes the directory. When running as root, the tools
run as the ``postgres`` user through ``runuser -u postgres --``.

Framework-free: importing this module does not touch Django (``psycopg`` is imported only when a
cluster is started).
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DBNAME = "salesflow"


class PostgresNotFound(RuntimeError):
    """``initdb``/``pg_ctl`` are neither on PATH nor under ``/usr/lib/postgresql/*/bin``."""


@dataclass
class Cluster:
    """A running throw-away cluster. ``url`` names the database ``dbname`` (not created by default)."""

    root: Path
    datadir: Path
    sockdir: Path
    bindir: Path
    port: int = 0
    dbname: str = DEFAULT_DBNAME

    @property
    def url(self) -> str:
        """``postgres://postgres@:<port>/<dbname>?host=<socket dir>`` (a DATABASE_URL for Salesflow)."""
        return f"postgres://postgres@:{self.port}/{self.dbname}?host={self.sockdir}"

    def create_database(self) -> str:
        """Create the database ``dbname`` (UTF8) and return `url`."""
        import psycopg

        with psycopg.connect(host=str(self.sockdir), port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.dbname}" ENCODING \'UTF8\'')
        return self.url

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory; safe to call twice."""
        if not self.root.exists():
            return
        if (self.datadir / "postmaster.pid").exists():
            subprocess.run(
                as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"]),
                capture_output=True,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        shutil.rmtree(str(self.root), ignore_errors=True)


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


def as_postgres(cmd: list[str]) -> list[str]:
    """Prefix ``cmd`` with ``runuser -u postgres --`` when running as root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _run(cmd: list[str], what: str) -> None:
    """Run a PostgreSQL tool, raising ``RuntimeError`` with its output when it fails."""
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}")


def _tail(path: Path, lines: int = 20) -> str:
    """Last ``lines`` lines of a text file, or a note that it is missing."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no {path.name})"


def _wait_ready(sockdir: Path, port: int, timeout: float = 30.0) -> None:
    """Poll until the server accepts a connection on its unix socket."""
    import psycopg  # local import: only needed when a cluster is started

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(host=str(sockdir), port=port, user="postgres", dbname="postgres"):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def start_cluster(bindir: Path | None = None, dbname: str = DEFAULT_DBNAME) -> Cluster:
    """Create and start a throw-away cluster (binaries from ``bindir`` or `find_pg_bindir`).

    Raises `PostgresNotFound` when no binaries are found. On any other failure everything created
    so far is removed again and ``RuntimeError`` is raised with the tools' output and the tail of
    the server log.
    """
    if bindir is None:
        bindir = find_pg_bindir()
        if bindir is None:
            raise PostgresNotFound("PostgreSQL binaries not found (initdb/pg_ctl neither on PATH nor under "
                                   "/usr/lib/postgresql/*/bin)")
    root = Path(tempfile.mkdtemp(prefix="salesflow-pg-"))
    cluster = Cluster(root=root, datadir=root / "data", sockdir=root / "sock", bindir=bindir, dbname=dbname)
    logfile = root / "server.log"
    try:
        cluster.sockdir.mkdir()
        if os.geteuid() == 0:
            os.chmod(root, 0o755)
            for path in (root, cluster.sockdir):
                shutil.chown(path, "postgres", "postgres")
        initdb = [str(bindir / "initdb"), "-D", str(cluster.datadir), "--auth=trust", "-U", "postgres"]
        initdb += ["--encoding=UTF8", "--locale=C", "--no-sync"]
        _run(as_postgres(initdb), "initdb")
        last_error: Exception | None = None
        for _attempt in range(5):
            port = _free_port()
            opts = (
                f"-k {cluster.sockdir} -p {port} -c listen_addresses='' -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off"
            )
            pg_ctl = [str(bindir / "pg_ctl"), "-D", str(cluster.datadir), "-l", str(logfile), "-o", opts]
            try:
                _run(as_postgres([*pg_ctl, "-w", "-t", "60", "start"]), "pg_ctl start")
            except RuntimeError as exc:  # e.g. the port was taken meanwhile: try another one
                last_error = exc
                continue
            cluster.port = port
            _wait_ready(cluster.sockdir, port)
            return cluster
        raise RuntimeError(f"{last_error}\n--- server log ---\n{_tail(logfile)}")
    except BaseException:
        cluster.stop()
        raise
