"""The report kinds: each a function ``(Data, Params) -> Report`` built from backend-independent Ibis expressions."""

from __future__ import annotations

from salesflow.analytics.reports.accuracy import accuracy
from salesflow.analytics.reports.adherence import adherence
from salesflow.analytics.reports.base import Data, Params, Report, ReportFunction
from salesflow.analytics.reports.calibration import calibration
from salesflow.analytics.reports.chaintime import lead_to_order
from salesflow.analytics.reports.conversion import lead_to_win
from salesflow.analytics.reports.durations import durations
from salesflow.analytics.reports.forecast import forecast
from salesflow.analytics.reports.funnel import funnel
from salesflow.analytics.reports.plan import plan
from salesflow.analytics.reports.renewals import renewals
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
    "lead-to-win": lead_to_win,
    "lead-to-order": lead_to_order,
    "renewals": renewals,
}
#: The reports across the sales chain (lead → opportunity → order / contract → renewal).
CHAIN = ("lead-to-win", "lead-to-order", "renewals")


def default_process(data: Data, params: Params) -> Params:
    """Without ``--process`` a per-process report speaks of the sales pipeline: the only opportunity process
    (with several, or none, every process; ``--process all`` always asks for every process)."""
    import dataclasses

    opportunities = data.catalog.processes_of_kind("opportunity")
    if len(opportunities) == 1 and len(data.catalog.processes()) > 1:
        return dataclasses.replace(params, process=opportunities[0])
    return params


def run_report(kind: str, data: Data, params: Params) -> Report:
    """Run one report kind; an unknown kind or bad parameters raise `BadInput`."""
    if kind not in KINDS:
        raise BadInput(f"unknown report {kind!r} (reports: {', '.join(KINDS)})")
    params.check()
    if not params.process and not params.all_processes and kind not in CHAIN:
        params = default_process(data, params)
    if params.process and params.process not in data.catalog.processes():
        raise BadInput(f"--process: unknown process {params.process!r} "
                       f"(processes: {', '.join(data.catalog.processes())})")
    return KINDS[kind](data, params)


__all__ = ["CHAIN", "KINDS", "Data", "Params", "Report", "run_report"]
