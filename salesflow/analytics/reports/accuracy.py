"""Forecast accuracy: the weekly forecast snapshots of each period against what was actually won in it.

For every snapshot (``salesflow forecast snapshot``, weekly; the demo rebuilds a history of them):
the forecast it made — ``expected`` (won so far + weighted open pipeline) and the Monte Carlo
P10/P50/P90 — against the amount actually won in the period (records won with their Won date in
the period). ``error`` = expected − actual (positive: the forecast was too high), ``pct_error`` =
error / actual, ``in_band`` = P10 ≤ actual ≤ P90. Per period (only periods that have ended count as
complete): the mean absolute percentage error (MAPE) and the bias (mean error / actual) of its
snapshots, and the share of snapshots whose P10–P90 band held the actual.
"""

from __future__ import annotations

import datetime
from typing import Any

import ibis

from salesflow.analytics.periods import parse_period
from salesflow.analytics.reports import tables
from salesflow.analytics.reports.base import Column, Data, Params, Report, Table, money, ratio
from salesflow.engine.texts import N_


def actual_won(data: Data, params: Params, period_keys: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """(process, period) → amount and count of the records won within the period."""
    if not period_keys:
        return {}
    periods = [parse_period(key) for key in period_keys]
    buckets = ibis.memtable({"period": [p.key for p in periods], "p_start_at": [p.start_at for p in periods],
                             "p_end_at": [p.end_at for p in periods]},
                            schema=ibis.schema({"period": "string", "p_start_at": "timestamp('UTC')",
                                                "p_end_at": "timestamp('UTC')"}))
    records = tables.scoped_records(data, params, created_in_range=False)
    won = records.filter(records.outcome == "won")
    joined = won.join(buckets, (won.closed_at >= buckets.p_start_at) & (won.closed_at < buckets.p_end_at))
    rows = data.rows(joined.group_by(["process", "period"]).agg(amount=joined.amount.sum(), count=joined.count()))
    return {(row["process"], row["period"]): row for row in rows}


def accuracy(data: Data, params: Params) -> Report:
    """The accuracy report over the stored forecast snapshots."""
    snapshots = [row for row in data.snapshots if params.process in (None, row["process"])]
    if params.period:
        snapshots = [row for row in snapshots if row["period"] == params.period.key]
    if params.date_from:
        snapshots = [row for row in snapshots if row["taken_at"].date() >= params.date_from]
    if params.date_to:
        snapshots = [row for row in snapshots if row["taken_at"].date() <= params.date_to]
    actual = actual_won(data, params, sorted({row["period"] for row in snapshots}))
    now = data.now
    rows = []
    for row in snapshots:
        period = parse_period(row["period"])
        found = actual.get((row["process"], row["period"]), {})
        value = money(found.get("amount"))
        error = round(row["expected"] - value, 2)
        rows.append({
            "taken_at": row["taken_at"].isoformat(), "process": row["process"], "period": row["period"],
            "weeks_to_end": round((period.end_at - row["taken_at"]).total_seconds() / (7 * 86400), 1),
            "expected": money(row["expected"]), "p10": money(row["p10"]), "p50": money(row["p50"]),
            "p90": money(row["p90"]), "target": row["target"], "actual": value, "error": error,
            "pct_error": ratio(error, value), "in_band": row["p10"] <= value <= row["p90"],
            "complete": period.end_at <= now, "backfilled": row["backfilled"],
        })
    periods: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        periods.setdefault((row["process"], row["period"]), []).append(row)
    period_rows = []
    for (process, key), items in sorted(periods.items(), key=lambda pair: parse_period(pair[0][1]).start):
        actual_value = items[0]["actual"]
        errors = [item["error"] for item in items]
        pct = [abs(item["error"]) / actual_value for item in items if actual_value]
        period_rows.append({
            "process": process, "period": key, "snapshots": len(items), "actual": actual_value,
            "complete": items[0]["complete"], "mape": round(sum(pct) / len(pct), 4) if pct else None,
            "bias": ratio(sum(errors) / len(errors), actual_value),
            "band_hit_rate": ratio(sum(1 for item in items if item["in_band"]), len(items)),
            "last_expected": items[-1]["expected"],
        })
    complete = [row for row in rows if row["complete"] and row["actual"]]
    summary = {
        "snapshots": len(rows), "periods": len(period_rows),
        "complete_periods": sum(1 for row in period_rows if row["complete"]),
        "mape": round(sum(abs(row["error"]) / row["actual"] for row in complete) / len(complete), 4)
        if complete else None,
        "bias": ratio(sum(row["error"] for row in complete) / len(complete),
                      sum(row["actual"] for row in complete) / len(complete)) if complete else None,
        "band_hit_rate": ratio(sum(1 for row in complete if row["in_band"]), len(complete)),
        "as_of": now.isoformat() if isinstance(now, datetime.datetime) else str(now),
    }
    snapshot_columns = [Column("taken_at", N_("Taken")), Column("period", N_("Period")),
                        Column("weeks_to_end", N_("Weeks to end"), "num"), Column("expected", N_("Forecast"), "money"),
                        Column("p10", N_("P10"), "money"), Column("p50", N_("P50"), "money"), Column("p90", N_("P90"), "money"),
                        Column("actual", N_("Actual won"), "money"), Column("error", N_("Error"), "money"),
                        Column("pct_error", N_("Error %"), "pct"), Column("complete", N_("Period ended"))]
    period_columns = [Column("period", N_("Period")), Column("snapshots", N_("Snapshots"), "int"),
                      Column("actual", N_("Actual won"), "money"), Column("last_expected", N_("Last forecast"), "money"),
                      Column("mape", N_("MAPE"), "pct"), Column("bias", N_("Bias"), "pct"),
                      Column("band_hit_rate", N_("P10–P90 hit rate"), "pct"), Column("complete", N_("Ended"))]
    return Report("accuracy", N_("Forecast accuracy"), params.to_data(), summary,
                  {"snapshots": Table(snapshot_columns, rows, N_("Forecast snapshots against actual results")),
                   "periods": Table(period_columns, period_rows, N_("Accuracy per period"))},
                  notes=[N_("error = forecast (won + weighted) − actual won; bias > 0: forecasts were too high.")])
