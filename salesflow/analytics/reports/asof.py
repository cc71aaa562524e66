"""As-of reconstruction: the state of every record at past instants, from the events up to each instant.

`state_as_of` takes a table of instants (``snap_id``, ``t``) and returns one row per (instant,
record created by then) with the record's process, version, stage (and when it was entered), owner,
amount, close date, type and probability override as they were at ``t`` — the last value an event
at or before ``t`` gave each of them (in log order). A stage change clears the probability override,
as the engine does. One query for any number of instants, so weekly forecast snapshots of a whole
history are rebuilt at once.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def state_as_of(history: ir.Table, times: ir.Table) -> ir.Table:
    """Per (snap_id, record_id): process, version, stage, stage_at, owner_id, amount, close_date, type,
    probability_override — as they were at each ``t`` of ``times`` (``history``: `tables.value_history`).

    The last change of each field by each ``t`` is found by grouping (max seq) and joining back —
    hash operations, no sorting window over the whole history.
    """
    joined = history.join(times, history["at"] <= times.t)
    latest = joined.group_by(["snap_id", "record_id", "field"]).agg(last_seq=joined.seq.max())
    values = history.select("record_id", "field", "seq", "process", "version", "at", "text", "number")
    last = latest.join(values, [latest.record_id == values.record_id, latest.field == values.field,
                                latest.last_seq == values.seq])
    field = last.field
    return last.group_by(["snap_id", "record_id"]).agg(
        process=last.process.max(),
        version=last.version.max(),
        stage=last.text.max(where=field == "stage"),
        stage_at=last["at"].max(where=field == "stage"),
        owner_id=last.number.max(where=field == "owner").cast("int64"),
        amount=last.text.max(where=field == "amount").cast("float64"),
        close_date=last.text.max(where=field == "close_date").cast("date"),
        type=last.text.max(where=field == "type"),
        probability_override=last.number.max(where=field == "probability_override"),
    )


def instants(times: list[tuple[int, object]]) -> ir.Table:
    """A table of instants (snap_id, t) for `state_as_of`."""
    return ibis.memtable({"snap_id": [item[0] for item in times], "t": [item[1] for item in times]},
                         schema=ibis.schema({"snap_id": "int64", "t": "timestamp('UTC')"}))
