"""Lead-to-win conversion: of the leads created in the period, how many became opportunities and won.

Scope: records of the lead processes (record kind ``lead``; ``--process`` may name one) created
within ``--from/--to``. A lead is **converted** when it was won and links (kind ``opportunity``)
to an opportunity — the hand-off of the lead process creates that link. Of the converted leads'
opportunities (as they are now): won, lost, still open. Rates:

- ``conversion_rate`` = converted / leads;
- ``opportunity_win_rate`` = opportunities won / (won + lost);
- ``lead_to_win_rate`` = leads with a won opportunity / leads.

Broken down by the lead's ``source`` field (``(none)`` without one) and by ``--by`` (of the lead).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from salesflow.analytics.reports import tables
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
from salesflow.engine.texts import N_

LEAD = "lead"
#: The link kind of a lead's opportunity.
OPPORTUNITY_LINK = "opportunity"
COUNTS = ("leads", "converted", "disqualified", "open", "opportunities", "opportunities_won", "opportunities_lost",
          "leads_won")


def _leads(data: Data, params: Params) -> ir.Table:
    """The leads in scope with their opportunities' counts: opportunities, opportunities_won/lost, won_amount."""
    leads = tables.records_of_kind(data, LEAD, params)
    leads = leads.filter(tables.in_range(leads.created_at, params))
    links = tables.links_of(data, OPPORTUNITY_LINK)
    targets = tables.opportunity_targets(data)
    pairs = links.join(targets, links.target_id == targets.opportunity_id)
    won = pairs.opportunity_outcome == "won"
    per_lead = pairs.group_by(lead_id=pairs.source_id).agg(
        opportunities=pairs.opportunity_id.nunique(),
        opportunities_won=pairs.opportunity_id.nunique(where=won),
        opportunities_lost=pairs.opportunity_id.nunique(where=pairs.opportunity_outcome == "lost"),
        won_amount=pairs.opportunity_amount.sum(where=won),
    )
    joined = leads.left_join(per_lead, leads.record_id == per_lead.lead_id)
    return joined.mutate(source=joined.source.fill_null(NONE_LABEL),
                         converted=(joined.outcome == "won") & joined.opportunities.notnull())


def _counts(data: Data, leads: ir.Table, keys: list[str]) -> list[dict[str, Any]]:
    converted = leads.converted
    aggregated = leads.group_by(keys).agg(
        leads=leads.count(), converted=leads.count(where=converted),
        disqualified=leads.count(where=leads.outcome == "lost"), open=leads.count(where=leads.outcome.isnull()),
        opportunities=leads.opportunities.sum(where=converted),
        opportunities_won=leads.opportunities_won.sum(where=converted),
        opportunities_lost=leads.opportunities_lost.sum(where=converted),
        leads_won=leads.count(where=converted & (leads.opportunities_won > 0)),
        won_amount=leads.won_amount.sum(where=converted),
    )
    rows = []
    for row in data.rows(aggregated):
        item = {key: row[key] for key in keys}
        item.update({name: int(row[name] or 0) for name in COUNTS})
        item["won_amount"] = money(row["won_amount"])
        rows.append(_with_rates(item))
    return rows


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    closed = row["opportunities_won"] + row["opportunities_lost"]
    return {**row, "conversion_rate": ratio(row["converted"], row["leads"]),
            "opportunity_win_rate": ratio(row["opportunities_won"], closed),
            "lead_to_win_rate": ratio(row["leads_won"], row["leads"])}


def _empty(**keys: Any) -> dict[str, Any]:
    return _with_rates({**keys, **dict.fromkeys(COUNTS, 0), "won_amount": 0.0})


def lead_to_win(data: Data, params: Params) -> Report:
    """The lead-to-win conversion report."""
    leads = _leads(data, params)
    grouped = tables.grouped(data, leads, params.by)
    rows = sorted(_counts(data, grouped, ["group", "source"]),
                  key=lambda row: (row["group"] == NONE_LABEL, str(row["group"]), row["source"] == NONE_LABEL,
                                   str(row["source"])))
    process_rows = sorted(_counts(data, leads, ["process"]), key=lambda row: row["process"])
    total = (_counts(data, leads.mutate(all=ibis.literal(ALL_LABEL)), ["all"]) or [_empty(all=ALL_LABEL)])[0]
    total.pop("all")
    rate_columns = [Column("leads", N_("Leads"), "int"), Column("converted", N_("Converted"), "int"),
                    Column("disqualified", N_("Disqualified"), "int"), Column("open", N_("Open"), "int"),
                    Column("conversion_rate", N_("Conversion rate"), "pct"),
                    Column("opportunities", N_("Opportunities"), "int"), Column("opportunities_won", N_("Won"), "int"),
                    Column("opportunities_lost", N_("Lost"), "int"),
                    Column("opportunity_win_rate", N_("Opportunity win rate"), "pct"),
                    Column("leads_won", N_("Leads won"), "int"), Column("lead_to_win_rate", N_("Lead-to-win rate"), "pct"),
                    Column("won_amount", N_("Won amount"), "money")]
    return Report("lead-to-win", N_("Lead-to-win conversion"), params.to_data(), total, {
        "sources": Table([Column("group", N_("Group")), Column("source", N_("Lead source")), *rate_columns], rows,
                         N_("Leads created in the period by source")),
        "processes": Table([Column("process", N_("Process")), *rate_columns], process_rows, N_("By lead process")),
    }, notes=[N_("Scope: leads created within --from/--to; converted = won with a linked opportunity; "
                 "the opportunities as they are now.")])
