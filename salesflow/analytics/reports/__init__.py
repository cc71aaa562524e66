"""The report kinds: each a function ``(Data, Params) -> Report`` built from backend-independent Ibis expressions."""

from __future__ import annotations

from salesflow.analytics.reports.accuracy import accuracy
from salesflow.analytics.reports.adherence import adherence
from salesflow.analytics.reports.base import Data, Params, Report, ReportFunction
from salesflow.analytics.reports.calibration import calibration
from salesflow.analytics.reports.durations import durations
from salesflow.analytics.reports.forecast import forecast
from salesflow.analytics.reports.funnel import funnel
from salesflow.analytics.reports.plan import plan
from salesflow.analytics.reports.winrate import winrate
from salesflow.engine.errors import BadInput

#: kind → report function, in the order the dashboard shows them.
KINDS: dict[str, ReportFunction] = {
    "funnel": funnel,
    "durations": durations,
    "adherence": adherence,
    "winrate": winrate,
    "forecast": forecast,
    "calibration": calibration,
    "accuracy": accuracy,
    "plan": plan,
}


def run_report(kind: str, data: Data, params: Params) -> Report:
    """Run one report kind; an unknown kind or bad parameters raise `BadInput`."""
    if kind not in KINDS:
        raise BadInput(f"unknown report {kind!r} (reports: {', '.join(KINDS)})")
    params.check()
    return KINDS[kind](data, params)


__all__ = ["KINDS", "Data", "Params", "Report", "run_report"]
