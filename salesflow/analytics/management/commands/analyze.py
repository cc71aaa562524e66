"""``salesflow analyze [LOG]``: process-mining statistics of any event log (XES, CSV, Parquet) or of our own.

With a LOG file, `salesflow.cli.main` runs `salesflow.analytics.analyze_cli` instead (no Django);
this command serves Salesflow's own log and shares that module's arguments and rendering.
"""

from __future__ import annotations

from typing import Any

from salesflow.analytics.analyze_cli import HELP, add_arguments, render
from salesflow.analytics.logs import analyze_file
from salesflow.cli_support import SalesflowCommand


class Command(SalesflowCommand):
    help = HELP

    def add_arguments(self, parser: Any) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        from salesflow.interop.progress import progress_bars

        with progress_bars() as bars:
            advance = bars("analysing " + (options["log"] or "the event log"), None)
            if options["log"]:
                result = analyze_file(options["log"], options["case"], options["activity"], options["timestamp"],
                                      separator=options["sep"], encoding=options["encoding"],
                                      timestamp_format=options["timestamp_format"])
            else:
                from salesflow.analytics.own_log import analyze_own_log

                result = analyze_own_log(options["process"])
            advance(1)
        render(result, self.stdout, options["format"])
