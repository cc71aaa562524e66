"""Forecast of a period: open pipeline by forecast category, weighted amount, won so far, target, gap,
coverage and a Monte Carlo distribution of the period's revenue.

Everything is computed *as of* an instant (now, or ``--as-of``) from the event log, so the same
code rebuilds the forecasts of past weeks (`salesflow.analytics.snapshots`):

- **open pipeline**: records open at that instant whose close date lies in the period, by the
  forecast category of their stage (commit, best case, pipeline); ``overdue`` are open records
  whose close date had already passed.
- **weighted** = Σ amount × probability, the probability being the record's override where set,
  else its stage's default.
- **won** = amount of the records won within the period (up to the instant).
- **expected** = won + weighted; **gap** = target − won; **expected gap** = target − expected;
  **coverage** = open pipeline amount / (target − won).
- **Monte Carlo**: each open record of the period is won with its *calibrated* probability (the
  override where set, else the stage's suggested probability from the calibration of the records
  closed by then) — ``--trials`` (≥ 10 000) vectorised trials with a fixed ``--seed``; P10/P50/P90
  of won + simulated revenue.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np

from salesflow.analytics import planning
from salesflow.analytics.periods import Period, period_containing
from salesflow.analytics.reports import money as money_of
from salesflow.analytics.reports import montecarlo, tables
from salesflow.analytics.reports.asof import state_as_of
from salesflow.analytics.reports.base import (
    ALL_LABEL,
    NONE_LABEL,
    Column,
    Data,
    Params,
    Report,
    Table,
    money,
    ratio,
)
from salesflow.analytics.reports.calibration import calibrated_probabilities, stage_outcomes
from salesflow.engine.texts import N_

CATEGORIES = ("commit", "best_case", "pipeline")
#: The kind of record forecasts are about when no ``--process`` is given.
FORECAST_KIND = "opportunity"
_SCOPE_OF_DIMENSION = {"team": "team", "owner": "owner", "type": "type"}


@dataclass
class Moment:
    """One forecast to compute: an instant and the period it looks at."""

    snap_id: int
    at: datetime.datetime
    period: Period


@dataclass
class GroupForecast:
    """The forecast of one group (or of everything) at one instant."""

    group: str
    won: float = 0.0
    won_count: int = 0
    open_count: int = 0
    open_amount: float = 0.0
    weighted: float = 0.0
    overdue_count: int = 0
    overdue_amount: float = 0.0
    categories: dict[str, dict[str, float]] = field(default_factory=dict)
    distribution: montecarlo.Distribution | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    #: records of the forecast (open in the period, or won in it) in a currency without a rate on the day
    unconverted: list[dict[str, Any]] = field(default_factory=list)
    #: currency → the rate into the corporate currency used (on the forecast's day)
    rates: dict[str, float] = field(default_factory=dict)

    @property
    def expected(self) -> float:
        """won + weighted."""
        return round(self.won + self.weighted, 2)


def forecast_records(data: Data, params: Params) -> Any:
    """The records a forecast looks at: those of ``--process``; without it those of every opportunity
    process (an order or a contract won from an opportunity is not revenue a second time)."""
    scoped = tables.scoped_records(data, params, created_in_range=False)
    if params.process or not data.catalog.processes_of_kind(FORECAST_KIND):
        return scoped
    return scoped.filter(scoped.record_kind == FORECAST_KIND)


def compute(data: Data, params: Params, moments: list[Moment], by: str | None = None,
            with_records: bool = False, simulate: bool = True, details: bool = True
            ) -> dict[int, dict[str, GroupForecast]]:
    """The forecasts of several instants at once: snap_id → group → `GroupForecast` (without the Monte
    Carlo distribution when ``simulate`` is false; without the rates used and the amounts left unconverted
    when ``details`` is false: two queries fewer)."""
    if not moments:
        return {}
    times = ibis.memtable(
        {"snap_id": [m.snap_id for m in moments], "t": [m.at for m in moments],
         "p_start": [m.period.start for m in moments], "p_end": [m.period.end for m in moments],
         "p_start_at": [m.period.start_at for m in moments], "p_end_at": [m.period.end_at for m in moments],
         "today": [m.at.astimezone(datetime.UTC).date() for m in moments]},
        schema=ibis.schema({"snap_id": "int64", "t": "timestamp('UTC')", "p_start": "date", "p_end": "date",
                            "p_start_at": "timestamp('UTC')", "p_end_at": "timestamp('UTC')", "today": "date"}))
    key = "state:" + ";".join(f"{m.snap_id}@{m.at.isoformat()}:{m.period.key}" for m in moments) + \
        f":{params.process}"

    def build() -> Any:
        scoped = forecast_records(data, params)
        if len(moments) == 1 and moments[0].at >= data.now:
            # As of now: the records themselves are the state (what the events up to now left them).
            columns = ["record_id", "process", "version", "stage", "owner_id", "close_date", "type", "currency",
                       "probability_override"]
            same_day = moments[0].at.astimezone(datetime.UTC).date() == data.now.astimezone(datetime.UTC).date()
            if same_day:
                # their amounts are converted at the rates of this very day already (`Data.records`)
                columns += ["amount", "amount_original", "rate"]
            state = scoped.select(
                *columns, **({} if same_day else {"amount": scoped.amount_original}),
                snap_id=ibis.literal(moments[0].snap_id, type="int64"),
                stage_at=scoped.closed_at).join(times, "snap_id")
        else:
            same_day = False
            history = data.history.semi_join(scoped.select("record_id"), "record_id")
            state = state_as_of(history, times.select("snap_id", "t")).join(times, "snap_id")
            state = state.join(scoped.select("record_id", "currency"), "record_id")
        if not same_day:
            # every amount in the corporate currency at the rate in force on the forecast's day
            state = money_of.convert(state, money_of.rates_of(data), data.currency, state.today,
                                     found=money_of.factors_of(data))
        stages = data.catalog.stage_table().select("process", "version", "stage", "probability",
                                                    "forecast_category", "outcome")
        return state.join(stages, ["process", "version", "stage"])

    state = tables.grouped(data, data.cached(key, build), by)
    is_open = state.outcome.isnull()
    in_period = (state.close_date >= state.p_start) & (state.close_date < state.p_end)
    probability = state.probability_override.fill_null(state.probability.cast("float64"))
    amount = state.amount.fill_null(0.0)
    weighted = amount * probability / 100.0
    won = (state.outcome == "won") & (state.stage_at >= state.p_start_at) & (state.stage_at < state.p_end_at)
    open_in_period = is_open & in_period
    aggregates: dict[str, Any] = {
        "won": amount.sum(where=won), "won_count": state.count(where=won),
        "open_count": state.count(where=open_in_period), "open_amount": amount.sum(where=open_in_period),
        "weighted": weighted.sum(where=open_in_period),
        "overdue_count": state.count(where=is_open & (state.close_date < state.today)),
        "overdue_amount": amount.sum(where=is_open & (state.close_date < state.today)),
    }
    for category in CATEGORIES:
        chosen = open_in_period & (state.forecast_category == category)
        aggregates[f"{category}_count"] = state.count(where=chosen)
        aggregates[f"{category}_amount"] = amount.sum(where=chosen)
        aggregates[f"{category}_weighted"] = weighted.sum(where=chosen)
    summary_rows = data.rows(state.group_by(["snap_id", "group"]).agg(**aggregates))
    counted = open_in_period | won
    # the records counted (open in the period or won in it) in one query: the open ones for the simulation and
    # the records table, the rates used and the amounts without a rate (`details`)
    wanted = simulate or with_records
    chosen = (counted if details else open_in_period) if details or wanted else None
    record_rows = data.rows(state.filter(chosen).select(
        "snap_id", "group", "record_id", "process", "stage", "forecast_category", "close_date",
        "probability_override", "currency", "amount_original", "rate", amount=state.amount,
        probability=state.probability, open_in_period=open_in_period).order_by(["snap_id", "record_id"])
    ) if chosen is not None else []
    missing_rows = [row for row in record_rows if row["amount_original"] is not None and row["rate"] is None
                    ] if details else []
    rate_rows: dict[tuple[int, str, str], float] = {}
    if details:
        for row in record_rows:
            if row["rate"] is not None and row["currency"] is not None and row["currency"] != data.currency:
                key = (row["snap_id"], row["group"], row["currency"])
                rate_rows[key] = max(rate_rows.get(key, row["rate"]), row["rate"])
    open_rows = [row for row in record_rows if row["open_in_period"]] if wanted else []

    calibrated: dict[tuple[Any, ...], int] = {}
    if params.calibrated and simulate:
        everything = tables.grouped(data, data.records, None)
        outcome_rows = data.rows(stage_outcomes(data, everything, times.select("snap_id", "t")))
        calibrated = calibrated_probabilities(outcome_rows, data)

    result: dict[int, dict[str, GroupForecast]] = {}
    for row in summary_rows:
        item = GroupForecast(
            group=row["group"], won=money(row["won"]), won_count=int(row["won_count"] or 0),
            open_count=int(row["open_count"] or 0), open_amount=money(row["open_amount"]),
            weighted=money(row["weighted"]), overdue_count=int(row["overdue_count"] or 0),
            overdue_amount=money(row["overdue_amount"]),
            categories={category: {"count": int(row[f"{category}_count"] or 0),
                                   "amount": money(row[f"{category}_amount"]),
                                   "weighted": money(row[f"{category}_weighted"])} for category in CATEGORIES})
        result.setdefault(row["snap_id"], {})[row["group"]] = item
    for (snap_id, group, currency), rate in rate_rows.items():
        result[snap_id][group].rates[currency] = round(float(rate), 10)
    missing: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for row in missing_rows:
        missing.setdefault((row["snap_id"], row["group"]), []).append(row)
    for (snap_id, group), rows in missing.items():
        result[snap_id][group].unconverted = money_of.unconverted(rows)
    by_group: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for row in open_rows:
        by_group.setdefault((row["snap_id"], row["group"]), []).append(row)
    for snap_id, groups in result.items():
        for group, item in groups.items():
            rows = by_group.get((snap_id, group), [])
            probabilities = []
            for row in rows:
                if row["probability_override"] is not None:
                    value = float(row["probability_override"])
                else:
                    value = float(calibrated.get((snap_id, ALL_LABEL, row["process"], row["stage"]),
                                                 row["probability"]))
                row["calibrated_probability"] = value
                probabilities.append(value / 100.0)
            if simulate:
                amounts = np.array([row["amount"] or 0.0 for row in rows], dtype=np.float64)
                item.distribution = montecarlo.distribution(amounts, np.array(probabilities, dtype=np.float64),
                                                            base=item.won, trials=params.trials, seed=params.seed)
            if with_records:
                item.records = [{
                    "record_id": row["record_id"], "stage": row["stage"], "category": row["forecast_category"],
                    "close_date": row["close_date"].isoformat() if row["close_date"] else None,
                    "amount": money(row["amount"]) if row["amount"] is not None else None,
                    "currency": row["currency"], "amount_original": money(row["amount_original"]),
                    "probability": float(row["probability_override"]) if row["probability_override"] is not None
                    else float(row["probability"]),
                    "calibrated_probability": row["calibrated_probability"]} for row in rows]
    return result


def group_target(data: Data, params: Params, period: Period, by: str | None, group: str) -> float | None:
    """The target of a group (or of everything) for the period."""
    targets = data.targets_on((params.as_of or data.now).astimezone(datetime.UTC).date())
    if by is None or group == ALL_LABEL:
        return planning.target_for(targets, period, params.process)
    scope = _SCOPE_OF_DIMENSION.get(by)
    if scope is None or group == NONE_LABEL:
        return None
    return planning.target_for(targets, period, params.process, scope, group)


def forecast_row(item: GroupForecast, target: float | None) -> dict[str, Any]:
    """One row of the forecast table."""
    distribution = item.distribution
    remaining = (target - item.won) if target is not None else None
    return {
        "group": item.group, "won": item.won, "won_count": item.won_count,
        "commit": item.categories["commit"]["amount"], "best_case": item.categories["best_case"]["amount"],
        "pipeline": item.categories["pipeline"]["amount"], "open_count": item.open_count,
        "open_amount": item.open_amount, "weighted": item.weighted, "expected": item.expected,
        "target": money(target) if target is not None else None,
        "gap": round(remaining, 2) if remaining is not None else None,
        "expected_gap": round(target - item.expected, 2) if target is not None else None,
        "coverage": ratio(item.open_amount, remaining) if remaining and remaining > 0 else None,
        "attainment": ratio(item.won, target),
        "p10": distribution.p10 if distribution else None, "p50": distribution.p50 if distribution else None,
        "p90": distribution.p90 if distribution else None,
        "overdue_count": item.overdue_count, "overdue_amount": item.overdue_amount,
    }


FORECAST_COLUMNS = [
    Column("group", N_("Group")), Column("won", N_("Won"), "money"), Column("commit", N_("Commit"), "money"),
    Column("best_case", N_("Best case"), "money"), Column("pipeline", N_("Pipeline"), "money"),
    Column("weighted", N_("Weighted"), "money"), Column("expected", N_("Expected"), "money"),
    Column("target", N_("Target"), "money"), Column("gap", N_("Gap (target − won)"), "money"),
    Column("coverage", N_("Coverage"), "num"), Column("p10", N_("P10"), "money"), Column("p50", N_("P50"), "money"),
    Column("p90", N_("P90"), "money"),
]


def forecast(data: Data, params: Params) -> Report:
    """The forecast report of ``params.period`` (default: the quarter of the instant) as of now or ``--as-of``."""
    at = params.as_of or data.now
    day = at.astimezone(datetime.UTC).date()
    period = params.period or period_containing(at, "quarter")
    moments = [Moment(0, at, period)]
    overall = compute(data, params, moments, None, with_records=True).get(0, {})
    total = overall.get(ALL_LABEL) or GroupForecast(ALL_LABEL, categories={c: {"count": 0, "amount": 0.0,
                                                                                "weighted": 0.0} for c in CATEGORIES})
    if total.distribution is None:
        total.distribution = montecarlo.distribution(np.zeros(0), np.zeros(0), 0.0, params.trials, params.seed)
    target = group_target(data, params, period, None, ALL_LABEL)
    summary = {"period": period.key, "as_of": at.isoformat(), "currency": data.currency,
               **forecast_row(total, target), "monte_carlo": total.distribution.to_data(),
               "rates": total.rates, "unconverted": total.unconverted}
    summary.pop("group")
    category_rows = [{"category": category, **total.categories[category]} for category in CATEGORIES]
    result = {
        "categories": Table([Column("category", N_("Forecast category")), Column("count", N_("Records"), "int"),
                             Column("amount", N_("Amount"), "money"), Column("weighted", N_("Weighted"), "money")],
                            category_rows, N_("Open pipeline %(period)s by forecast category", period=period.key)),
    }
    if params.by:
        grouped = compute(data, params, moments, params.by).get(0, {})
        rows = [forecast_row(item, group_target(data, params, period, params.by, name))
                for name, item in sorted(grouped.items(), key=lambda pair: (pair[0] == NONE_LABEL, pair[0]))]
        result["groups"] = Table(FORECAST_COLUMNS, rows, N_("Forecast %(period)s by %(dimension)s", period=period.key, dimension=params.by))
    result["distribution"] = Table([Column("from", N_("Revenue from"), "money"), Column("to", N_("to"), "money"),
                                    Column("trials", N_("Trials"), "int")], total.distribution.histogram,
                                   N_("Monte Carlo distribution of the period's revenue"))
    result["records"] = Table([Column("record_id", N_("Record"), "int"), Column("stage", N_("Stage")),
                               Column("category", N_("Category")), Column("close_date", N_("Close date")),
                               Column("amount", N_("Amount"), "money"), Column("amount_original", N_("Own amount"), "money"),
                               Column("currency", N_("Currency")), Column("probability", N_("Probability %"), "num"),
                               Column("calibrated_probability", N_("Calibrated %"), "num")], total.records,
                              N_("Open records of the period"))
    return Report("forecast", N_("Forecast %(period)s", period=period.key), {**params.to_data(), "period": period.key}, summary, result,
                  notes=[N_("As of %(moment)s; Monte Carlo: %(trials)s trials, seed %(seed)s, "
                            "calibrated probabilities (the override where set).", moment=at, trials=params.trials,
                            seed=params.seed),
                         N_("Amounts in %(currency)s at the rates in force on %(day)s.", currency=data.currency, day=day),
                         *money_of.unconverted_note(total.unconverted, data.currency, day),
                         *planning.missing_target_notes(data.missing_targets_on(day), data.currency, day)])
