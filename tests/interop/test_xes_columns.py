"""The field-specific XES column reader gives the events the general (expat) reader gives."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from salesflow.interop import xes
from salesflow.interop.xes_columns import read_xes_columns
from tests.interop.conftest import shared


def general(path: Path) -> pa.Table:
    """The general reader's table (the column reader switched off)."""
    import salesflow.interop.xes_columns as columns

    saved = columns.read_xes_columns
    columns.read_xes_columns = lambda *args, **kwargs: None
    try:
        return xes.read_xes_table(path)
    finally:
        columns.read_xes_columns = saved


@pytest.mark.parametrize("name", ["eventlogs/bpic2012.xes.gz", "eventlogs/helpdesk.xes.gz",
                                  "eventlogs/running-example.xes"])
def test_same_events_as_the_general_reader_on_real_logs(name):
    path = shared(name)
    fast = read_xes_columns(path)
    assert fast is not None, "the column reader should read this file itself"
    assert fast.equals(general(path))


def test_entities_are_replaced_and_unusual_shapes_fall_back(tmp_path):
    path = tmp_path / "log.xes"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n<trace>'
                    '<string key="concept:name" value="a&amp;b"/>\n<event><string key="concept:name" '
                    'value="x &lt; y"/><date key="time:timestamp" value="2024-01-01T10:00:00+01:00"/></event>'
                    '</trace>\n</log>\n', encoding="utf-8")
    fast = read_xes_columns(path)
    assert fast is not None and fast.equals(general(path))
    assert fast.column("case")[0].as_py() == "a&b" and fast.column("activity")[0].as_py() == "x < y"
    path.write_text(path.read_text(encoding="utf-8").replace("<event>", "<event><!-- c --><list key=\"l\"></list>"),
                    encoding="utf-8")
    assert read_xes_columns(path) is None
    assert general(path).num_rows == 1
