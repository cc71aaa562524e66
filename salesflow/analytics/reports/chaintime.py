"""Lead-to-order cycle time: how long the chain lead → opportunity → order takes, in days.

The chains follow the hand-off links: lead → opportunity (link kind ``opportunity``) and
opportunity → order (link kind ``order``). Spans, each counted when its **end** lies within
``--from/--to``:

- ``lead_to_opportunity``: lead created → opportunity created;
- ``lead_to_order``: lead created → order created (chains lead → opportunity → order);
- ``lead_to_order_won``: lead created → order won (invoiced), for won orders;
- ``opportunity_to_order``: opportunity created → order created (every opportunity with an order,
  with or without a lead);
- ``opportunity_to_order_won``: opportunity created → order won.

Per span: chains, median, P80 (continuous quantiles), mean, min and max in days. ``--by`` groups by
the chain's first record (the lead, or the opportunity for the opportunity spans); ``--process``
restricts the records of its kind (a lead, opportunity or order process).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from salesflow.analytics.reports import tables
from salesflow.analytics.reports.base import (
    NONE_LABEL,
    Column,
    Data,
    Params,
    Report,
    Table,
    days,
    seconds_between,
)
from salesflow.engine.texts import N_

#: span → (title, from, to)
SPANS: dict[str, tuple[str, str, str]] = {
    "lead_to_opportunity": (N_("Lead → opportunity"), N_("lead created"), N_("opportunity created")),
    "lead_to_order": (N_("Lead → order"), N_("lead created"), N_("order created")),
    "lead_to_order_won": (N_("Lead → order won"), N_("lead created"), N_("order won (invoiced)")),
    "opportunity_to_order": (N_("Opportunity → order"), N_("opportunity created"), N_("order created")),
    "opportunity_to_order_won": (N_("Opportunity → order won"), N_("opportunity created"), N_("order won (invoiced)")),
}
SPAN_SCHEMA = ("span", "start_id", "start_at", "end_at")


def _span(table: ir.Table, name: str, start_id: ir.Value, start_at: ir.Value, end_at: ir.Value) -> ir.Table:
    return table.select(span=ibis.literal(name), start_id=start_id, start_at=start_at, end_at=end_at)


def spans(data: Data, params: Params) -> ir.Table:
    """One row per (span, chain): span, start_id (the lead or opportunity), start_at, end_at."""
    leads = tables.records_of_kind(data, "lead", params)
    leads = leads.select(lead_id=leads.record_id, lead_at=leads.created_at)
    opportunities = tables.records_of_kind(data, "opportunity", params)
    opportunities = opportunities.select(opportunity_id=opportunities.record_id,
                                         opportunity_at=opportunities.created_at)
    orders = tables.records_of_kind(data, "order", params)
    orders = orders.select(order_id=orders.record_id, order_at=orders.created_at, order_outcome=orders.outcome,
                           order_closed_at=orders.closed_at)
    to_opportunity = tables.links_of(data, "opportunity")
    to_opportunity = to_opportunity.select(lead_ref=to_opportunity.source_id, opportunity_ref=to_opportunity.target_id)
    to_order = tables.links_of(data, "order")
    to_order = to_order.select(from_opportunity=to_order.source_id, order_ref=to_order.target_id)

    lead_opportunity = to_opportunity.join(leads, to_opportunity.lead_ref == leads.lead_id).join(
        opportunities, to_opportunity.opportunity_ref == opportunities.opportunity_id)
    opportunity_order = to_order.join(opportunities, to_order.from_opportunity == opportunities.opportunity_id).join(
        orders, to_order.order_ref == orders.order_id)
    chain = lead_opportunity.select("lead_id", "lead_at", "opportunity_id").join(
        opportunity_order.select("opportunity_id", "order_at", "order_outcome", "order_closed_at"), "opportunity_id")
    won_chain = chain.filter(chain.order_outcome == "won")
    won_order = opportunity_order.filter(opportunity_order.order_outcome == "won")
    return ibis.union(
        _span(lead_opportunity, "lead_to_opportunity", lead_opportunity.lead_id, lead_opportunity.lead_at,
              lead_opportunity.opportunity_at),
        _span(chain, "lead_to_order", chain.lead_id, chain.lead_at, chain.order_at),
        _span(won_chain, "lead_to_order_won", won_chain.lead_id, won_chain.lead_at, won_chain.order_closed_at),
        _span(opportunity_order, "opportunity_to_order", opportunity_order.opportunity_id,
              opportunity_order.opportunity_at, opportunity_order.order_at),
        _span(won_order, "opportunity_to_order_won", won_order.opportunity_id, won_order.opportunity_at,
              won_order.order_closed_at),
        distinct=False,
    )


def lead_to_order(data: Data, params: Params) -> Report:
    """The lead-to-order cycle-time report."""
    chains = spans(data, params)
    chains = chains.filter(tables.in_range(chains.end_at, params))
    chains = chains.mutate(seconds=seconds_between(chains.end_at, chains.start_at))
    starts = tables.grouped(data, data.records, params.by).select("record_id", "group")
    keyed = chains.join(starts, chains.start_id == starts.record_id)
    seconds = keyed.seconds
    aggregated = keyed.group_by(["group", "span"]).agg(
        chains=keyed.count(), median=seconds.quantile(0.5), p80=seconds.quantile(0.8), mean=seconds.mean(),
        shortest=seconds.min(), longest=seconds.max())
    order = list(SPANS)
    rows: list[dict[str, Any]] = []
    for row in sorted(data.rows(aggregated), key=lambda row: (row["group"] == NONE_LABEL, str(row["group"]),
                                                              order.index(row["span"]))):
        title, start, end = SPANS[row["span"]]
        rows.append({"group": row["group"], "span": row["span"], "span_title": title, "from": start, "to": end,
                     "chains": int(row["chains"]), "median_days": days(row["median"]), "p80_days": days(row["p80"]),
                     "mean_days": days(row["mean"]), "min_days": days(row["shortest"]),
                     "max_days": days(row["longest"])})
    summary: dict[str, Any] = {}
    if params.by is None:
        found = {row["span"]: row for row in rows}
        for span in ("lead_to_order", "opportunity_to_order", "lead_to_order_won"):
            summary[f"{span}_chains"] = found[span]["chains"] if span in found else 0
            summary[f"{span}_median_days"] = found[span]["median_days"] if span in found else None
            summary[f"{span}_p80_days"] = found[span]["p80_days"] if span in found else None
    else:
        summary["note"] = N_("broken down by %(dimension)s", dimension=params.by)
    columns = [Column("group", N_("Group")), Column("span_title", N_("Span")), Column("chains", N_("Chains"), "int"),
               Column("median_days", N_("Median (days)"), "days"), Column("p80_days", N_("P80 (days)"), "days"),
               Column("mean_days", N_("Mean (days)"), "days"), Column("min_days", N_("Min (days)"), "days"),
               Column("max_days", N_("Max (days)"), "days"), Column("from", N_("From")), Column("to", N_("To"))]
    return Report("lead-to-order", N_("Lead-to-order cycle time"), params.to_data(), summary,
                  {"spans": Table(columns, rows, N_("Days along the chain lead → opportunity → order"))},
                  notes=[N_("A span counts when its end lies within --from/--to; quantiles are interpolated.")])
