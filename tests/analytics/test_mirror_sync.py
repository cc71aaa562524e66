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
