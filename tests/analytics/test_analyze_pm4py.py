"""``analyze`` gives the numbers pm4py computes on the same generated logs (XES and CSV).

pm4py (AGPL) is a dev dependency only; these tests skip when it is not installed.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import pytest

from salesflow.analytics.logs import analyze_file

pm4py = pytest.importorskip("pm4py", reason="pm4py is not installed (pip install -e '.[dev]')")
pd = pytest.importorskip("pandas")

ACTIVITIES = ["register", "check", "offer", "negotiate", "sign", "reject"]
START = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)


def generate(cases: int, seed: int) -> list[tuple[str, str, datetime.datetime]]:
    """Random events; about a fifth of the gaps are zero (equal timestamps keep their file order)."""
    rng = random.Random(seed)
    events = []
    for number in range(cases):
        at = START + datetime.timedelta(seconds=rng.randrange(10**7))
        for _ in range(rng.randint(1, 8)):
            events.append((f"case-{number}", rng.choice(ACTIVITIES), at))
            at += datetime.timedelta(seconds=0 if rng.random() < 0.2 else rng.randrange(1, 200000))
    rng.shuffle(events)  # interleave cases; the order within a case with equal timestamps is the file's
    return events


def write_csv(events: list, path: Path) -> None:
    lines = ["case,activity,timestamp"] + [f"{case},{activity},{at.isoformat()}" for case, activity, at in events]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_xes(events: list, path: Path) -> None:
    """Traces list their events in time order (as XES logs do); equal timestamps in generated order."""
    traces: dict[str, list] = {}
    for case, activity, at in events:
        traces.setdefault(case, []).append((activity, at))
    traces = {case: sorted(items, key=lambda item: item[1]) for case, items in traces.items()}
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">']
    for case, items in traces.items():
        parts.append(f'<trace><string key="concept:name" value={quoteattr(case)}/>')
        for activity, at in items:
            parts.append(f'<event><string key="concept:name" value={quoteattr(activity)}/>'
                         f'<date key="time:timestamp" value="{at.isoformat()}"/></event>')
        parts.append("</trace>")
    parts.append("</log>")
    path.write_text("\n".join(parts), encoding="utf-8")


def pm4py_numbers(frame: object) -> dict[str, object]:
    dfg, starts, ends = pm4py.discover_dfg(frame)
    performance, _, _ = pm4py.discover_performance_dfg(frame)
    durations = pm4py.get_all_case_durations(frame)
    return {"dfg": dict(dfg), "performance": performance, "starts": dict(starts), "ends": dict(ends),
            "variants": len(pm4py.get_variants(frame)), "durations": durations,
            "events": len(frame), "cases": frame["case:concept:name"].nunique(),
            "activities": frame["concept:name"].value_counts().to_dict()}


def assert_equal(ours: dict, theirs: dict) -> None:
    assert ours["events"] == theirs["events"] and ours["cases"] == theirs["cases"]
    assert ours["activities"] == theirs["activities"]
    assert ours["variants"] == theirs["variants"]
    assert ours["start_activities"] == theirs["starts"] and ours["end_activities"] == theirs["ends"]
    edges = {(edge["from"], edge["to"]): edge for edge in ours["dfg"]}
    assert {pair: edge["count"] for pair, edge in edges.items()} == theirs["dfg"]
    for pair, values in theirs["performance"].items():
        assert edges[pair]["mean_seconds"] == pytest.approx(values["mean"], abs=1)
        assert edges[pair]["median_seconds"] == pytest.approx(values["median"], abs=1)
    durations = np.array(theirs["durations"], dtype=float)
    assert ours["case_duration"]["mean_seconds"] == pytest.approx(durations.mean(), abs=1)
    assert ours["case_duration"]["median_seconds"] == pytest.approx(np.median(durations), abs=1)
    assert ours["case_duration"]["p90_seconds"] == pytest.approx(np.percentile(durations, 90), abs=1)


@pytest.mark.parametrize("seed", [1, 2])
def test_csv_log_equals_pm4py(tmp_path, seed):
    path = tmp_path / "log.csv"
    write_csv(generate(400, seed), path)
    frame = pm4py.format_dataframe(pd.read_csv(path), case_id="case", activity_key="activity",
                                   timestamp_key="timestamp")
    assert_equal(analyze_file(path), pm4py_numbers(frame))


def test_xes_log_equals_pm4py(tmp_path):
    path = tmp_path / "log.xes"
    write_xes(generate(300, 5), path)
    assert_equal(analyze_file(path), pm4py_numbers(pm4py.read_xes(str(path))))


def test_renamed_csv_columns(tmp_path):
    path = tmp_path / "renamed.csv"
    path.write_text("id,step,when\nx,a,2024-01-01T00:00:00Z\nx,b,2024-01-01T01:00:00Z\n", encoding="utf-8")
    result = analyze_file(path, case="id", activity="step", timestamp="when")
    assert result["dfg"] == [{"from": "a", "to": "b", "count": 1, "mean_seconds": 3600.0, "median_seconds": 3600.0}]
