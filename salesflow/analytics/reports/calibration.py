"""Calibration: how often records that were in a stage were won, against the stage's default probability.

For every open stage: of the closed records (Won or Lost, closed by the time of the report) that
entered the stage at least once, ``n`` and ``won``; the empirical win rate with a 95 % Wilson
confidence interval; the stage's default probability (of the newest process version); and the
suggested probability ``(won + K × default) / (n + K)`` with K = `PRIOR_WEIGHT` (the default counts
as K records, so a stage with few closed records keeps close to its default). The Brier score is
the mean squared difference between probability and outcome (1 won, 0 lost) over every pair of
(closed record, stage it entered) — once with the default probabilities, once with the suggested.
The suggested probabilities are the input for the next process version, and what the forecast's
Monte Carlo simulation uses.
"""

from __future__ import annotations

import math
from typing import Any

import ibis.expr.types as ir

from salesflow.analytics.reports import tables
from salesflow.analytics.reports.base import NONE_LABEL, Column, Data, Params, Report, Table, ts
from salesflow.engine.texts import N_

PRIOR_WEIGHT = 10
Z95 = 1.959963984540054


def wilson_interval(won: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """The Wilson score interval of a binomial proportion (None, None without observations)."""
    if n <= 0:
        return None, None
    p = won / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def suggested_probability(won: int, n: int, default: int) -> int:
    """The suggested probability in percent: the win rate shrunk towards the default by `PRIOR_WEIGHT`."""
    return int(round(100.0 * (won + PRIOR_WEIGHT * default / 100.0) / (n + PRIOR_WEIGHT)))


def stage_outcomes(data: Data, records: ir.Table, times: ir.Table | None = None) -> ir.Table:
    """Per (snap_id,) process and stage: ``n`` closed records that entered the stage, ``won`` of them,
    and ``sq_default`` (sum of squared errors of the default probability).

    With ``times`` (snap_id, t) only records closed by each ``t`` count; without, records closed now.
    """
    visits = tables.open_stage_visits(data)
    pairs = visits.group_by(["record_id", "process", "stage"]).agg(probability=visits.probability.max())
    closes = tables.closes(data).select("record_id", "outcome", "closed_at")
    keyed = records.select("record_id", "group")
    pairs = pairs.join(closes, "record_id").join(keyed, "record_id")
    outcome = (pairs.outcome == "won").ifelse(1.0, 0.0)
    error = (pairs.probability.cast("float64") / 100.0 - outcome) ** 2
    pairs = pairs.mutate(y=outcome, error=error)
    keys = ["group", "process", "stage"]
    if times is not None:
        pairs = pairs.join(times, pairs.closed_at <= times.t)
        keys = ["snap_id", *keys]
    else:
        pairs = pairs.filter(pairs.closed_at <= ts(data.now))
    return pairs.group_by(keys).agg(n=pairs.count(), won=pairs.y.sum().cast("int64"), sq_default=pairs.error.sum())


def calibrated_probabilities(rows: list[dict[str, Any]], data: Data) -> dict[tuple[Any, ...], int]:
    """(snap_id?, group, process, stage) → suggested probability, from `stage_outcomes` rows."""
    result = {}
    for row in rows:
        info = data.catalog.stage(row["process"], row["stage"])
        if info is None:
            continue
        key = tuple(row[name] for name in ("snap_id", "group", "process", "stage") if name in row)
        result[key] = suggested_probability(int(row["won"]), int(row["n"]), info.probability)
    return result


def calibration(data: Data, params: Params) -> Report:
    """The calibration report."""
    records = tables.grouped(data, tables.scoped_records(data, params), params.by)
    rows_by_key = {(row["group"], row["process"], row["stage"]): row
                   for row in data.rows(stage_outcomes(data, records))}
    groups = sorted({(key[1], key[0]) for key in rows_by_key}, key=lambda item: (item[0], item[1] == NONE_LABEL,
                                                                                     item[1]))
    rows = []
    pairs = won_pairs = 0
    sq_default_total = sq_suggested_total = 0.0
    for process, group in groups:
        for stage in data.catalog.stage_order(process):
            if stage.outcome is not None:
                continue
            found = rows_by_key.get((group, process, stage.stage))
            n = int(found["n"]) if found else 0
            won = int(found["won"]) if found else 0
            low, high = wilson_interval(won, n)
            suggested = suggested_probability(won, n, stage.probability)
            q = suggested / 100.0
            sq_suggested = won * (1 - q) ** 2 + (n - won) * q * q
            sq_default = float(found["sq_default"]) if found else 0.0
            pairs += n
            won_pairs += won
            sq_default_total += sq_default
            sq_suggested_total += sq_suggested
            rows.append({
                "group": group, "process": process, "stage": stage.stage, "stage_title": stage.title,
                "default_probability": stage.probability, "n": n, "won": won,
                "win_rate": round(won / n, 4) if n else None,
                "ci_low": round(low, 4) if low is not None else None,
                "ci_high": round(high, 4) if high is not None else None,
                "suggested_probability": suggested,
                "brier_default": round(sq_default / n, 4) if n else None,
                "brier_suggested": round(sq_suggested / n, 4) if n else None,
            })
    summary = {"pairs": pairs, "won": won_pairs,
               "brier_default": round(sq_default_total / pairs, 4) if pairs else None,
               "brier_suggested": round(sq_suggested_total / pairs, 4) if pairs else None,
               "prior_weight": PRIOR_WEIGHT}
    columns = [Column("group", N_("Group")), Column("process", N_("Process")), Column("stage", N_("Stage")),
               Column("default_probability", N_("Default %"), "int"), Column("n", N_("Closed records"), "int"),
               Column("won", N_("Won"), "int"), Column("win_rate", N_("Win rate"), "pct"),
               Column("ci_low", N_("95% CI low"), "pct"), Column("ci_high", N_("95% CI high"), "pct"),
               Column("suggested_probability", N_("Suggested %"), "int"), Column("brier_default", N_("Brier (default)"), "num"),
               Column("brier_suggested", N_("Brier (suggested)"), "num")]
    return Report("calibration", N_("Probability calibration"), params.to_data(), summary,
                  {"stages": Table(columns, rows, N_("Win rate of records that were in each stage"))},
                  notes=[N_("Suggested probability = (won + %(weight)s × default) / (n + %(weight)s); "
                            "95%% Wilson interval; scope: records created within --from/--to, closed by now.",
                            weight=PRIOR_WEIGHT)])

