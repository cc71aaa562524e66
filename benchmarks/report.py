"""Summaries (median, min, max) of the worker results and the printed tables."""

from __future__ import annotations

import statistics
from typing import Any

BACKENDS = ("sqlite", "postgresql")


def note(result: dict[str, Any]) -> str:
    """Why a backend has no numbers (``skipped: …`` / ``failed: …``), or ``""``."""
    return str(result.get("skipped") or result.get("error") or "")


def summarize(values: list[float]) -> dict[str, float]:
    """Median, minimum and maximum of the per-round values."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def rate_text(values: list[float]) -> str:
    """``1,234 [1,200–1,260]``: median and range of rates per second."""
    summary = summarize(values)
    return f"{summary['median']:,.0f} [{summary['min']:,.0f}–{summary['max']:,.0f}]"


def ratio_text(values: list[float]) -> str:
    """``3.6× [3.4–3.9]``: median and range of ratios."""
    summary = summarize(values)
    return f"{summary['median']:.1f}× [{summary['min']:.1f}–{summary['max']:.1f}]"


def add_summaries(result: dict[str, Any]) -> dict[str, Any]:
    """Add a ``summary`` (median/min/max) next to every list of per-round values (in place)."""
    if not isinstance(result, dict):
        return result
    for key in list(result):
        value = result[key]
        if isinstance(value, dict):
            add_summaries(value)
        elif key in {"moves_per_s", "events_per_s", "overhead", "actions_per_s"} and value:
            result[f"{key}_summary"] = summarize(value)
    return result


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Left-aligned columns; a short row (backend, note) prints its note unaligned after the first column."""
    full = [row for row in [header, *rows] if len(row) == len(header)]
    widths = [max(len(row[index]) for row in full) for index in range(len(header))]
    widths[0] = max([widths[0], *(len(row[0]) for row in rows)])
    lines = []
    for row in [header, *rows]:
        if len(row) == len(header):
            lines.append("  ".join(cell.ljust(widths[index]) for index, cell in enumerate(row)).rstrip())
        else:
            lines.append("  ".join([row[0].ljust(widths[0]), *row[1:]]).rstrip())
    return lines


def moves_table(results: dict[str, Any], scenario: str, title: str) -> list[str]:
    """One table of a move scenario: a row per backend (or its skip/failure note)."""
    header = ["backend", "engine moves/s", "bare insert moves/s", "overhead (bare/engine)", "engine events/s",
              "SQL per move (engine/bare)"]
    rows = []
    for backend in [*BACKENDS, *(name for name in results if name not in BACKENDS)]:
        result = results.get(backend)
        if result is None:
            continue
        if note(result):
            rows.append([backend, note(result)])
            continue
        data = result["scenarios"][scenario]
        queries = data["queries_per_move"]
        rows.append([
            backend,
            rate_text(data["engine"]["moves_per_s"]),
            rate_text(data["bare"]["moves_per_s"]),
            ratio_text(data["overhead"]),
            rate_text(data["engine"]["events_per_s"]),
            f"{queries['engine']} / {queries['bare']}",
        ])
    return [title, *_table(header, rows)]


def demo_table(result: dict[str, Any] | None) -> list[str]:
    """The demo generation table (one row, SQLite)."""
    if result is None:
        return []
    title = "Demo generation (salesflow demo: users + opportunities with histories), median [min–max]"
    header = ["backend", "opportunities", "actions", "actions/s", "seconds per round"]
    if note(result):
        return [title, *_table(header, [["sqlite", note(result)]])]
    seconds = summarize(result["seconds"])
    row = [result["backend"], str(result["opportunities"]), f"{result['actions']:,}",
           rate_text(result["actions_per_s"]), f"{seconds['median']:.1f} [{seconds['min']:.1f}–{seconds['max']:.1f}]"]
    return [title, *_table(header, [row])]


def machine_lines(machine: dict[str, Any], versions: dict[str, str]) -> list[str]:
    """The machine and runtime, one line each."""
    def load(key: str) -> str:
        values = machine.get(key)
        return " ".join(str(value) for value in values) if values else "n/a"

    lines = [
        f"machine:    {machine['cpu']}, {machine['cores']} cores ({machine['usable_cores']} usable), "
        f"load average {load('load_average')} at start, {load('load_average_end')} at end",
        f"runtime:    Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"PostgreSQL {versions.get('postgresql', 'n/a')}",
        f"platform:   {machine['platform']}",
    ]
    return lines


def render(report: dict[str, Any]) -> str:
    """The whole printed report."""
    settings = report["settings"]
    moves, rounds = settings["moves"], settings["rounds"]
    results = report["moves"]
    versions = {name: data["server_version"] for name, data in results.items() if "server_version" in data}
    if "postgresql" not in versions and "postgresql" in results:
        versions["postgresql"] = "n/a (" + note(results["postgresql"]).split(":")[0] + ")"
    lines = [*machine_lines(report["machine"], versions), ""]
    if results:
        lines += moves_table(results, "forward",
                             f"Stage moves (gate evaluation + event append), {moves:,} moves × {rounds} rounds, "
                             "median [min–max]; target overhead ≤ 2.0×")
        lines += ["", *moves_table(results, "backward",
                                   f"Backward moves (reopen later work, 1 event), {moves:,} moves × {rounds} "
                                   "rounds, median [min–max]")]
        for scenario, title in (("field", "Field changes (do_set_fields: budget, by the owner)"),
                                ("activity", "Activities (do_complete_activity: qualification_support)")):
            if any(scenario in (result.get("scenarios") or {}) for result in results.values()):
                lines += ["", *moves_table(results, scenario, f"{title}, {moves:,} actions × {rounds} rounds, "
                                                             "median [min–max]; target overhead ≤ 2.0×")]
        lines += ["", "overhead = bare insert moves/s ÷ engine moves/s, paired per round (same transaction count; "
                      "bare = same Event rows + Record UPDATE + Notification rows, no lock, gate or hashing)"]
    demo = report.get("demo")
    if demo is not None:
        lines += ["", *demo_table(demo)]
    return "\n".join(lines)
