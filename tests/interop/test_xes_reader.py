"""The XES reader: streaming, tolerant of real-world files, UTC timestamps, clear errors."""

from __future__ import annotations

import datetime
import gzip
from pathlib import Path

import pytest

from salesflow.interop.xes import XesError, iter_xes, parse_timestamp, read_xes_table
from tests.interop.conftest import shared

UTC = datetime.UTC


def write(path: Path, body: str, namespace: bool = True) -> Path:
    xmlns = ' xmlns="http://www.xes-standard.org/"' if namespace else ""
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0"{xmlns}>{body}</log>',
                    encoding="utf-8")
    return path


def test_running_example_is_read_in_file_order_with_utc_timestamps() -> None:
    events = list(iter_xes(shared("eventlogs/running-example.xes")))
    assert len(events) == 42
    assert len({event.case for event in events}) == 6
    first = events[0]
    assert (first.case, first.activity, first.resource) == ("3", "register request", "Pete")
    # 2010-12-30T14:32:00.000+01:00 in the file
    assert first.timestamp == datetime.datetime(2010, 12, 30, 13, 32, tzinfo=UTC)
    assert first.attributes == {"Activity": "register request", "Resource": "Pete", "Costs": "50"}
    assert first.trace_attributes["concept:name"] == "3"
    assert [event.event_index for event in events[:3]] == [0, 1, 2]


def test_table_has_the_analysis_columns(tmp_path: Path) -> None:
    table = read_xes_table(shared("eventlogs/running-example.xes"))
    assert table.column_names == ["case", "activity", "timestamp", "resource"]
    assert table.num_rows == 42
    assert str(table.schema.field("timestamp").type) == "timestamp[us, tz=UTC]"
    assert table.column("case")[0].as_py() == "3"
    assert table.column("timestamp")[0].as_py() == datetime.datetime(2010, 12, 30, 13, 32, tzinfo=UTC)


def test_missing_timestamp_names_trace_and_event(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.xes", """
      <trace><string key="concept:name" value="c1"/>
        <event><string key="concept:name" value="a"/><date key="time:timestamp" value="2024-01-01T10:00:00Z"/></event>
        <event><string key="concept:name" value="b"/></event>
      </trace>""")
    with pytest.raises(XesError, match=r"trace 0 \(case c1\), event 1 has no time:timestamp"):
        list(iter_xes(path))
    with pytest.raises(XesError, match=r"event 1 has no time:timestamp"):
        read_xes_table(path)


def test_quirks_unknown_types_zones_no_namespace_trace_name_after_events(tmp_path: Path) -> None:
    path = write(tmp_path / "quirky.xes", """
      <trace>
        <event><string key="concept:name" value="a"/><date key="time:timestamp" value="2024-01-01T12:00:00+02:00"/>
          <weird key="colour" value="blue"/><int key="n" value="7"/><float key="x" value="1.5"/>
          <boolean key="ok" value="true"/><string key="meta" value="m"><string key="nested" value="skipped"/></string>
          <list key="tags"><values><string key="t" value="one"/><string key="t" value="two"/></values></list>
        </event>
        <event><string key="concept:name" value="b"/><date key="time:timestamp" value="2024-01-01T10:00:00"/></event>
        <string key="concept:name" value="late-name"/>
      </trace>
      <trace><event><string key="concept:name" value="c"/><date key="time:timestamp" value="2024-01-02T00:00:00.1234567Z"/></event></trace>
    """, namespace=False)
    first, second, third = iter_xes(path)
    assert first.case == second.case == "late-name"
    assert first.timestamp == datetime.datetime(2024, 1, 1, 10, 0, tzinfo=UTC)
    assert second.timestamp == datetime.datetime(2024, 1, 1, 10, 0, tzinfo=UTC)  # no zone: UTC
    assert first.attributes == {"colour": "blue", "n": 7, "x": 1.5, "ok": True, "meta": "m", "tags": ["one", "two"]}
    assert third.case == "trace-1"
    assert third.timestamp == datetime.datetime(2024, 1, 2, 0, 0, 0, 123456, tzinfo=UTC)


def test_gzip_is_recognised_whatever_the_name(tmp_path: Path) -> None:
    plain = shared("eventlogs/running-example.xes").read_bytes()
    packed = tmp_path / "log.xes"
    packed.write_bytes(gzip.compress(plain))
    assert len(list(iter_xes(packed))) == 42


def test_not_xml_and_missing_file_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xes"
    bad.write_text("<log><trace></log>", encoding="utf-8")
    with pytest.raises(XesError, match=r"bad.xes:1: not well-formed XML"):
        list(iter_xes(bad))
    with pytest.raises(XesError, match="no such file"):
        list(iter_xes(tmp_path / "missing.xes"))


def test_timestamps_normalised_to_utc() -> None:
    assert parse_timestamp("2011-10-01T00:38:44.546+02:00") == datetime.datetime(2011, 9, 30, 22, 38, 44, 546000,
                                                                                 tzinfo=UTC)
    assert parse_timestamp("2011-10-01T00:38:44Z").tzinfo == UTC
    assert parse_timestamp("2011-10-01T00:38:44.5-05:00").hour == 5
