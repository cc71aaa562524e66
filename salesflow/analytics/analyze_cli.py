"""``salesflow analyze LOG`` without Django: the lean start for external logs (and ``--help``).

`salesflow.cli.main` sends ``analyze`` here when a log file is named (or help is asked for), so
neither Django nor Ibis/DuckDB is imported; Salesflow's own log (no LOG) goes through the
management command, which shares the arguments and the rendering below.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

HELP = ("Analyse an event log without importing it: cases, events, activities, variants, start and end "
        "activities, directly-follows graph with times, case durations. LOG: .xes, .xes.gz, .csv or "
        ".parquet; without LOG, Salesflow's own event log. Exit codes: 0 done, 1 bad input.")
VALUED = {"--case", "--activity", "--timestamp", "--format", "--process", "--sep", "--encoding", "--timestamp-format"}


def add_arguments(parser: Any) -> None:
    """The command's arguments (shared with the management command)."""
    parser.add_argument("log", nargs="?", metavar="LOG", help="the log file (default: Salesflow's own log)")
    parser.add_argument("--case", metavar="COLUMN", help="CSV/Parquet: the case id column (default: case)")
    parser.add_argument("--activity", metavar="COLUMN", help="CSV/Parquet: the activity column (default: activity)")
    parser.add_argument("--timestamp", metavar="COLUMN", help="CSV/Parquet: the timestamp column (default: timestamp)")
    parser.add_argument("--sep", metavar="CHAR", help="CSV: the separator (default: found out among , ; tab |)")
    parser.add_argument("--encoding", metavar="NAME",
                        help="CSV: the encoding (default: UTF-8 with or without BOM, else cp1252)")
    parser.add_argument("--timestamp-format", metavar="FORMAT",
                        help="the format of text timestamps in strftime codes, e.g. '%%d.%%m.%%Y %%H:%%M' "
                             "(default: found out: ISO 8601, 31.12.2026 17:30, 12/31/2026 …)")
    parser.add_argument("--format", choices=["json", "table"], default="table")
    parser.add_argument("--process", metavar="KEY", help="own log: only records of this process")


def is_external(args: list[str]) -> bool:
    """True when ``analyze ARGS`` names a log file or asks for help (the lean start applies)."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-h", "--help"):
            return True
        if arg in VALUED:
            index += 2
            continue
        if not arg.startswith("-"):
            return "--process" not in args
        index += 1
    return False


def render(result: dict[str, Any], output: TextIO, fmt: str) -> None:
    """The result as JSON or as tables (rich)."""
    if fmt == "json":
        output.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(file=output, width=120, force_terminal=sys.stdout.isatty())
    duration = result["case_duration"]
    console.print(f"cases: {result['cases']}   events: {result['events']}   variants: {result['variants']}")
    console.print("case duration (days): " + ", ".join(
        f"{name.replace('_seconds', '')} {value / 86400:.2f}" if value is not None else f"{name} –"
        for name, value in duration.items()))
    for title, counts in (("Activities", result["activities"]), ("Start activities", result["start_activities"]),
                          ("End activities", result["end_activities"])):
        table = Table(title=title, title_justify="left")
        table.add_column("Activity")
        table.add_column("Count", justify="right")
        for name, count in counts.items():
            table.add_row(name, str(count))
        console.print(table)
    table = Table(title="Directly-follows graph", title_justify="left")
    for label in ("From", "To", "Count", "Mean (h)", "Median (h)"):
        table.add_column(label, justify="right" if label[0] in "CM" else "left")
    for edge in result["dfg"]:
        table.add_row(edge["from"], edge["to"], str(edge["count"]), f"{edge['mean_seconds'] / 3600:.2f}",
                      f"{edge['median_seconds'] / 3600:.2f}")
    console.print(table)


def main(args: list[str]) -> int:
    """``salesflow analyze LOG …`` for a log file: exit 0 done, 1 bad input."""
    parser = argparse.ArgumentParser(prog="salesflow analyze", description=HELP)
    add_arguments(parser)
    options = parser.parse_args(args)
    from salesflow.analytics.logs import analyze_file
    from salesflow.engine.errors import BadInput

    try:
        result = analyze_file(options.log, options.case, options.activity, options.timestamp,
                              separator=options.sep, encoding=options.encoding,
                              timestamp_format=options.timestamp_format)
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    render(result, sys.stdout, options.format)
    return 0
