"""Reports as text: JSON, CSV (one table) and terminal tables (rich)."""

from __future__ import annotations

import io
import json
from typing import Any

from rich.console import Console
from rich.table import Table as RichTable

from salesflow import csv_cells
from salesflow.analytics.reports.base import Column, Report, Table
from salesflow.engine.errors import BadInput

FORMATS = ("table", "json", "csv")


def to_json(report: Report) -> str:
    """The whole report as indented JSON."""
    return json.dumps(report.to_data(), indent=2, ensure_ascii=False, default=str)


def pick_table(report: Report, name: str | None) -> tuple[str, Table]:
    """A table of the report by name (default: the main one); an unknown name raises `BadInput`."""
    name = name or report.main
    if name not in report.tables:
        raise BadInput(f"--table: the {report.kind} report has the tables {', '.join(report.tables)}, not {name!r}")
    return name, report.tables[name]


def to_csv(report: Report, name: str | None = None) -> str:
    """One table of the report as CSV (header = column keys; formula-like texts neutralised)."""
    _, table = pick_table(report, name)
    buffer = io.StringIO()
    writer = csv_cells.writer(buffer, lineterminator="\n")
    writer.writerow([column.key for column in table.columns])
    for row in table.rows:
        writer.writerow(["" if row.get(column.key) is None else row.get(column.key) for column in table.columns])
    return buffer.getvalue()


def cell(value: Any, column: Column) -> str:
    """A value as shown in a table cell."""
    if value is None:
        return "–"
    if column.kind == "pct":
        return f"{100 * float(value):.1f} %"
    if column.kind == "money":
        return f"{float(value):,.0f}".replace(",", " ")
    if column.kind in ("days", "num"):
        return f"{float(value):,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _summary_text(summary: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{inner}={item}" for inner, item in value.items())
        lines.append(f"{key.replace('_', ' ')}: {value if value is not None else '–'}")
    return lines


def print_tables(report: Report, console: Console, only: str | None = None) -> None:
    """Print the report's summary and tables (or one of them) as terminal tables."""
    console.print(f"[bold]{report.title}[/bold]")
    params = ", ".join(f"{key}={value}" for key, value in report.params.items() if value is not None)
    if params:
        console.print(f"[dim]{params}[/dim]")
    for line in _summary_text(report.summary):
        console.print(f"  {line}")
    names = [pick_table(report, only)[0]] if only else list(report.tables)
    for name in names:
        table = report.tables[name]
        rich_table = RichTable(title=table.title or name, title_justify="left", show_lines=False)
        for column in table.columns:
            rich_table.add_column(column.label, justify="left" if column.kind in ("text", "list") else "right")
        for row in table.rows:
            rich_table.add_row(*(cell(row.get(column.key), column) for column in table.columns))
        if not table.rows:
            rich_table.caption = "no rows"
        console.print(rich_table)
    for note in report.notes:
        console.print(f"[dim]{note}[/dim]")


def to_text(report: Report, only: str | None = None, width: int = 160) -> str:
    """The terminal rendering as plain text (for tests and files)."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    print_tables(report, console, only)
    return console.file.getvalue()
