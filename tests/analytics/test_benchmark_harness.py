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
