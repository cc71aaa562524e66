"""``python -m benchmarks``: stage moves per second on SQLite and PostgreSQL, engine vs. bare insert.

Each backend runs in a fresh database, in its own worker process (``benchmarks.worker``): SQLite
in a temporary directory, PostgreSQL in a throw-away cluster (``salesflow.devtools.pgcluster``).
The parent collects the workers' JSON, prints the tables and optionally writes everything to a
JSON file. See ``benchmarks/README.md`` for what is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.machine import load_average, machine_info
from salesflow.devtools import pgcluster

REPO_ROOT = Path(__file__).resolve().parent.parent


class WorkerFailed(RuntimeError):
    """A worker process ended with an error (its traceback went to stderr)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="run one backend only")
    parser.add_argument("--moves", type=int, default=500, metavar="N",
                        help="moves per segment and round (default 500)")
    parser.add_argument("--rounds", type=int, default=3, metavar="R", help="rounds, interleaved (default 3)")
    parser.add_argument("--demo", type=int, default=50, metavar="OPPORTUNITIES",
                        help="opportunities per demo-generation round on SQLite (default 50; 0 skips it)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results to FILE as JSON")
    parser.add_argument("--sqlite-synchronous", choices=["FULL", "EXTRA"], metavar="LEVEL",
                        help="also run the SQLite moves with PRAGMA synchronous=LEVEL (FULL or EXTRA), rounds "
                             "alternating with the default NORMAL, as one more row of the tables")
    parser.add_argument("--interop", action="store_true",
                        help="run the import/export benchmarks instead (benchmarks.interop: Salesforce import, XES, pm4py)")
    parser.add_argument("--analytics", action="store_true",
                        help="run the sales-controlling benchmarks instead (benchmarks.analytics: analyze, pm4py, "
                             "pandas, report suite)")
    parser.add_argument("--web", action="store_true",
                        help="run the web benchmarks instead (benchmarks.web: board/list pages with 10 000 open "
                             "records, API moves over HTTP with gunicorn)")
    args = parser.parse_args(argv)
    if args.moves < 1 or args.rounds < 1 or args.demo < 0:
        parser.error("--moves and --rounds must be at least 1, --demo must not be negative")
    return args


