"""Funnel: how many records entered each stage, how many went on to the next stage and to Won.

Scope: the records created within ``--from/--to`` (of ``--process``). A record counts once per
stage it entered at least once (a record sent back and entering again is not counted twice).
``to_next`` is the share of those records that also entered the next stage (the next open stage;
Won after the last one); ``to_won`` the share of them that were won; ``lost_here`` the records lost
from this stage. The win rate is won / (won + lost) of the closed records in scope. ``open`` / ``open_amount``: the
records of the scope open in the stage now and their amount in the corporate currency (a record in a
currency without a rate is named in ``unconverted`` and left out of the amounts).
"""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.analytics.reports import money, tables
from salesflow.analytics.reports.base import (
    NONE_LABEL,
    Column,
    Data,
    Params,
    Report,
    Table,
    index_rows,
    ratio,
)
from salesflow.analytics.reports.base import money as money_of
from salesflow.engine.texts import N_


def funnel(data: Data, params: Params) -> Report:
    """The funnel report."""
    records = tables.grouped(data, tables.scoped_records(data, params), params.by)
    keys = records.select("record_id", "group", "process", "outcome")
    visits = tables.visits_of(data)
    visits = visits.join(keys.select("record_id", "group", "outcome"), "record_id")
    entered = visits.group_by(["group", visits.process, "stage"]).agg(
        entered=visits.record_id.nunique(),
        won=visits.record_id.nunique(where=visits.outcome == "won"),
    )
    closes = tables.closes(data)
    closes = closes.join(keys.select("record_id", "group", "process"), "record_id")
    lost_from = closes.filter(closes.outcome == "lost")
    lost_from = lost_from.group_by(["group", "process", "from_stage"]).agg(lost=lost_from.record_id.nunique())
    totals = keys.group_by(["group", "process"]).agg(
        records=keys.record_id.nunique(),
        won=keys.record_id.nunique(where=keys.outcome == "won"),
        lost=keys.record_id.nunique(where=keys.outcome == "lost"),
    )
    open_records = records.filter(records.outcome.isnull())
    current = open_records.group_by(["group", "process", "stage"]).agg(
        open=open_records.record_id.nunique(), open_amount=open_records.amount.sum())
    current_rows = index_rows(data.rows(current), "group", "process", "stage")
    missing = money.unconverted(data.rows(open_records.filter(
        open_records.amount_original.notnull() & open_records.rate.isnull()).select(
        "record_id", "currency", "amount_original", "rate").distinct()))
    entered_rows = index_rows(data.rows(entered), "group", "process", "stage")
    lost_rows = index_rows(data.rows(lost_from), "group", "process", "from_stage")
    total_rows = data.rows(totals)

    rows: list[dict[str, Any]] = []
    summary_groups: list[dict[str, Any]] = []
    for total in sorted(total_rows, key=lambda row: (row["process"], row["group"] == NONE_LABEL, row["group"])):
        group, process = total["group"], total["process"]
        order = data.catalog.stage_order(process)
        open_ids = [stage.stage for stage in order if stage.outcome is None]
        won_ids = [stage.stage for stage in order if stage.outcome == "won"]
        for stage in order:
            found = entered_rows.get((group, process, stage.stage), {})
            count = int(found.get("entered") or 0)
            if stage.outcome is None:
                position = open_ids.index(stage.stage)
                following = open_ids[position + 1] if position + 1 < len(open_ids) else (won_ids[0] if won_ids else None)
                next_count = int(entered_rows.get((group, process, following), {}).get("entered") or 0) \
                    if following else 0
            else:
                following, next_count = None, None
            rows.append({
                "group": group, "process": process, "stage": stage.stage, "stage_title": stage.title,
                "outcome": stage.outcome, "entered": count,
                "next_stage": following, "entered_next": next_count,
                "to_next": ratio(next_count, count) if following else None,
                "won": int(found.get("won") or 0) if stage.outcome != "lost" else 0,
                "to_won": ratio(found.get("won") or 0, count) if stage.outcome != "lost" else None,
                "lost_here": int(lost_rows.get((group, process, stage.stage), {}).get("lost") or 0),
                "open": int(current_rows.get((group, process, stage.stage), {}).get("open") or 0),
                "open_amount": money_of(current_rows.get((group, process, stage.stage), {}).get("open_amount")),
            })
        closed = total["won"] + total["lost"]
        summary_groups.append({"group": group, "process": process, "records": total["records"], "won": total["won"],
                               "lost": total["lost"], "open": total["records"] - closed,
                               "open_amount": round(sum(row["open_amount"] for row in rows
                                                        if row["group"] == group and row["process"] == process), 2),
                               "win_rate": ratio(total["won"], closed)})
    records_total = sum(item["records"] for item in summary_groups) if params.by in (None, "type", "owner",
                                                                                     "process-version") else None
    won = sum(item["won"] for item in summary_groups)
    lost = sum(item["lost"] for item in summary_groups)
    open_amount = round(sum(item["open_amount"] for item in summary_groups), 2) if params.by != "team" else None
    summary = {"records": records_total, "won": won, "lost": lost, "win_rate": ratio(won, won + lost),
               "currency": data.currency, "open_amount": open_amount, "unconverted": missing}
    if params.by == "team":
        summary = {"note": N_("an owner in several teams counts in each"), "currency": data.currency,
                   "unconverted": missing}
    columns = [Column("group", N_("Group")), Column("process", N_("Process")), Column("stage", N_("Stage")),
               Column("entered", N_("Entered"), "int"), Column("entered_next", N_("Entered next"), "int"),
               Column("to_next", N_("To next stage"), "pct"), Column("won", N_("Won"), "int"),
               Column("to_won", N_("To Won"), "pct"), Column("lost_here", N_("Lost here"), "int"),
               Column("open", N_("Open now"), "int"), Column("open_amount", N_("Open amount"), "money")]
    group_columns = [Column("group", N_("Group")), Column("process", N_("Process")), Column("records", N_("Records"), "int"),
                     Column("won", N_("Won"), "int"), Column("lost", N_("Lost"), "int"), Column("open", N_("Open"), "int"),
                     Column("open_amount", N_("Open amount"), "money"), Column("win_rate", N_("Win rate"), "pct")]
    return Report("funnel", N_("Funnel"), params.to_data(), summary,
                  {"stages": Table(columns, rows, N_("Records entering each stage")),
                   "groups": Table(group_columns, summary_groups, N_("Win rate"))},
                  notes=[N_("Scope: records created within --from/--to; a record counts once per stage it entered."),
                         N_("Open amounts in %(currency)s at the rates in force on %(day)s.", currency=data.currency,
                            day=data.now.astimezone(datetime.UTC).date()),
                         *money.unconverted_note(missing, data.currency)])
