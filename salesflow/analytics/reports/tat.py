"""Turn-around time (TAT) of every step of every process: how long records stay in each open stage.

Scope: stays in the open stages of ``--process`` (default: every process) entered within ``--from/--to``.
``count`` stays; ``completed`` of them left the stage again; ``median_days`` / ``p90_days`` over the completed
stays (continuous quantiles); ``over_limit`` stays longer than the stage's ``max_days`` (a stay still running
counts once it is over); ``share_over`` = over_limit / count for stages with a limit (None without one). The
material and pre-sales processes are the seed's two TAT metrics; the report covers any process.
"""

from __future__ import annotations

from typing import Any

from salesflow.analytics.reports import tables
from salesflow.analytics.reports.base import SECONDS_PER_DAY, Column, Data, Params, Report, Table, days, ratio
from salesflow.engine.texts import N_


def tat(data: Data, params: Params) -> Report:
    """The TAT report: one row per process and step."""
    visits = tables.open_stage_visits(data)
    if params.process:
        visits = visits.filter(visits.process == params.process)
    visits = visits.filter(tables.in_range(visits.entered_at, params))
    over = visits.max_days.notnull() & (visits.seconds > visits.max_days.cast("float64") * SECONDS_PER_DAY)
    per_step = visits.group_by(["process", "stage"]).agg(
        count=visits.count(), completed=visits.count(where=visits.completed), over_limit=visits.count(where=over),
        median=visits.seconds.quantile(0.5, where=visits.completed),
        p90=visits.seconds.quantile(0.9, where=visits.completed))
    found = {(row["process"], row["stage"]): row for row in data.rows(per_step)}
    rows: list[dict[str, Any]] = []
    for process in sorted({key[0] for key in found}):
        for stage in data.catalog.stage_order(process):
            row = found.get((process, stage.stage))
            if row is None or stage.outcome is not None:
                continue
            rows.append({"process": process, "stage": stage.stage, "stage_title": stage.title, "step": f"{process}: {stage.title}",
                         "count": row["count"], "completed": row["completed"],
                         "median_days": days(row["median"]), "p90_days": days(row["p90"]),
                         "max_days": stage.max_days, "over_limit": row["over_limit"] if stage.max_days is not None
                         else None,
                         "share_over": ratio(row["over_limit"], row["count"]) if stage.max_days is not None
                         else None})
    limited = [row for row in rows if row["max_days"] is not None]
    over_total = sum(row["over_limit"] for row in limited)
    summary = {"steps": len(rows), "stays": sum(row["count"] for row in rows), "over_limit": over_total,
               "share_over": ratio(over_total, sum(row["count"] for row in limited))}
    columns = [Column("process", N_("Process")), Column("stage", N_("Step")), Column("count", N_("Count"), "int"),
               Column("completed", N_("Completed"), "int"), Column("median_days", N_("Median (days)"), "days"),
               Column("p90_days", N_("P90 (days)"), "days"), Column("max_days", N_("Limit (days)"), "int"),
               Column("over_limit", N_("Over limit"), "int"), Column("share_over", N_("Share over limit"), "pct")]
    return Report("tat", N_("Turn-around time per step"), params.to_data(), summary,
                  {"steps": Table(columns, rows, N_("Turn-around time per step"))},
                  notes=[f"Days in each open stage; stays still running measured at {data.now.isoformat()}."])
