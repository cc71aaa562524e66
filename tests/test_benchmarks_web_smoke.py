"""The web benchmark's board worker runs end to end (tiny numbers, no time thresholds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import web
from salesflow.devtools import pgcluster

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_board_worker_reports_milliseconds_per_page(tmp_path: Path) -> None:
    database = tmp_path / "bench.sqlite3"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.web", "--worker", "board", "--database-url", f"sqlite:///{database}",
         "--records", "200", "--requests", "2", "--rounds", "1"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr

    result = json.loads(proc.stdout)
    assert result["backend"] == "sqlite"
    assert result["server_version"]
    assert (result["records"], result["requests"], result["rounds"]) == (200, 2, 1)
    assert set(result["pages"]) == {"board", "records"}
    assert result["pages"]["records"]["url"] == "/records/?sort=-amount&page=7"
    for page in result["pages"].values():
        assert len(page["ms"]) == 1
        assert page["ms"][0] > 0


def test_missing_postgres_binaries_give_skipped_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pgcluster, "find_pg_bindir", lambda: None)

    result = web.on_postgres(["--records", "1"], ["--api-moves", "1"])

    assert result["board"]["skipped"].startswith("skipped: PostgreSQL binaries not found")
    assert result["api"]["skipped"].startswith("skipped: PostgreSQL binaries not found")


def test_dashboard_and_api_tables_name_their_targets() -> None:
    from benchmarks.dashboard import render_dashboard

    dashboard = {"rounds": 1, "panels": {"funnel": {"computed": [400.0], "cached": [20.0]},
                                          "report:adherence": {"computed": [600.0], "cached": [150.0]}},
                 "documents": {"pdf": {"anew": [1500.0], "cached": [5.0]}, "svg": {"anew": [50.0], "cached": [2.0]},
                               "audit_pack": {"anew": [9000.0], "cached": [2000.0]}},
                 "browser": {"first": [4000.0], "next": [300.0]}}
    text = "\n".join(render_dashboard(dashboard))
    assert "≤ 150" in text and "≤ 100" in text and "≤ 1000" in text and "≤ 5000" in text
    assert "NOT met" in text                                        # the adherence report's 150 ms > 100 ms
    api = {"gunicorn_workers": 2, "setups": {"before": "-k sync", "after": "-k gthread"},
           "rates": {"in_process": [100.0], "before": [30.0], "after": [60.0]}}
    lines = web.api_lines(api, {"api_moves": 10, "rounds": 1})
    assert any("60 %" in line and "met" in line for line in lines)
    assert any("30 %" in line and "NOT met" in line for line in lines)
