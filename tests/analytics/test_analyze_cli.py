"""``salesflow analyze``: external logs (CSV, Parquet) and the project's own log; bad input is exit 1."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from tests.analytics.build import Opportunity


def test_parquet_log(cli, tmp_path):
    path = tmp_path / "log.parquet"
    pq.write_table(pa.table({"case": ["1", "1", "2", "2", "2"], "activity": ["a", "b", "a", "b", "c"],
                             "timestamp": pa.array([0, 60_000_000, 0, 30_000_000, 90_000_000],
                                                   type=pa.timestamp("us", tz="UTC"))}), path)
    data = cli("analyze", path, "--format", "json").json()
    assert (data["cases"], data["events"], data["variants"]) == (2, 5, 2)
    assert data["start_activities"] == {"a": 2} and data["end_activities"] == {"b": 1, "c": 1}
    ab = next(edge for edge in data["dfg"] if (edge["from"], edge["to"]) == ("a", "b"))
    assert (ab["count"], ab["mean_seconds"], ab["median_seconds"]) == (2, 45.0, 45.0)
    assert data["case_duration"] == {"mean_seconds": 75.0, "median_seconds": 75.0, "p90_seconds": 87.0}


def test_own_log(cli, people):
    Opportunity(people, "kam").qualify(2).lose(5)
    Opportunity(people, "kam2").lose(1)
    data = cli("analyze", "--format", "json").json()
    assert data["cases"] == 2
    assert data["start_activities"] == {"stage: qualification": 2}
    assert data["end_activities"] == {"stage: lost": 2}
    assert cli("analyze").code == 0


def test_bad_logs(cli, tmp_path):
    missing = cli("analyze", tmp_path / "none.xes")
    assert missing.code == 1 and "no such file" in missing.err
    csv_file = tmp_path / "log.csv"
    csv_file.write_text("case,activity,time\n1,a,2024-01-01\n", encoding="utf-8")
    wrong = cli("analyze", csv_file)
    assert wrong.code == 1 and "no column 'timestamp'" in wrong.err and "--timestamp" in wrong.err
    csv_file.write_text("case,activity,timestamp\n1,a,yesterday\n", encoding="utf-8")
    bad_time = cli("analyze", csv_file)
    assert bad_time.code == 1 and "line 2, column 'timestamp'" in bad_time.err
    xes = tmp_path / "log.xes"
    xes.write_text("not xml at all", encoding="utf-8")
    assert cli("analyze", xes).code == 1
    other = tmp_path / "log.json"
    other.write_text("{}", encoding="utf-8")
    assert "unknown log format" in cli("analyze", other).err
