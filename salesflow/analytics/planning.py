"""Which target applies to a period and scope (framework-free; targets are plain dicts).

A target has ``period``, ``process``, optional ``team`` / ``owner`` / ``type`` (at most one set:
the scope) and ``amount``. The target of a period and scope is

1. the sum of the targets set for exactly that period and scope; else
2. the sum of the targets of the next finer periods inside it (the months of a quarter, the
   quarters of a year — or the months of a year without quarter targets); else
3. for the whole process (no scope): the same, summed over the team targets.

Without any, there is no target (None). Targets of the other processes never count; without a
process, the targets of every process add up. A target in another currency than the corporate one
counts converted at the rate in force on the figure's as-of date (`targets_in_currency`); one
without a rate on that day does not count (the report names it).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from salesflow.analytics.periods import GRANULARITY_ORDER, Period, parse_period
from salesflow.engine.errors import BadInput

SCOPES = ("team", "owner", "type")


def _scope_of(target: dict[str, Any]) -> tuple[str | None, str | None]:
    for name in SCOPES:
        if target.get(name):
            return name, target[name]
    return None, None


def _sum_for(targets: list[dict[str, Any]], period: Period, scope: tuple[str | None, str | None]) -> float | None:
    matching = [target for target in targets if _scope_of(target) == scope]
    exact = [target["amount"] for target in matching if parse_period(target["period"]).key == period.key]
    if exact:
        return float(sum(exact))
    finer: dict[str, list[float]] = {}
    for target in matching:
        inner = parse_period(target["period"])
        if period.contains(inner) and GRANULARITY_ORDER[inner.granularity] < GRANULARITY_ORDER[period.granularity]:
            finer.setdefault(inner.granularity, []).append(target["amount"])
    for granularity in ("quarter", "month"):
        if finer.get(granularity):
            return float(sum(finer[granularity]))
    return None


def target_for(targets: list[dict[str, Any]], period: Period, process: str | None = None,
               scope: str | None = None, value: str | None = None) -> float | None:
    """The target of ``period`` for one scope (``team``/``owner``/``type`` = ``value``) or the whole process."""
    if scope is not None and scope not in SCOPES:
        raise BadInput(f"target scope: one of {', '.join(SCOPES)} expected, got {scope!r}")
    relevant = [target for target in targets if process is None or target["process"] == process]
    if scope is not None:
        return _sum_for(relevant, period, (scope, value))
    overall = _sum_for(relevant, period, (None, None))
    if overall is not None:
        return overall
    teams = sorted({target["team"] for target in relevant if _scope_of(target)[0] == "team"})
    sums = [_sum_for(relevant, period, ("team", team)) for team in teams]
    sums = [value for value in sums if value is not None]
    return float(sum(sums)) if sums else None


def scopes_with_targets(targets: list[dict[str, Any]], period: Period, process: str | None = None
                        ) -> list[tuple[str | None, str | None]]:
    """The (scope, value) pairs that have a target in ``period`` (itself or inside it), whole process first."""
    found = set()
    for target in targets:
        if process is not None and target["process"] != process:
            continue
        if period.contains(parse_period(target["period"])):
            found.add(_scope_of(target))
    return sorted(found, key=lambda item: (item[0] is not None, item[0] or "", item[1] or ""))


def targets_in_currency(targets: list[dict[str, Any]], book: Any, corporate: str, day: datetime.date
                        ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The targets with their amounts in ``corporate`` at the rates of ``book`` (a
    `salesflow.currency.book.RateBook`, or None: no rates) in force on ``day``, and those without a rate."""
    converted, missing = [], []
    for target in targets:
        currency = (target.get("currency") or corporate).upper()
        if currency == corporate:
            converted.append(target)
            continue
        found = book.rate(currency, corporate, day) if book is not None else None
        if found is None:
            missing.append(target)
            continue
        amount = float((Decimal(str(target["amount"])) * found[0]).quantize(Decimal("0.01")))
        converted.append({**target, "amount": amount, "amount_original": target["amount"], "rate": float(found[0])})
    return converted, missing


def missing_target_notes(missing: list[dict[str, Any]], corporate: str, day: datetime.date) -> list[str]:
    """One note per target left out for want of a rate."""
    notes = []
    for target in missing:
        scope = next((f"{name} {target[name]}" for name in SCOPES if target.get(name)), "all")
        notes.append(f"Target {target['period']} ({scope}, {target['amount']:,.2f} {target['currency']}): no exchange "
                     f"rate {target['currency']} → {corporate} on {day.isoformat()} — not counted")
    return notes
