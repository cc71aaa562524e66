"""BPIC 2012 (does not validate against the XSD) reads completely and fast."""

from __future__ import annotations

import time

from salesflow.interop.xes import iter_xes, read_xes_table
from tests.interop.conftest import shared


def test_bpic2012_reads_all_events_in_a_few_seconds() -> None:
    path = shared("eventlogs/bpic2012.xes.gz")
    started = time.process_time()
    table = read_xes_table(path)
    elapsed = time.process_time() - started
    assert table.num_rows == 262_200
    assert len(set(table.column("case").to_pylist())) == 13_087
    assert elapsed < 15, f"reading BPIC 2012 took {elapsed:.1f} s of CPU"


def test_bpic2012_trace_attributes_are_typed() -> None:
    event = next(iter(iter_xes(shared("eventlogs/bpic2012.xes.gz"))))
    assert event.case == "173688"
    assert event.activity == "A_SUBMITTED"
    assert event.lifecycle == "COMPLETE"
    assert event.trace_attributes["AMOUNT_REQ"] == "20000"
    assert event.trace_attributes["REG_DATE"].tzinfo is not None
