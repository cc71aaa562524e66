"""The analytics benchmark harness works end to end on tiny inputs (speed itself lives in benchmarks/)."""

from __future__ import annotations

from benchmarks import analytics


def test_log_generation_and_analysis(tmp_path):
    path = tmp_path / "log.parquet"
    events = analytics.generate_log(200, path)
    assert 1000 <= events <= 3000
    result = analytics.run_ours(path)
    assert result["events"] == events and result["seconds"] > 0


def test_opportunity_generation_and_report_suite(tmp_path, db):
    path = tmp_path / "opportunities.duckdb"
    generated = analytics.generate_opportunities(300, path)
    assert generated["events"] > 300 * 3
    result = analytics.run_suite(path)
    assert set(result["per_kind"]) == {"funnel", "durations", "adherence", "winrate", "forecast", "waterfall",
                                      "slips", "stale", "lost-reasons", "calibration",
                                      "accuracy", "plan", "lead-to-win", "lead-to-order", "renewals",
                                      "mystery-shopping", "satisfaction", "tat", "coaching"}


def test_the_generation_worker_runs_in_its_own_process(tmp_path):
    """`python -m benchmarks --analytics` runs each step as a worker process: generating the opportunities
    there must work without the caller's Django set-up (it once failed and the table printed 0 events)."""
    generated = analytics.run("gen-opportunities", tmp_path / "opportunities.duckdb", 40)
    assert "error" not in generated, generated["error"]
    assert generated["opportunities"] == 40 and generated["events"] > 40 * 3
