"""Win rate by opportunity type, by owner and by amount band (or by one ``--by`` dimension).

Scope: records of ``--process`` closed (Won or Lost) within ``--from/--to``. Win rate = won /
(won + lost); the amount win rate = won amount / closed amount. The types are the seeds'
categories (the default library's ``type`` field): new business, and for existing customers
stabilisation, cross-selling, delivery-rate increase and new product launch; the ``segment``
table puts the existing-customer types together.
"""

from __future__ import annotations

from typing import Any

from salesflow.analytics.reports import tables
from salesflow.analytics.reports.base import (
    DIMENSION_NAMES,
    NONE_LABEL,
    Column,
    Data,
    Params,
    Report,
    Table,
    money,
    ratio,
)
from salesflow.engine.texts import N_

NEW_BUSINESS = "new_business"
SEGMENT_NEW = "new business"
SEGMENT_EXISTING = "existing customer"


def _table(data: Data, closed: Any, by: str | None, process: str | None) -> list[dict[str, Any]]:
    if by == "segment":
        segment = (closed.type == NEW_BUSINESS).ifelse(SEGMENT_NEW, SEGMENT_EXISTING)
        keyed = closed.mutate(group=closed.type.isnull().ifelse(NONE_LABEL, segment))
    else:
        keyed = tables.grouped(data, closed, by, process)
    won = keyed.outcome == "won"
    aggregated = keyed.group_by("group").agg(
        closed=keyed.count(), won=keyed.count(where=won), lost=keyed.count(where=~won),
        closed_amount=keyed.amount.sum(), won_amount=keyed.amount.sum(where=won),
    )
    rows = []
    for row in data.rows(aggregated):
        rows.append({"group": row["group"], "closed": row["closed"], "won": row["won"], "lost": row["lost"],
                     "win_rate": ratio(row["won"], row["closed"]), "won_amount": money(row["won_amount"]),
                     "closed_amount": money(row["closed_amount"]),
                     "amount_win_rate": ratio(row["won_amount"], row["closed_amount"])})
    if by == "amount-band":
        order = {label: index for index, label in enumerate(tables.band_labels(data.catalog.amount_band_limits(process)) + [NONE_LABEL])}
        return sorted(rows, key=lambda row: order.get(row["group"], 99))
    return sorted(rows, key=lambda row: (row["group"] == NONE_LABEL, str(row["group"])))


def winrate(data: Data, params: Params) -> Report:
    """The win-rate report."""
    records = tables.scoped_records(data, params, created_in_range=False)
    closed = records.filter(records.outcome.isin(["won", "lost"]) & tables.in_range(records.closed_at, params))
    dimensions = [params.by] if params.by else ["type", "segment", "owner", "amount-band"]
    titles = {"type": N_("By opportunity type"), "segment": N_("New business vs existing customers"),
              "owner": N_("By owner"), "team": N_("By team"), "amount-band": N_("By amount band"),
              "process-version": N_("By process version")}
    result: dict[str, Table] = {}
    for dimension in dimensions:
        columns = [Column("group", DIMENSION_NAMES.get(dimension, dimension)), Column("closed", N_("Closed"), "int"),
                   Column("won", N_("Won"), "int"), Column("lost", N_("Lost"), "int"), Column("win_rate", N_("Win rate"), "pct"),
                   Column("won_amount", N_("Won amount"), "money"), Column("closed_amount", N_("Closed amount"), "money"),
                   Column("amount_win_rate", N_("Amount win rate"), "pct")]
        result[dimension] = Table(columns, _table(data, closed, dimension, params.process), titles[dimension])
    total = data.rows(closed.agg(closed=closed.count(), won=closed.count(where=closed.outcome == "won"),
                                 won_amount=closed.amount.sum(where=closed.outcome == "won"),
                                 closed_amount=closed.amount.sum()))[0]
    summary = {"closed": total["closed"], "won": total["won"], "win_rate": ratio(total["won"], total["closed"]),
               "won_amount": money(total["won_amount"]),
               "amount_win_rate": ratio(total["won_amount"], total["closed_amount"])}
    return Report("winrate", N_("Win rate"), params.to_data(), summary, result,
                  notes=[N_("Scope: records closed within --from/--to; win rate = won / (won + lost).")])
