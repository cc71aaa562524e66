"""The benchmark harness runs end to end (tiny numbers, no time thresholds: speed lives in benchmarks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import __main__ as bench
from benchmarks import report
from salesflow.devtools import pgcluster

REPO_ROOT = Path(__file__).resolve().parent.parent


def run_worker(tmp_path: Path, *options: str) -> dict[str, Any]:
    database = tmp_path / "bench.sqlite3"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", "--database-url", f"sqlite:///{database}", *options],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_move_worker_reports_positive_rates_for_engine_and_bare_insert(tmp_path: Path) -> None:
    result = run_worker(tmp_path, "--moves", "20", "--rounds", "1")

    assert result["backend"] == "sqlite"
    assert result["server_version"]
    assert (result["moves"], result["rounds"]) == (20, 1)
    assert set(result["scenarios"]) == {"forward", "backward", "field", "activity"}
    forward = result["scenarios"]["forward"]
    assert forward["event_kinds"] == ["decision_made", "stage_changed"]
    assert result["scenarios"]["backward"]["event_kinds"] == ["stage_changed"]
    assert result["scenarios"]["field"]["events_per_move"] >= 1
    assert result["scenarios"]["activity"]["events_per_move"] >= 1
    for scenario in result["scenarios"].values():
        assert scenario["queries_per_move"]["engine"] > scenario["queries_per_move"]["bare"] > 0
        for side in ("engine", "bare"):
            rates = scenario[side]
            assert set(rates) == {"seconds", "moves_per_s", "events_per_s"}
            assert len(rates["moves_per_s"]) == 1
            assert rates["moves_per_s"][0] > 0
            assert rates["events_per_s"][0] == pytest.approx(rates["moves_per_s"][0] * scenario["events_per_move"])
        assert scenario["overhead"][0] == pytest.approx(
            scenario["bare"]["moves_per_s"][0] / scenario["engine"]["moves_per_s"][0])


def test_demo_worker_reports_actions_per_second(tmp_path: Path) -> None:
    result = run_worker(tmp_path, "--demo", "3", "--rounds", "2")

    assert (result["opportunities"], result["rounds"]) == (3, 2)
    assert result["actions"] > 3  # at least the creations plus some history
    assert len(result["actions_per_s"]) == 2
    assert all(rate > 0 for rate in result["actions_per_s"])


def test_missing_postgres_binaries_give_a_skipped_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pgcluster, "find_pg_bindir", lambda: None)

    result = bench.on_postgres(["--moves", "1", "--rounds", "1"])

    assert result["skipped"].startswith("skipped: PostgreSQL binaries not found")
    table = "\n".join(report.moves_table({"postgresql": result}, "forward", "title"))
    assert "postgresql  skipped: PostgreSQL binaries not found" in table
