"""``python -m benchmarks --sqlite-synchronous FULL`` joins single-round worker results into one row per level."""

from __future__ import annotations

from benchmarks.__main__ import merge_rounds


def test_single_round_results_are_joined() -> None:
    def run(rate: float) -> dict:
        return {"backend": "sqlite", "scenarios": {"forward": {"engine": {"moves_per_s": [rate]},
                                                               "queries_per_move": {"engine": 7, "bare": 4}}}}

    merged = merge_rounds([run(10.0), run(12.0), run(11.0)])
    assert merged["scenarios"]["forward"]["engine"]["moves_per_s"] == [10.0, 12.0, 11.0]
    assert merged["scenarios"]["forward"]["queries_per_move"] == {"engine": 7, "bare": 4}
    assert merge_rounds([run(1.0), {"error": "failed: worker"}]) == {"error": "failed: worker"}
