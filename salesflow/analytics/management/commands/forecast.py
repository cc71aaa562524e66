"""``salesflow forecast snapshot|backfill|list``: weekly forecast snapshots (the history behind `report accuracy`)."""

from __future__ import annotations

import json
from typing import Any

from salesflow.analytics.models import ForecastSnapshot
from salesflow.analytics.options import Progress, parse_instant
from salesflow.analytics.periods import parse_period
from salesflow.analytics.snapshots import backfill_snapshots, take_snapshot
from salesflow.analytics.source import ENGINES
from salesflow.cli_support import SalesflowCommand
from salesflow.forecasting import cli as forecasting_cli
from salesflow.interop.progress import progress_bars

ACTIONS = {
    "snapshot": "Store the forecast as it stands now (this and next quarter, or --period …); run weekly.",
    "backfill": "Rebuild the weekly snapshots of the past from the event log (as-of reconstruction).",
    "list": "List the stored snapshots.",
}


def snapshot_data(snapshot: ForecastSnapshot) -> dict[str, Any]:
    """A snapshot as JSON-ready data."""
    return {"taken_at": snapshot.taken_at.isoformat(), "period": snapshot.period, "process": snapshot.process,
            "won": f"{snapshot.won:f}", "commit": f"{snapshot.commit:f}", "best_case": f"{snapshot.best_case:f}",
            "pipeline": f"{snapshot.pipeline:f}", "weighted": f"{snapshot.weighted:f}",
            "expected": f"{snapshot.expected:f}", "p10": f"{snapshot.p10:f}", "p50": f"{snapshot.p50:f}",
            "p90": f"{snapshot.p90:f}", "target": f"{snapshot.target:f}" if snapshot.target is not None else None,
            "backfilled": snapshot.backfilled}


class Command(SalesflowCommand):
    help = ("Forecast snapshots (take one weekly, rebuild the past ones, list them) and forecast submissions "
            "(submit, adjust, rollup, lock, team, accuracy). Exit codes: 0 done, 1 bad input, 4 not permitted.")

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        p = {name: sub.add_parser(name, help=text, description=text) for name, text in ACTIONS.items()}
        for name in ("snapshot", "backfill"):
            p[name].add_argument("--process", metavar="KEY", help="one process (default: every opportunity process)")
            p[name].add_argument("--engine", choices=ENGINES, default="duckdb")
            p[name].add_argument("--seed", type=int, default=0, metavar="N", help="Monte Carlo seed (default 0)")
            p[name].add_argument("--json", action="store_true")
        p["snapshot"].add_argument("--period", action="append", default=None, metavar="PERIOD",
                                   help="period to snapshot (repeatable; default: this and next quarter)")
        p["snapshot"].add_argument("--as-of", dest="as_of", metavar="WHEN", help="default: now")
        p["backfill"].add_argument("--since", metavar="DATE", help="first week (default: the first record)")
        p["backfill"].add_argument("--until", metavar="WHEN", help="last week (default: now)")
        p["list"].add_argument("--process", metavar="KEY")
        p["list"].add_argument("--period", metavar="PERIOD")
        p["list"].add_argument("--json", action="store_true")
        forecasting_cli.add_parsers(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action in forecasting_cli.ACTIONS:
            forecasting_cli.handle(self, action, options)
        elif action == "snapshot":
            periods = [parse_period(text) for text in options["period"]] if options["period"] else None
            snapshots = take_snapshot(options["process"], periods, parse_instant(options["as_of"]),
                                      options["engine"], seed=options["seed"])
            self._print(snapshots, options["json"])
        elif action == "backfill":
            with progress_bars() as bars:
                count = backfill_snapshots(options["process"], parse_instant(options["until"], "--until"),
                                           parse_instant(options["since"], "--since"), options["engine"],
                                           seed=options["seed"], progress=Progress(bars, "rebuilding snapshots"))
            if options["json"]:
                self.emit_json({"snapshots": count})
            else:
                self.stdout.write(f"{count} snapshot(s) rebuilt from the event log")
        else:
            query = ForecastSnapshot.objects.all()
            if options["process"]:
                query = query.filter(process=options["process"])
            if options["period"]:
                query = query.filter(period=parse_period(options["period"]).key)
            self._print(list(query), options["json"])

    def _print(self, snapshots: list[ForecastSnapshot], as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps([snapshot_data(item) for item in snapshots], indent=2))
            return
        for item in snapshots:
            target = f"{item.target:,.0f}" if item.target is not None else "–"
            self.stdout.write(f"{item.taken_at:%Y-%m-%d %H:%M} {item.process} {item.period}: won {item.won:,.0f} "
                              f"expected {item.expected:,.0f} (P10 {item.p10:,.0f} / P50 {item.p50:,.0f} / "
                              f"P90 {item.p90:,.0f}) target {target}")
        if not snapshots:
            self.stdout.write("no snapshots")
