"""``salesflow report KIND``: sales-controlling reports from the event log (table, JSON or CSV; SVG/PNG charts)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from rich.console import Console

from salesflow.analytics.charts import CHART_FORMATS, render_chart
from salesflow.analytics.options import Progress, params_from
from salesflow.analytics.render import FORMATS, print_tables, to_csv, to_json
from salesflow.analytics.reports import CHAIN, KINDS, run_report
from salesflow.analytics.source import ENGINES, data_for
from salesflow.cli_support import SalesflowCommand
from salesflow.interop.progress import progress_bars


class Command(SalesflowCommand):
    help = ("Sales-controlling reports computed from the event log: " + ", ".join(KINDS) + "; "
            "`chain` runs the reports across the sales chain (" + ", ".join(CHAIN) + "), `all` every one. "
            "Exit codes: 0 done, 1 bad input.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=[*KINDS, "chain", "all"], metavar="KIND",
                            help=f"one of {', '.join(KINDS)} (or chain, all)")
        parser.add_argument("--process", metavar="KEY",
                            help="only records of this process; default: the opportunity process (the chain "
                                 "reports: every process); 'all' for every process")
        parser.add_argument("--from", dest="from", metavar="DATE", help="start of the date range (YYYY-MM-DD)")
        parser.add_argument("--to", metavar="DATE", help="end of the date range, inclusive (YYYY-MM-DD)")
        parser.add_argument("--by", metavar="DIMENSION",
                            help="owner | team | type | process-version (winrate also: amount-band)")
        parser.add_argument("--period", metavar="PERIOD", help="forecast/plan period: 2027-Q1, 2027-01 or 2027")
        parser.add_argument("--as-of", dest="as_of", metavar="WHEN", help="forecast/plan as of a date or date-time")
        parser.add_argument("--format", choices=FORMATS, default="table", help="table (default), json or csv")
        parser.add_argument("--table", metavar="NAME", help="with --format csv/table: only this table of the report")
        parser.add_argument("--engine", choices=ENGINES, default="duckdb",
                            help="duckdb (embedded mirror, default) or postgres (directly on the database)")
        parser.add_argument("--as", dest="as_user", metavar="USER", help="count only the records USER may see")
        parser.add_argument("--seed", metavar="N", help="Monte Carlo seed (default 0)")
        parser.add_argument("--trials", metavar="N", help="Monte Carlo trials (default 10000, at least 10000)")
        parser.add_argument("--no-calibration", action="store_true", dest="no_calibration",
                            help="Monte Carlo with the stage defaults instead of calibrated probabilities")
        parser.add_argument("--chart", metavar="FILE", help="also write the report's chart to FILE (.svg or .png)")

    def handle(self, *args: Any, **options: Any) -> None:
        from salesflow.records.services import get_user

        params = params_from(options)
        chart = Path(options["chart"]) if options.get("chart") else None
        if chart is not None and chart.suffix.lower().lstrip(".") not in CHART_FORMATS:
            raise CommandError(f"--chart: the file must end in .svg or .png, got {chart.name}")
        if options["kind"] in ("all", "chain") and (options["format"] == "csv" or chart):
            raise CommandError(f"report {options['kind']} prints table or json (CSV and charts need one report)")
        user = get_user(options["as_user"]) if options.get("as_user") else None
        kinds = {"all": list(KINDS), "chain": list(CHAIN)}.get(options["kind"], [options["kind"]])
        with progress_bars() as bars:
            with data_for(options["engine"], user, progress=Progress(bars, "loading the event log")) as data:
                reports = [run_report(kind, data, params) for kind in kinds]
        if chart is not None:
            chart.write_bytes(render_chart(reports[0], chart.suffix.lower().lstrip(".")))
            self.stderr.write(f"chart written to {chart}")
        fmt = options["format"]
        if fmt == "json":
            if len(reports) == 1:
                self.stdout.write(to_json(reports[0]))
            else:
                import json

                self.stdout.write(json.dumps({report.kind: report.to_data() for report in reports}, indent=2,
                                             ensure_ascii=False, default=str))
        elif fmt == "csv":
            self.stdout.write(to_csv(reports[0], options.get("table")), ending="")
        else:
            console = Console(file=self.stdout, width=max(120, Console().width), soft_wrap=False,
                              force_terminal=sys.stdout.isatty())
            for report in reports:
                print_tables(report, console, options.get("table"))
