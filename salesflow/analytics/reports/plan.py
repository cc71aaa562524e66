"""Sales planning: the targets of a period per team, owner or type, with attainment and coverage.

For every scope that has a target in ``--period`` (the whole process, a team, an owner, a type —
see `salesflow.analytics.planning` for how targets add up): the target, the amount won in the
period so far, ``attainment`` = won / target, the open pipeline whose close date lies in the
period, ``coverage`` = open pipeline / (target − won), and the expected attainment
(won + weighted) / target. Computed as of now (or ``--as-of``), like the forecast.
"""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.analytics import planning
from salesflow.analytics.periods import period_containing
from salesflow.analytics.reports.base import ALL_LABEL, Column, Data, Params, Report, Table, money, ratio
from salesflow.analytics.reports.forecast import GroupForecast, Moment, compute
from salesflow.engine.texts import N_

_DIMENSION = {None: None, "team": "team", "owner": "owner", "type": "type"}


def plan(data: Data, params: Params) -> Report:
    """The planning report of ``params.period`` (default: the current quarter)."""
    at = params.as_of or data.now
    period = params.period or period_containing(at, "quarter")
    targets = data.targets_on(at.astimezone(datetime.UTC).date())
    scopes = planning.scopes_with_targets(targets, period, params.process)
    if scopes and (None, None) not in scopes and planning.target_for(targets, period, params.process):
        scopes.insert(0, (None, None))  # the whole process: the sum of the team targets
    if params.by:
        scopes = [scope for scope in scopes if scope[0] == params.by]
    forecasts: dict[str | None, dict[str, GroupForecast]] = {}
    for dimension in sorted({scope[0] for scope in scopes}, key=lambda item: item or ""):
        forecasts[dimension] = compute(data, params, [Moment(0, at, period)], _DIMENSION[dimension],
                                       simulate=False, details=False).get(0, {})
    rows: list[dict[str, Any]] = []
    for scope, value in scopes:
        target = planning.target_for(targets, period, params.process, scope, value)
        if target is None:
            continue
        found = forecasts.get(scope, {}).get(value if scope else ALL_LABEL)
        won = found.won if found else 0.0
        open_amount = found.open_amount if found else 0.0
        expected = found.expected if found else 0.0
        remaining = target - won
        rows.append({
            "scope": scope or "all", "value": value or ALL_LABEL, "target": money(target), "won": won,
            "attainment": ratio(won, target), "open_amount": open_amount,
            "weighted": found.weighted if found else 0.0, "expected": expected,
            "expected_attainment": ratio(expected, target), "gap": round(remaining, 2),
            "coverage": ratio(open_amount, remaining) if remaining > 0 else None,
        })
    overall = next((row for row in rows if row["scope"] == "all"), None)
    summary = {"period": period.key, "currency": data.currency, "targets": len(rows),
               "target": overall["target"] if overall else None,
               "won": overall["won"] if overall else None,
               "attainment": overall["attainment"] if overall else None,
               "coverage": overall["coverage"] if overall else None}
    columns = [Column("scope", N_("Scope")), Column("value", N_("Of")), Column("target", N_("Target"), "money"),
               Column("won", N_("Won"), "money"), Column("attainment", N_("Attainment"), "pct"),
               Column("open_amount", N_("Open pipeline"), "money"), Column("weighted", N_("Weighted"), "money"),
               Column("expected", N_("Expected"), "money"), Column("expected_attainment", N_("Expected attainment"), "pct"),
               Column("gap", N_("Gap"), "money"), Column("coverage", N_("Coverage"), "num")]
    return Report("plan", N_("Sales plan %(period)s", period=period.key), {**params.to_data(), "period": period.key}, summary,
                  {"targets": Table(columns, rows, N_("Targets %(period)s: attainment and coverage", period=period.key))},
                  notes=[N_("Set targets with `salesflow target set` or import a CSV with `salesflow target import`."),
                         N_("Amounts in %(currency)s at the rates in force on %(day)s.", currency=data.currency,
                            day=at.astimezone(datetime.UTC).date()),
                         *planning.missing_target_notes(data.missing_targets_on(at.astimezone(datetime.UTC).date()), data.currency,
                                                        at.astimezone(datetime.UTC).date())])
