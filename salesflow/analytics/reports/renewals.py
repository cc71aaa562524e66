"""Renewal rate: contracts whose renewal was decided in the period, and the renewal opportunities.

Scope: records of the contract processes (record kind ``contract``; ``--process`` may name one).

- **decided**: contracts closed within ``--from/--to`` — **renewed** (outcome won) or **ended**
  (outcome lost: terminated, expired …; the ``outcomes`` table counts each outcome stage);
  ``renewal_rate`` = renewed / decided, ``amount_renewal_rate`` the same on the contract amounts.
- **undecided**: contracts still open whose ``end_date`` lies on or before the end of the range
  (today without ``--to``) and not before ``--from`` — the decision is due.
- **renewal opportunities**: links of kind ``renewal`` (contract → opportunity) created within the
  range, and of their opportunities (as they are now) won, lost and open;
  ``renewal_win_rate`` = won / (won + lost).

``--by`` groups by the contract.
"""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.analytics.reports import tables
from salesflow.analytics.reports.base import (
    ALL_LABEL,
    NONE_LABEL,
    Column,
    Data,
    Params,
    Report,
    Table,
    index_rows,
    money,
    ratio,
)
from salesflow.engine.texts import N_

CONTRACT = "contract"
RENEWAL_LINK = "renewal"
_COUNTS = ("decided", "renewed", "ended", "undecided", "renewal_opportunities", "renewal_won", "renewal_lost",
           "renewal_open")
_AMOUNTS = ("decided_amount", "renewed_amount", "renewal_won_amount")


def _due_until(data: Data, params: Params) -> str:
    day = params.date_to or data.now.astimezone(datetime.UTC).date()
    return day.isoformat()


def _groups(data: Data, params: Params, by: str | None) -> dict[str, dict[str, Any]]:
    """group → counts and amounts (see the module docstring)."""
    contracts = tables.grouped(data, tables.records_of_kind(data, CONTRACT, params), by)
    decided = contracts.filter(contracts.outcome.notnull() & tables.in_range(contracts.closed_at, params))
    renewed = decided.outcome == "won"
    decisions = decided.group_by("group").agg(
        decided=decided.count(), renewed=decided.count(where=renewed),
        ended=decided.count(where=decided.outcome == "lost"),
        decided_amount=decided.amount.sum(), renewed_amount=decided.amount.sum(where=renewed))
    due = contracts.outcome.isnull() & contracts.end_date.notnull() & (contracts.end_date <= _due_until(data, params))
    if params.date_from:
        due = due & (contracts.end_date >= params.date_from.isoformat())
    undecided = contracts.filter(due)
    undecided = undecided.group_by("group").agg(undecided=undecided.count())
    links = tables.links_of(data, RENEWAL_LINK)
    links = links.filter(tables.in_range(links.created_at, params))
    targets = tables.opportunity_targets(data)
    renewals = links.join(contracts.select("record_id", "group"), links.source_id == contracts.record_id).join(
        targets, links.target_id == targets.opportunity_id)
    won = renewals.opportunity_outcome == "won"
    opportunities = renewals.group_by("group").agg(
        renewal_opportunities=renewals.count(), renewal_won=renewals.count(where=won),
        renewal_lost=renewals.count(where=renewals.opportunity_outcome == "lost"),
        renewal_open=renewals.count(where=renewals.opportunity_outcome.isnull()),
        renewal_won_amount=renewals.opportunity_amount.sum(where=won))
    parts = [index_rows(data.rows(expression), "group") for expression in (decisions, undecided, opportunities)]
    result: dict[str, dict[str, Any]] = {}
    for group in {key[0] for part in parts for key in part}:
        row: dict[str, Any] = {"group": group}
        for part in parts:
            row.update({key: value for key, value in part.get((group,), {}).items() if key != "group"})
        for name in _COUNTS:
            row[name] = int(row.get(name) or 0)
        for name in _AMOUNTS:
            row[name] = money(row.get(name))
        result[group] = _with_rates(row)
    return result


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "renewal_rate": ratio(row["renewed"], row["decided"]),
            "amount_renewal_rate": ratio(row["renewed_amount"], row["decided_amount"]),
            "renewal_win_rate": ratio(row["renewal_won"], row["renewal_won"] + row["renewal_lost"])}


def _outcomes(data: Data, params: Params) -> list[dict[str, Any]]:
    contracts = tables.grouped(data, tables.records_of_kind(data, CONTRACT, params), params.by)
    decided = contracts.filter(contracts.outcome.notnull() & tables.in_range(contracts.closed_at, params))
    counted = decided.group_by(["group", "process", "stage", "outcome"]).agg(contracts=decided.count())
    rows = []
    for row in data.rows(counted):
        stage = data.catalog.stage(row["process"], row["stage"])
        rows.append({**row, "stage_title": stage.title if stage else row["stage"], "contracts": int(row["contracts"])})
    return sorted(rows, key=lambda row: (row["group"] == NONE_LABEL, str(row["group"]), row["process"],
                                         row["outcome"] != "won", row["stage"]))


def renewals(data: Data, params: Params) -> Report:
    """The renewal-rate report."""
    rows = sorted(_groups(data, params, params.by).values(),
                  key=lambda row: (row["group"] == NONE_LABEL, str(row["group"])))
    empty = _with_rates({"group": ALL_LABEL, **dict.fromkeys(_COUNTS, 0), **dict.fromkeys(_AMOUNTS, 0.0)})
    total = dict(_groups(data, params, None).get(ALL_LABEL, empty))
    total.pop("group")
    columns = [Column("group", N_("Group")), Column("decided", N_("Decided"), "int"), Column("renewed", N_("Renewed"), "int"),
               Column("ended", N_("Ended"), "int"), Column("renewal_rate", N_("Renewal rate"), "pct"),
               Column("renewed_amount", N_("Renewed amount"), "money"),
               Column("amount_renewal_rate", N_("Amount renewal rate"), "pct"),
               Column("undecided", N_("Due, undecided"), "int"),
               Column("renewal_opportunities", N_("Renewal opportunities"), "int"),
               Column("renewal_won", N_("Won"), "int"), Column("renewal_lost", N_("Lost"), "int"),
               Column("renewal_open", N_("Open"), "int"), Column("renewal_win_rate", N_("Renewal win rate"), "pct"),
               Column("renewal_won_amount", N_("Won amount"), "money")]
    outcome_columns = [Column("group", N_("Group")), Column("process", N_("Process")), Column("stage_title", N_("Outcome stage")),
                       Column("outcome", N_("Outcome")), Column("contracts", N_("Contracts"), "int")]
    return Report("renewals", N_("Renewal rate"), params.to_data(), total, {
        "contracts": Table(columns, rows, N_("Contracts decided in the period and renewal opportunities")),
        "outcomes": Table(outcome_columns, _outcomes(data, params), N_("How the contracts ended")),
    }, notes=[N_("Renewed = contract won, ended = lost (terminated, expired); decided = closed within --from/--to; "
                 "due, undecided = still open with an end date up to the end of the range.")])