def run_worker(database_url: str, options: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``benchmarks.worker`` on a database; return its JSON. Its progress goes to our stderr."""
    command = [sys.executable, "-m", "benchmarks.worker", "--database-url", database_url, *options]
    proc = subprocess.run(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                          check=False, env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        raise WorkerFailed(f"failed: the worker exited with code {proc.returncode} (see its output above)")
    return json.loads(proc.stdout)


def on_sqlite(options: list[str], synchronous: str = "") -> dict[str, Any]:
    """Run a worker on a new SQLite file in a temporary directory (removed afterwards); ``synchronous``:
    the ``SALESFLOW_SQLITE_SYNCHRONOUS`` level (default: the configured one)."""
    env = {"SALESFLOW_SQLITE_SYNCHRONOUS": synchronous} if synchronous else None
    with tempfile.TemporaryDirectory(prefix="salesflow-bench-") as directory:
        return run_worker(f"sqlite:///{Path(directory) / 'bench.sqlite3'}", options, env)


def sqlite_side_by_side(options: list[str], rounds: int, level: str) -> dict[str, Any]:
    """The SQLite moves at NORMAL and at ``level``, one round each in turn (drift hits both alike)."""
    results: dict[str, list[dict[str, Any]]] = {"NORMAL": [], level: []}
    for round_ in range(rounds):
        for name in (("NORMAL", level) if round_ % 2 == 0 else (level, "NORMAL")):
            print(f"sqlite: stage moves, synchronous={name}, round {round_ + 1}", file=sys.stderr, flush=True)
            results[name].append(guarded(on_sqlite, [*options, "--rounds", "1"], name))
    return {("sqlite" if name == "NORMAL" else f"sqlite {name}"): merge_rounds(runs) for name, runs in results.items()}


def merge_rounds(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from single-round worker results (their per-round lists joined)."""
    failed = next((run for run in runs if "error" in run or "skipped" in run), None)
    if failed is not None:
        return failed
    merged = json.loads(json.dumps(runs[0]))

    def join(target: Any, others: list[Any]) -> None:
        for key, value in target.items():
            if isinstance(value, list):
                for other in others:
                    value.extend(other[key])
            elif isinstance(value, dict):
                join(value, [other[key] for other in others])

    join(merged, runs[1:])
    return merged


def on_postgres(options: list[str]) -> dict[str, Any]:
    """Run a worker on a new database in a throw-away PostgreSQL cluster (stopped afterwards)."""
    try:
        cluster = pgcluster.start_cluster(dbname="salesflow_bench")
    except pgcluster.PostgresNotFound as exc:
        return {"skipped": f"skipped: {exc}"}
    except Exception as exc:  # noqa: BLE001 - report any start-up failure in the table
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return {"error": f"failed: could not start the throw-away PostgreSQL cluster: {first_line}"}
    try:
        return run_worker(cluster.create_database(), options)
    finally:
        cluster.stop()


def guarded(run: Any, *args: Any) -> dict[str, Any]:
    """Call ``run``; a failed worker becomes an ``error`` entry instead of ending the whole run."""
    try:
        return run(*args)
    except WorkerFailed as exc:
        return {"error": str(exc)}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, print the tables; exit code 1 when a backend failed (skips are fine)."""
    args = parse_args(argv)
    if args.analytics:
        from benchmarks import analytics

        return analytics.main([*(["--json", str(args.json)] if args.json else [])])
    if args.web:
        from benchmarks import web

        return web.main([*(["--only", args.only] if args.only else []),
                         "--rounds", str(args.rounds),
                         *(["--json", str(args.json)] if args.json else [])])
    if args.interop:
        from benchmarks import interop

        return interop.main([*(["--only", args.only] if args.only else []),
                             *(["--json", str(args.json)] if args.json else [])])
    started = time.perf_counter()
    machine = machine_info()
    move_options = ["--moves", str(args.moves), "--rounds", str(args.rounds)]
    print(f"Salesflow benchmarks: {args.moves} moves × {args.rounds} rounds per backend"
          + (f", demo {args.demo} opportunities × {args.rounds} rounds" if args.demo and args.only != "postgres"
             else ""), file=sys.stderr, flush=True)
    moves: dict[str, Any] = {}
    if args.only in (None, "sqlite") and args.sqlite_synchronous:
        moves.update(sqlite_side_by_side(["--moves", str(args.moves)], args.rounds, args.sqlite_synchronous))
    elif args.only in (None, "sqlite"):
        print("sqlite: stage moves", file=sys.stderr, flush=True)
        moves["sqlite"] = guarded(on_sqlite, move_options)
    if args.only in (None, "postgres"):
        print("postgresql: stage moves (throw-away cluster)", file=sys.stderr, flush=True)
        moves["postgresql"] = guarded(on_postgres, move_options)
    demo = None
    if args.demo and args.only != "postgres":
        print("sqlite: demo generation", file=sys.stderr, flush=True)
        demo = guarded(on_sqlite, ["--demo", str(args.demo), "--rounds", str(args.rounds)])
    result = {
        "machine": machine,
        "settings": {"moves": args.moves, "rounds": args.rounds, "demo_opportunities": args.demo},
        "moves": moves,
        "demo": demo,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    machine["load_average_end"] = load_average()
    report.add_summaries(result)
    print(file=sys.stderr, flush=True)
    print(report.render(result))
    print(f"\n(total {result['wall_seconds']:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    failed = [entry for entry in [*moves.values(), demo] if isinstance(entry, dict) and "error" in entry]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
