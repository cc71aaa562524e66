"""Lost-reason analysis: why deals are lost, by the stage they were lost from, type, owner, amount band and
period, with each reason's share of the lost amount.

The reason is the last value of the library's lost-reason field (library settings
``forecasting.lost_reason_field``, a choice) a record had when it was lost; its details the last value of
``lost_reason_note_field`` (free text, e.g. for "other"). A value that is not one of the field's choices
(a text from before the field became a choice) counts as it is. Records lost within ``--from/--to``
(by the day of the close); amounts in the corporate currency (at today's rates).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from salesflow.analytics.periods import period_containing
from salesflow.analytics.reports import tables
from salesflow.analytics.reports.base import NONE_LABEL, Column, Data, Params, Report, Table, money, ratio, ts
from salesflow.engine.replay import FIELD_CHANGED
from salesflow.engine.texts import N_

#: The label of a lost record without a reason.
NO_REASON = "(no reason)"
DIMENSIONS = (("stage", N_("Stage lost from")), ("type", N_("Type")), ("owner", N_("Owner")),
              ("amount_band", N_("Amount band")), ("period", N_("Quarter")))


def _last_values(data: Data, field: str | None) -> dict[int, str]:
    """Record id → the last value an event gave ``field``."""
    if not field:
        return {}
    events = data.events
    changes = events.filter((events.kind == FIELD_CHANGED) & (events.field == field))
    values: dict[int, str] = {}
    for row in data.rows(changes.select("record_id", "seq", "new_text").order_by("seq")):
        values[row["record_id"]] = row["new_text"]
    return values


def _band(amount: float | None, limits: list[float], labels: list[str]) -> str:
    if amount is None:
        return NONE_LABEL
    for limit, label in zip(limits, labels, strict=False):
        if amount <= limit:
            return label
    return labels[-1]


def lost_reasons(data: Data, params: Params) -> Report:
    """Reasons of the records lost within ``--from/--to``, overall and by stage, type, owner, amount band, quarter."""
    closes = tables.closes(data)
    lost = closes.filter(closes.outcome == "lost")
    if params.from_at:
        lost = lost.filter(lost.closed_at >= ts(params.from_at))
    if params.to_at:
        lost = lost.filter(lost.closed_at < ts(params.to_at))
    records = tables.scoped_records(data, params, created_in_range=False)
    joined = lost.join(records, lost.record_id == records.record_id)
    rows = data.rows(joined.select(record_id=lost.record_id, closed_at=lost.closed_at, from_stage=lost.from_stage,
                                   process=records.process, type=records.type, owner_id=records.owner_id,
                                   amount=records.amount).order_by("record_id"))
    field = data.settings.lost_reason_field
    reasons = _last_values(data, field)
    notes = _last_values(data, data.settings.lost_reason_note_field)
    limits = data.catalog.amount_band_limits(params.process)
    labels = tables.band_labels(limits)
    overall: dict[str, dict[str, Any]] = defaultdict(lambda: {"count": 0, "amount": 0.0})
    grouped: dict[str, dict[tuple[str, str], dict[str, Any]]] = {key: defaultdict(lambda: {"count": 0, "amount": 0.0})
                                                               for key, _ in DIMENSIONS}
    titles: dict[str, Any] = {}
    details = []
    for row in rows:
        reason = reasons.get(row["record_id"]) or NO_REASON
        choices = data.catalog.choices.get((row["process"], field or ""), {})
        titles.setdefault(reason, choices.get(reason, reason))
        amount = row["amount"] or 0.0
        stage = data.catalog.stage(row["process"], row["from_stage"])
        keys = {"stage": stage.title if stage else (row["from_stage"] or NONE_LABEL),
                "type": row["type"] or NONE_LABEL,
                "owner": data.users.get(row["owner_id"], NONE_LABEL) if row["owner_id"] is not None else NONE_LABEL,
                "amount_band": _band(row["amount"], limits, labels),
                "period": period_containing(row["closed_at"], "quarter").key}
        overall[reason]["count"] += 1
        overall[reason]["amount"] += amount
        for dimension, value in keys.items():
            item = grouped[dimension][(value, reason)]
            item["count"] += 1
            item["amount"] += amount
        details.append({"record_id": row["record_id"], "reason": reason, "reason_title": titles[reason],
                        "note": notes.get(row["record_id"]) or "", "stage": keys["stage"], "owner": keys["owner"],
                        "closed_on": row["closed_at"].date().isoformat(), "amount": money(row["amount"])})
    total_amount = sum(item["amount"] for item in overall.values())
    total_count = sum(item["count"] for item in overall.values())
    reason_rows = [{"reason": reason, "reason_title": titles[reason], "count": item["count"],
                    "amount": money(item["amount"]), "share_amount": ratio(item["amount"], total_amount),
                    "share_count": ratio(item["count"], total_count)}
                   for reason, item in sorted(overall.items(), key=lambda pair: (-pair[1]["amount"], pair[0]))]
    result = {"reasons": Table([Column("reason_title", N_("Reason for loss")), Column("count", N_("Lost"), "int"),
                                Column("amount", N_("Lost amount"), "money"),
                                Column("share_amount", N_("Share of lost amount"), "pct"),
                                Column("share_count", N_("Share of lost records"), "pct")], reason_rows,
                               N_("Why deals were lost"))}
    for dimension, label in DIMENSIONS:
        totals: dict[str, float] = defaultdict(float)
        for (value, _reason), item in grouped[dimension].items():
            totals[value] += item["amount"]
        table_rows = [{"group": value, "reason": reason, "reason_title": titles[reason], "count": item["count"],
                       "amount": money(item["amount"]), "share_amount": ratio(item["amount"], totals[value]),
                       "share_of_all": ratio(item["amount"], total_amount)}
                      for (value, reason), item in sorted(grouped[dimension].items(),
                                                          key=lambda pair: (str(pair[0][0]), -pair[1]["amount"]))]
        result[f"by_{dimension}"] = Table(
            [Column("group", label), Column("reason_title", N_("Reason for loss")), Column("count", N_("Lost"), "int"),
             Column("amount", N_("Lost amount"), "money"),
             Column("share_amount", N_("Share of the group's lost amount"), "pct"),
             Column("share_of_all", N_("Share of all lost amount"), "pct")], table_rows,
            N_("Reasons for loss by %(dimension)s", dimension=label))
    result["records"] = Table([Column("record_id", N_("Record"), "int"), Column("reason_title", N_("Reason for loss")),
                               Column("note", N_("Details")), Column("stage", N_("Stage lost from")),
                               Column("owner", N_("Owner")), Column("closed_on", N_("Lost on")),
                               Column("amount", N_("Amount"), "money")], details, N_("Lost records"))
    summary = {"lost": total_count, "lost_amount": money(total_amount), "currency": data.currency,
               "with_reason": sum(1 for row in details if row["reason"] != NO_REASON),
               "top_reason": reason_rows[0]["reason"] if reason_rows else None,
               "top_reason_share": reason_rows[0]["share_amount"] if reason_rows else None}
    notes_list = [N_("The reason is the last value of the field %(field)s when the record was lost; amounts in "
                     "%(currency)s at today's rates.", field=field or "–", currency=data.currency)]
    return Report("lost-reasons", N_("Reasons for loss"), params.to_data(), summary, result, notes=notes_list)
