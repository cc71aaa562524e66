"""Salesflow's own event log as a process-mining log: one case per record, activities named from the events."""

from __future__ import annotations

from typing import Any

import ibis

from salesflow.analytics.logs import analyze_arrow
from salesflow.analytics.source import data_for


def activity_label(events: Any) -> Any:
    """The activity name of a flat event: the activity done, the stage entered, or the event kind."""
    return ibis.cases(
        (events.kind == "activity_done", events.activity),
        (events.kind.isin(["stage_changed", "record_created"]), "stage: " + events.to_stage),
        (events.kind == "decision_made", "decision: " + events.from_stage),
        else_=events.kind,
    )


def analyze_own_log(process: str | None = None, user: Any | None = None) -> dict[str, Any]:
    """`salesflow.analytics.logs.analyze_arrow` over the records' events (read through the DuckDB mirror)."""
    with data_for("duckdb", user) as data:
        events = data.events
        if process:
            events = events.filter(events.process == process)
        log = events.filter(events.kind != "record_closed").select(
            case=events.record_id.cast("string"), activity=activity_label(events), timestamp=events["at"],
            seq=events.seq).order_by("seq")
        return analyze_arrow(data.backend.to_pyarrow(log))
