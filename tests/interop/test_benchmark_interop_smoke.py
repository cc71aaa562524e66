"""The import/export benchmark runs end to end on tiny numbers (speed itself lives in benchmarks/)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from benchmarks.interop import generate_export

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_generated_export_has_the_asked_sizes(tmp_path: Path) -> None:
    size = generate_export(tmp_path, 30, 100)
    assert size["opportunities"] == 30 and size["history_rows"] == 100
    with (tmp_path / "OpportunityHistory.csv").open(encoding="utf-8", newline="") as handle:
        assert sum(1 for _ in csv.reader(handle)) == 101


def test_benchmark_runs_on_sqlite(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "benchmarks.interop", "--opportunities", "40", "--history", "120",
                           "--only", "sqlite", "--no-pm4py", "--no-bpic"], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| backend"))
    row = next(line for line in lines if line.startswith("| sqlite"))
    cells = dict(zip((cell.strip() for cell in header.strip("|").split("|")),
                     (cell.strip() for cell in row.strip("|").split("|")), strict=True))
    assert cells["records"] == "40"  # records imported
    assert int(cells["events"]) >= 40
    assert float(cells["CPU s (this process)"]) >= 0
    verify_header = next(line for line in lines if line.startswith("| backend | events | checkpoint s"))
    verify_row = lines[lines.index(verify_header) + 2]
    verified = dict(zip((cell.strip() for cell in verify_header.strip("|").split("|")),
                        (cell.strip() for cell in verify_row.strip("|").split("|")), strict=True))
    assert verified["backend"] == "sqlite" and verified["ok"] == "True"
    assert verified["events"] == cells["events"] or int(verified["events"]) > int(cells["events"])
