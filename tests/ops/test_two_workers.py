"""Two `salesflow worker` processes on one database: one runs the jobs, the other stands by; both beat;
a clean stop is recorded; every job ran once (real subprocesses on a file database)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from .run import environment, fetch, free_port, salesflow, wait_until_up

JOBS = {"schedules", "forecast_snapshot", "forecast_lock", "audit_checkpoint", "mail_outbox", "mail_digest",
        "guideline_files"}


def _rows(var: Path, sql: str) -> list[tuple]:
    """Query the installation's database (SQLite in ``var``, or its PostgreSQL database on that pass)."""
    url = environment(var).get("DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url) as connection:
            return [tuple(row) for row in connection.execute(sql).fetchall()]
    with sqlite3.connect(var / "salesflow.sqlite3", timeout=20) as connection:
        return connection.execute(sql).fetchall()


def _wait(condition, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError("timed out")


def test_two_workers_one_runner(tmp_path: Path) -> None:
    var = tmp_path / "var"
    assert salesflow(var, "init", "--admin", "ada", "--email", "ada@example.com", "--processes", "none").returncode == 0
    db = var
    workers = [subprocess.Popen([sys.executable, "-m", "salesflow.cli", "worker", "--tick", "1"], env=environment(var),
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for _ in range(2)]
    port = free_port()
    server = None
    try:
        _wait(lambda: {row[0] for row in _rows(db, "SELECT job FROM ops_jobrun WHERE finished_at IS NOT NULL")} == JOBS)
        _wait(lambda: len(_rows(db, "SELECT worker FROM ops_workerheartbeat WHERE stopped_at IS NULL")) == 2)
        time.sleep(3)  # a few more ticks: the standby must not run anything
        runs = dict(_rows(db, "SELECT job, runs FROM ops_jobrun"))
        assert runs["forecast_snapshot"] == 1 and runs["schedules"] == 1 and runs["mail_digest"] == 1
        holders = _rows(db, "SELECT worker FROM ops_workerheartbeat WHERE holds_lease")
        assert len(holders) == 1

        server = subprocess.Popen([sys.executable, "-m", "salesflow.cli", "serve", "--bind", f"127.0.0.1:{port}",
                                   "--workers", "1"], env=environment(var), cwd=tmp_path, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        status, _headers, body = fetch(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and "worker: alive" in body.decode()
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = [worker.communicate(timeout=60)[0] for worker in workers]
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    assert all(worker.returncode == 0 for worker in workers), outputs
    assert sum("holding the lease" in output for output in outputs) == 1, outputs
    assert len(_rows(db, "SELECT worker FROM ops_workerheartbeat WHERE stopped_at IS NOT NULL")) == 2
    assert _rows(db, "SELECT holder FROM ops_workerlease") == [("",)]
