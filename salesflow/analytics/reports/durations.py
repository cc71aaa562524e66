"""Durations: time in stage and cycle time, and how often a stage's time limit (``max_days``) was exceeded.

Scope: records created within ``--from/--to``. Time in stage is measured over completed stays
(entered and left again); a record still in a stage counts in ``open`` and — once it is longer
there than ``max_days`` — in ``over_limit``. ``share_over`` = over_limit / stays (stays of stages
with a limit). Cycle time: from creation to Won or Lost. Quantiles are continuous (interpolated).
"""

from __future__ import annotations

from typing import Any

from salesflow.analytics.reports import tables
from salesflow.analytics.reports.base import (
    NONE_LABEL,
    SECONDS_PER_DAY,
    Column,
    Data,
    Params,
    Report,
    Table,
    days,
    index_rows,
    ratio,
    seconds_between,
)
from salesflow.engine.texts import N_


def _stats(column: Any, where: Any = None) -> dict[str, Any]:
    return {
        "median": column.quantile(0.5, where=where),
        "p75": column.quantile(0.75, where=where),
        "p90": column.quantile(0.9, where=where),
        "mean": column.mean(where=where),
    }


def durations(data: Data, params: Params) -> Report:
    """The durations report."""
    records = tables.grouped(data, tables.scoped_records(data, params), params.by)
    keys = records.select("record_id", "group")
    visits = tables.open_stage_visits(data)
    visits = visits.join(keys, "record_id")
    limit_seconds = visits.max_days.cast("float64") * SECONDS_PER_DAY
    over = visits.max_days.notnull() & (visits.seconds > limit_seconds)
    per_stage = visits.group_by(["group", "process", "stage"]).agg(
        stays=visits.count(),
        completed=visits.count(where=visits.completed),
        open=visits.count(where=~visits.completed),
        limited=visits.count(where=visits.max_days.notnull()),
        over_limit=visits.count(where=over),
        max_days=visits.max_days.max(),
        **_stats(visits.seconds, visits.completed),
    )
    closed = records.filter(records.outcome.notnull() & records.closed_at.notnull())
    closed = closed.mutate(seconds=seconds_between(closed.closed_at, closed.created_at))
    cycle = closed.group_by(["group", "process", "outcome"]).agg(records=closed.count(), **_stats(closed.seconds))

    stage_rows = index_rows(data.rows(per_stage), "group", "process", "stage")
    rows: list[dict[str, Any]] = []
    groups = sorted({(key[1], key[0]) for key in stage_rows}, key=lambda item: (item[0], item[1] == NONE_LABEL,
                                                                                    item[1]))
    for process, group in groups:
        for stage in data.catalog.stage_order(process):
            if stage.outcome is not None:
                continue
            found = stage_rows.get((group, process, stage.stage))
            if not found:
                continue
            rows.append({
                "group": group, "process": process, "stage": stage.stage, "stage_title": stage.title,
                "stays": found["stays"], "completed": found["completed"], "open": found["open"],
                "median_days": days(found["median"]), "p75_days": days(found["p75"]),
                "p90_days": days(found["p90"]), "mean_days": days(found["mean"]),
                "max_days": found["max_days"], "over_limit": found["over_limit"],
                "share_over": ratio(found["over_limit"], found["limited"]),
            })
    cycle_rows = [{
        "group": row["group"], "process": row["process"], "outcome": row["outcome"], "records": row["records"],
        "median_days": days(row["median"]), "p75_days": days(row["p75"]), "p90_days": days(row["p90"]),
        "mean_days": days(row["mean"]),
    } for row in sorted(data.rows(cycle), key=lambda row: (row["process"], row["group"] == NONE_LABEL, row["group"],
                                                            row["outcome"]))]
    stats = [Column("median_days", N_("Median (days)"), "days"), Column("p75_days", N_("P75 (days)"), "days"),
             Column("p90_days", N_("P90 (days)"), "days"), Column("mean_days", N_("Mean (days)"), "days")]
    stage_columns = [Column("group", N_("Group")), Column("process", N_("Process")), Column("stage", N_("Stage")),
                     Column("stays", N_("Stays"), "int"), Column("completed", N_("Completed"), "int"),
                     Column("open", N_("Still there"), "int"), *stats, Column("max_days", N_("Limit (days)"), "int"),
                     Column("over_limit", N_("Over limit"), "int"), Column("share_over", N_("Share over limit"), "pct")]
    cycle_columns = [Column("group", N_("Group")), Column("process", N_("Process")), Column("outcome", N_("Outcome")),
                     Column("records", N_("Records"), "int"), *stats]
    over_total = sum(row["over_limit"] for row in rows)
    stays_total = sum(row["stays"] for row in rows if row["max_days"] is not None)
    main = data.catalog.main_process(params.process)
    main_cycles = [row for row in cycle_rows if row["process"] == main and params.by is None]
    summary = {"stays": sum(row["stays"] for row in rows), "over_limit": over_total,
               "share_over": ratio(over_total, stays_total), "cycle_process": main,
               "cycle_won_median_days": next((row["median_days"] for row in main_cycles
                                              if row["outcome"] == "won"), None),
               "cycle_lost_median_days": next((row["median_days"] for row in main_cycles
                                               if row["outcome"] == "lost"), None)}
    return Report("durations", N_("Time in stage and cycle time"), params.to_data(), summary,
                  {"stages": Table(stage_columns, rows, N_("Time in stage")),
                   "cycle": Table(cycle_columns, cycle_rows, N_("Cycle time to Won / Lost"))},
                  notes=[N_("Durations in days; measured at %(moment)s for stays still running.", moment=data.now)])

