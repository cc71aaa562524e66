"""Amounts in the corporate currency: the rate in force on a figure's as-of date, joined in Ibis.

``rates`` is the table of stored exchange rates (``date``, ``from_currency``, ``to_currency``,
``rate``: ``1 FROM = rate TO`` from ``date`` until the pair's next rate). `factors` turns it into
one factor per currency and validity interval *into the corporate currency*: a rate ``X → corporate``
as it is, a rate ``corporate → X`` inverted — of the two the later one, on the same date the direct
one (the rule of `salesflow.currency.book.RateBook`). `convert` joins a table's rows on their
currency and day: ``amount`` becomes the amount in the corporate currency, ``amount_original`` keeps
the record's own amount, ``rate`` the factor used. A currency without a rate on the day gives a
null amount (left out of every sum) — never the amount at face value; `unconverted` lists those rows.
Everything is one Ibis expression, so DuckDB and PostgreSQL compute the same.
"""

from __future__ import annotations

import datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from salesflow.engine.texts import N_

RATE_SCHEMA = ibis.schema({"date": "date", "from_currency": "string", "to_currency": "string", "rate": "float64"})


def no_rates() -> ir.Table:
    """An empty rates table."""
    return ibis.memtable(RATE_SCHEMA.to_pyarrow().empty_table())


def rates_of(data: Any) -> ir.Table:
    """The rates of a `Data` (an empty table when it has none)."""
    return data.rates if data.rates is not None else no_rates()


def normalize_rates(raw: ir.Table) -> ir.Table:
    """The stored rates (``currency_exchangerate``) with `RATE_SCHEMA`'s columns."""
    return raw.select(date=raw.date.cast("date"), from_currency=raw.from_currency.cast("string"),
                      to_currency=raw.to_currency.cast("string"), rate=raw.rate.cast("float64"))


def factors(rates: ir.Table, corporate: str) -> ir.Table:
    """Per currency and validity interval the factor into ``corporate``: fx_currency, fx_from, fx_to
    (exclusive; null: still in force), fx_factor."""
    base = ibis.literal(corporate)
    direct = rates.filter((rates.to_currency == base) & (rates.from_currency != base))
    inverse = rates.filter((rates.from_currency == base) & (rates.to_currency != base))
    candidates = ibis.union(
        direct.select(fx_currency=direct.from_currency, fx_from=direct.date, fx_factor=direct.rate,
                      fx_priority=ibis.literal(0, type="int64")),
        inverse.select(fx_currency=inverse.to_currency, fx_from=inverse.date, fx_factor=1.0 / inverse.rate,
                       fx_priority=ibis.literal(1, type="int64")),
        distinct=False,
    )
    best = candidates.group_by(["fx_currency", "fx_from"]).agg(fx_best=candidates.fx_priority.min())
    chosen = candidates.join(best, [candidates.fx_currency == best.fx_currency, candidates.fx_from == best.fx_from,
                                    candidates.fx_priority == best.fx_best])
    chosen = chosen.select(fx_currency=candidates.fx_currency, fx_from=candidates.fx_from,
                           fx_factor=candidates.fx_factor)
    window = ibis.window(group_by=chosen.fx_currency, order_by=chosen.fx_from)
    return chosen.mutate(fx_to=chosen.fx_from.lead().over(window))


def factors_of(data: Any) -> ir.Table:
    """`factors` of a `Data`'s rates into its corporate currency (the expression built once per `Data`)."""
    return data.expression("fx_factors", lambda: factors(rates_of(data), data.currency))


def convert(table: ir.Table, rates: ir.Table, corporate: str, day: ir.Value | datetime.date,
            amount: str = "amount", currency: str = "currency", found: ir.Table | None = None) -> ir.Table:
    """``table`` with ``amount`` in ``corporate`` at the rate in force on ``day`` (a date or a date column of
    ``table``), ``amount_original`` (as it was) and ``rate`` (null: no rate — the amount is then null).
    ``found``: `factors` of ``rates`` when the caller has them already (`factors_of`)."""
    day_value = ibis.literal(day, type="date") if isinstance(day, datetime.date) else day
    rows = table.mutate(fx_day=day_value, fx_code=table[currency].fill_null(corporate))
    found = found if found is not None else factors(rates, corporate)
    joined = rows.left_join(found, [rows.fx_code == found.fx_currency, found.fx_from <= rows.fx_day,
                                    found.fx_to.isnull() | (rows.fx_day < found.fx_to)])
    rate = ibis.ifelse(joined.fx_code == ibis.literal(corporate), ibis.literal(1.0), joined.fx_factor)
    original = joined[amount]
    result = joined.mutate(**{"amount_original": original, "rate": rate})
    result = result.mutate(**{amount: result.amount_original * result.rate})
    return result.drop("fx_day", "fx_code", "fx_currency", "fx_from", "fx_to", "fx_factor")


def unconverted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows (with record_id, currency, amount_original, rate) whose amount has no rate, for a report."""
    return [{"record_id": row["record_id"], "currency": row["currency"],
             "amount": round(float(row["amount_original"]), 2)}
            for row in sorted(rows, key=lambda row: row["record_id"])
            if row.get("amount_original") is not None and row.get("rate") is None]


def unconverted_note(items: list[dict[str, Any]], corporate: str, day: datetime.date | None = None) -> list[str]:
    """One note per record left out of the totals for want of a rate."""
    if day is None:
        return [N_("Record %(record)s (%(amount)s %(currency)s): no exchange rate %(currency)s → %(corporate)s"
                   " — left out of the totals", record=item["record_id"], amount=f"{item['amount']:,.2f}",
                   currency=item["currency"], corporate=corporate) for item in items]
    return [N_("Record %(record)s (%(amount)s %(currency)s): no exchange rate %(currency)s → %(corporate)s"
               " on %(day)s — left out of the totals", record=item["record_id"], amount=f"{item['amount']:,.2f}",
               currency=item["currency"], corporate=corporate, day=day) for item in items]
