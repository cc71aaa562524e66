"""Which rate converts an amount on a day: direct, inverse, or across the corporate currency (framework-free).

A stored rate says ``1 FROM = rate TO`` from its date on, until the pair's next dated rate. To
convert ``FROM → TO`` on a day, the rate in force that day is looked up in this order:

1. a rate of the pair ``FROM → TO``, or of ``TO → FROM`` (used inverted: ``1 / rate``) — of the
   two, the one with the later date; on the same date the direct one;
2. otherwise *triangulation* through the corporate currency: ``FROM → corporate`` × ``corporate → TO``,
   each found as in 1.

Without such rates there is no conversion (None): the amount is never taken at face value.
The analytics engine applies the same rule in its Ibis expressions
(`salesflow.analytics.reports.money`) — there only conversions into the corporate currency occur.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Conversion:
    """A conversion done: ``amount`` in ``from_currency`` is ``converted`` in ``to_currency`` at ``rate``
    (the rate in force on ``date``; ``via`` names the currency of a triangulation)."""

    from_currency: str
    to_currency: str
    rate: Decimal
    date: datetime.date
    amount: Decimal
    converted: Decimal
    via: str | None = None

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form (decimal strings), as events record it."""
        data = {"from": self.from_currency, "to": self.to_currency, "rate": f"{self.rate:f}",
                "date": self.date.isoformat(), "amount": f"{self.amount:f}", "converted": f"{self.converted:f}"}
        if self.via:
            data["via"] = self.via
        return data


class RateBook:
    """Dated rates in memory: ``rows`` of (date, from, to, rate); ``corporate`` for triangulation."""

    def __init__(self, rows: list[tuple[datetime.date, str, str, Decimal]], corporate: str) -> None:
        self.corporate = corporate
        self._pairs: dict[tuple[str, str], tuple[list[datetime.date], list[Decimal]]] = {}
        for day, source, target, rate in sorted(rows, key=lambda row: row[0]):
            dates, rates = self._pairs.setdefault((source, target), ([], []))
            dates.append(day)
            rates.append(Decimal(rate))

    def _in_force(self, source: str, target: str, day: datetime.date) -> tuple[datetime.date, Decimal] | None:
        found = self._pairs.get((source, target))
        if not found:
            return None
        dates, rates = found
        index = bisect.bisect_right(dates, day) - 1
        return (dates[index], rates[index]) if index >= 0 else None

    def pair_rate(self, source: str, target: str, day: datetime.date) -> Decimal | None:
        """The rate of ``source → target`` on ``day`` from the pair itself (direct or inverted), or None."""
        if source == target:
            return Decimal(1)
        direct = self._in_force(source, target, day)
        inverse = self._in_force(target, source, day)
        if direct and (not inverse or direct[0] >= inverse[0]):
            return direct[1]
        if inverse and inverse[1]:
            return Decimal(1) / inverse[1]
        return None

    def rate(self, source: str, target: str, day: datetime.date) -> tuple[Decimal, str | None] | None:
        """The rate of ``source → target`` on ``day`` and the currency triangulated through (or None)."""
        direct = self.pair_rate(source, target, day)
        if direct is not None:
            return direct, None
        if self.corporate in (source, target):
            return None
        first = self.pair_rate(source, self.corporate, day)
        second = self.pair_rate(self.corporate, target, day)
        if first is None or second is None:
            return None
        return first * second, self.corporate

    def convert(self, amount: Decimal, source: str, target: str, day: datetime.date) -> Conversion | None:
        """``amount`` of ``source`` in ``target`` at the rate in force on ``day`` (None: no rate)."""
        found = self.rate(source, target, day)
        if found is None:
            return None
        rate, via = found
        converted = (Decimal(amount) * rate).quantize(Decimal("0.01"))
        return Conversion(source, target, rate, day, Decimal(amount), converted, via)
