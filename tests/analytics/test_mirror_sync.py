"""The DuckDB mirror loads only the events appended since the last sync, and reloads a replaced log."""

from __future__ import annotations

from salesflow.analytics.source import DuckMirror
from tests.analytics.build import Opportunity


def test_incremental_and_replaced_log(people):
    mirror = DuckMirror()
    deal = Opportunity(people, "kam")
    first = mirror.sync()
    assert first > 0
    assert mirror.sync() == 0                                   # nothing new
    deal.qualify(3)
    assert mirror.sync() == 6                                   # 2 activities, 2 field changes, decision, move
    flat = mirror.raw.execute("SELECT count(*), count(DISTINCT seq) FROM flat_events").fetchone()
    assert flat[0] == flat[1]                                   # never loaded twice
    stays = mirror.raw.execute("SELECT stage, left_at IS NOT NULL FROM stage_visits ORDER BY seq").fetchall()
    assert stays == [("qualification", True), ("solution_design", False)]   # the first stay was closed
    mirror.raw.execute("UPDATE salesflow_sync SET last_hash = 'other'")    # as if the database was replaced
    assert mirror.sync() == first + 6
    assert mirror.raw.execute("SELECT count(*) FROM records_record").fetchone()[0] == 1


DERIVED_ORDER = {"flat_events": "seq", "value_history": "ALL", "stage_visits": "ALL", "norm_records": "record_id"}


def _derived(mirror: DuckMirror) -> dict[str, list[tuple]]:
    return {table: mirror.raw.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
            for table, order in DERIVED_ORDER.items()}


def test_synced_step_by_step_equals_loaded_at_once(people):
    """The derived tables extended sync after sync (statements compiled once) hold what one full load derives."""
    stepwise = DuckMirror()
    first = Opportunity(people, "kam")
    stepwise.sync()
    first.qualify(10)
    stepwise.sync()
    second = Opportunity(people, "kam", amount="250000")
    first.design(8)
    stepwise.sync()
    second.qualify(6).set(5, amount="260000")
    stepwise.sync()
    first.propose(4).win(2)
    second.lose(1)
    stepwise.sync()
    at_once = DuckMirror()
    at_once.sync()
    assert _derived(stepwise) == _derived(at_once)
    assert len(_derived(at_once)["stage_visits"]) > 4


def test_a_small_log_runs_on_one_duckdb_thread(people, monkeypatch):
    """Small logs: one DuckDB thread (less overhead, cores left to the web server); large ones: every core."""
    from salesflow.analytics import source

    Opportunity(people, "kam")
    mirror = DuckMirror()
    mirror.sync()
    assert mirror.raw.execute("SELECT current_setting('threads')").fetchone()[0] == 1
    monkeypatch.setattr(source, "SINGLE_THREAD_EVENTS", 1)
    monkeypatch.setattr(source.os, "cpu_count", lambda: 3)
    mirror.sync()                                              # nothing new: the size is checked all the same
    assert mirror.raw.execute("SELECT current_setting('threads')").fetchone()[0] == 3
