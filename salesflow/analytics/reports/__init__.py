"""The report kinds: each a function ``(Data, Params) -> Report`` built from backend-independent Ibis expressions."""

from __future__ import annotations

from salesflow.analytics.reports import money
from salesflow.analytics.reports.accuracy import accuracy
from salesflow.analytics.reports.adherence import adherence
from salesflow.analytics.reports.base import Data, Params, Report, ReportFunction
from salesflow.analytics.reports.calibration import calibration
from salesflow.analytics.reports.chaintime import lead_to_order
from salesflow.analytics.reports.coaching import coaching
from salesflow.analytics.reports.conversion import lead_to_win
from salesflow.analytics.reports.durations import durations
from salesflow.analytics.reports.forecast import forecast
from salesflow.analytics.reports.funnel import funnel
from salesflow.analytics.reports.hygiene import slips, stale
from salesflow.analytics.reports.lostreasons import lost_reasons
from salesflow.analytics.reports.monitoring import mystery_shopping, satisfaction
from salesflow.analytics.reports.plan import plan
from salesflow.analytics.reports.renewals import renewals
from salesflow.analytics.reports.tat import tat
from salesflow.analytics.reports.waterfall import waterfall
from salesflow.analytics.reports.winrate import winrate
from salesflow.engine.errors import BadInput
from salesflow.engine.texts import N_

#: kind → report function, in the order the dashboard shows them.
KINDS: dict[str, ReportFunction] = {
    "funnel": funnel,
    "durations": durations,
    "adherence": adherence,
    "winrate": winrate,
    "forecast": forecast,
    "waterfall": waterfall,
    "slips": slips,
    "stale": stale,
    "lost-reasons": lost_reasons,
    "calibration": calibration,
    "accuracy": accuracy,
    "plan": plan,
    "lead-to-win": lead_to_win,
    "lead-to-order": lead_to_order,
    "renewals": renewals,
    "mystery-shopping": mystery_shopping,
    "satisfaction": satisfaction,
    "tat": tat,
    "coaching": coaching,
}
#: The reports across the sales chain (lead → opportunity → order / contract → renewal).
CHAIN = ("lead-to-win", "lead-to-order", "renewals")
#: The reports of sales process management (issue 15): assessments, 1:1s and the steps of every process.
PROCESS_MANAGEMENT = ("mystery-shopping", "satisfaction", "tat", "coaching")


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
    if not params.process and not params.all_processes and kind not in (*CHAIN, *PROCESS_MANAGEMENT):
        params = default_process(data, params)
    if params.process and params.process not in data.catalog.processes():
        raise BadInput(f"--process: unknown process {params.process!r} "
                       f"(processes: {', '.join(data.catalog.processes())})")
    report = KINDS[kind](data, params)
    if kind in AMOUNTS_OF_RECORDS:
        report.notes.extend(currency_notes(data, params))
    return report


#: Reports whose amounts are the records' amounts as of now (the forecast, the plan and the funnel name their
#: currency and unconverted records themselves).
AMOUNTS_OF_RECORDS = ("winrate", "lead-to-win", "renewals")


def currency_notes(data: Data, params: Params) -> list[str]:
    """The currency of the amounts and the records (of ``--process``) left out for want of a rate."""
    import datetime

    records = data.records
    if params.process:
        records = records.filter(records.process == params.process)
    missing = money.unconverted(data.rows(records.filter(records.amount_original.notnull() & records.rate.isnull())
                                          .select("record_id", "currency", "amount_original", "rate")))
    day = data.now.astimezone(datetime.UTC).date()
    return [N_("Amounts in %(currency)s at the rates in force on %(day)s.", currency=data.currency, day=day),
            *money.unconverted_note(missing, data.currency, day)]


__all__ = ["CHAIN", "KINDS", "PROCESS_MANAGEMENT", "Data", "Params", "Report", "run_report"]
