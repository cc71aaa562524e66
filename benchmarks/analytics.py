"""``python -m benchmarks.analytics``: speed of the sales-controlling analytics (``python -m benchmarks --analytics``).

1. ``analyze`` over a generated log of 1 000 000 cases / about 10 000 000 events (Parquet):
   wall time and peak memory (target: ≤ 10 s, ≤ 4 GB on the 2-core machine).
2. The same analysis of a 1 000 000-event log next to pm4py (DFG + performance DFG + variants +
   case durations) and next to a straightforward pandas implementation; the ratios (target: ≥ 20×
   faster than pm4py).
3. The full report suite (every ``salesflow report`` kind) over the history of 100 000 generated
   opportunities (events of the same shape as the services write, bulk-written into the DuckDB
   mirror's tables; target: ≤ 5 s).

Every measurement runs in its own process (so its peak memory is its own); times cover the work
from reading the input to the result, not the interpreter start (Arrow is warmed up first in every
worker alike). pm4py (AGPL) and pandas are
imported only here, never by salesflow.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.datetime(2027, 1, 15, 12, tzinfo=datetime.UTC)


def peak_mb() -> float:
    """This process's peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- generated event logs (process mining) -----------------------------------------------------------

def generate_log(cases: int, path: Path, seed: int = 1) -> int:
    """A Parquet log: 5–15 events per case (mean 10), 24 activities, timestamps with some ties."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, 16, size=cases)
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    case_index = np.repeat(np.arange(cases), lengths)
    position = np.arange(total) - np.repeat(offsets, lengths)
    activity_index = (position * 2 + rng.integers(0, 3, size=total)) % 24
    gaps = rng.exponential(8 * 3600, size=total).astype(np.int64)
    gaps[rng.random(total) < 0.1] = 0
    gaps[offsets] = 0
    elapsed = np.cumsum(gaps)
    elapsed -= np.repeat(elapsed[offsets], lengths)
    starts = rng.integers(0, 365 * 86400, size=cases) + 1_704_067_200  # 2024-01-01
    micros = (starts[case_index] + elapsed) * 1_000_000
    case_names = pa.array([f"case-{number:07d}" for number in range(cases)])
    activity_names = pa.array([f"activity {chr(65 + number)}" for number in range(24)])
    table = pa.table({
        "case": pa.DictionaryArray.from_arrays(pa.array(case_index.astype(np.int32)), case_names).cast(pa.string()),
        "activity": pa.DictionaryArray.from_arrays(pa.array(activity_index.astype(np.int32)),
                                                   activity_names).cast(pa.string()),
        "timestamp": pa.array(micros, type=pa.timestamp("us", tz="UTC")),
    })
    pq.write_table(table, path)
    return total


def warm_up() -> None:
    """Start Arrow's thread pools and allocator (untimed, in every worker alike)."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"x": list(range(1000))}), buffer)
    pq.read_table(io.BytesIO(buffer.getvalue()))


def run_ours(path: Path) -> dict[str, Any]:
    from salesflow.analytics.logs import analyze, read_log

    started = time.perf_counter()
    result = analyze(read_log(path))
    return {"seconds": time.perf_counter() - started, "events": result["events"], "variants": result["variants"],
            "edges": len(result["dfg"])}


def run_pm4py(path: Path) -> dict[str, Any]:
    import pandas as pd
    import pm4py

    started = time.perf_counter()
    frame = pm4py.format_dataframe(pd.read_parquet(path), case_id="case", activity_key="activity",
                                   timestamp_key="timestamp")
    dfg, _, _ = pm4py.discover_dfg(frame)
    pm4py.discover_performance_dfg(frame)
    variants = pm4py.get_variants(frame)
    pm4py.get_all_case_durations(frame)
    return {"seconds": time.perf_counter() - started, "events": len(frame), "variants": len(variants),
            "edges": len(dfg)}


def run_pandas(path: Path) -> dict[str, Any]:
    """The straightforward pandas way: sort, shift within cases, group."""
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_parquet(path)
    frame["row"] = range(len(frame))
    frame = frame.sort_values(["case", "timestamp", "row"], kind="stable")
    grouped = frame.groupby("case", sort=False)
    frame["next_activity"] = grouped["activity"].shift(-1)
    frame["next_timestamp"] = grouped["timestamp"].shift(-1)
    pairs = frame[frame["next_activity"].notna()]
    seconds = (pairs["next_timestamp"] - pairs["timestamp"]).dt.total_seconds()
    dfg = seconds.groupby([pairs["activity"], pairs["next_activity"]]).agg(["count", "mean", "median"])
    grouped.first()["activity"].value_counts()
    grouped.last()["activity"].value_counts()
    variants = grouped["activity"].agg(tuple).nunique()
    durations = (grouped["timestamp"].max() - grouped["timestamp"].min()).dt.total_seconds()
    durations.mean(), durations.median(), durations.quantile(0.9)
    return {"seconds": time.perf_counter() - started, "events": len(frame), "variants": int(variants),
            "edges": len(dfg)}


# --- generated opportunity histories (the report suite) ----------------------------------------------

STAGES = ["qualification", "solution_design", "proposal", "negotiation"]
PROBABILITY = {"qualification": 10, "solution_design": 30, "proposal": 50, "negotiation": 80, "won": 100, "lost": 0}
CATEGORY = {"qualification": "pipeline", "solution_design": "pipeline", "proposal": "best_case",
            "negotiation": "commit", "won": "closed", "lost": "omitted"}
WORK = {"qualification": ["risk_analysis", "customer_workshop"],
        "solution_design": ["name_bid_manager", "customer_needs", "solution_design"],
        "proposal": ["prepare_offer", "send_offer"], "negotiation": ["customer_feedback", "contract_negotiation"]}
TYPES = ["new_business", "stabilisation", "cross_selling", "delivery_rate_increase", "new_product_launch"]
OWNERS = list(range(2, 22))          # 20 key account managers
TEAM_OF = {owner: "North" if owner % 2 else "South" for owner in OWNERS}


def generate_opportunities(count: int, path: Path, seed: int = 7) -> dict[str, int]:
    """Bulk-write the DuckDB mirror's raw tables: ``count`` opportunities with their event histories."""
    import duckdb
    import pyarrow as pa

    from salesflow.analytics.source import _DDL, _EVENT_SCHEMA, _RECORD_SCHEMA

    rng = random.Random(seed)
    events: list[list[Any]] = [[] for _ in _EVENT_SCHEMA]
    records: list[list[Any]] = [[] for _ in _RECORD_SCHEMA]
    seq = 0

    def add(record_id: int, kind: str, at: datetime.datetime, actor: int, payload: dict[str, Any],
            from_stage: str = "", to_stage: str = "", activity: str = "") -> None:
        nonlocal seq
        seq += 1
        for column, value in zip(events, (seq, record_id, "opportunity-management", 1, kind, from_stage, to_stage,
                                          activity, actor, "kam", at, json.dumps(payload)), strict=True):
            column.append(value)

    for record_id in range(1, count + 1):
        owner = rng.choice(OWNERS)
        amount = round(rng.lognormvariate(11.3, 0.9) / 500) * 500 + 5000
        kind = rng.choice(TYPES)
        at = NOW - datetime.timedelta(days=rng.uniform(1, 720))
        created = at
        close_date = (at + datetime.timedelta(days=rng.randint(60, 200))).date()
        values = {"title": f"Opportunity {record_id}", "amount": str(amount), "close_date": close_date.isoformat(),
                  "type": kind, "classification": "internal", "currency": "EUR"}
        add(record_id, "record_created", at, owner, {"values": values, "owner_id": owner, "probability": 10},
            to_stage="qualification")
        stage, outcome, override = "qualification", None, None
        for index, current in enumerate(STAGES):
            stage = current
            for activity in WORK[current]:
                at += datetime.timedelta(days=rng.uniform(0.5, 6))
                if at >= NOW:
                    break
                add(record_id, "activity_done", at, owner, {"title": activity}, from_stage=current, activity=activity)
            if at >= NOW:
                break
            if current == "qualification":
                for field in ("budget", "decision_date"):
                    add(record_id, "field_changed", at, owner, {"field": field, "old": None, "new": "x"},
                        from_stage=current)
                if rng.random() < 0.1:
                    override = 20
                    add(record_id, "probability_overridden", at, owner,
                        {"old": 10, "new": 20, "stage_default": 10, "override": 20, "reason": "sponsor"},
                        from_stage=current)
            at += datetime.timedelta(days=rng.uniform(1, 20))
            if at >= NOW:
                break
            chance = {"qualification": 0.55, "solution_design": 0.7, "proposal": 0.75, "negotiation": 0.8}[current]
            target = "lost" if rng.random() > chance else ("won" if index == len(STAGES) - 1 else STAGES[index + 1])
            if target == "lost":
                add(record_id, "activity_done", at, owner, {"title": "customer_informed"}, from_stage=current,
                    activity="customer_informed")
            elif current != "proposal":
                add(record_id, "decision_made", at, 1, {"question": "?", "answer": "yes", "with_move": True},
                    from_stage=current)
            if target == "won":
                for activity in ("contract_signed", "final_offer"):
                    add(record_id, "activity_done", at, 1, {"title": activity}, from_stage=current, activity=activity)
            overridden = rng.random() < 0.03 and target != "lost"
            if overridden:
                add(record_id, "gate_overridden", at, 1, {"reason": "Customer in a hurry", "unmet": [
                    {"kind": "activity", "id": WORK[current][0], "message": "not done"}]},
                    from_stage=current, to_stage=target)
            payload = {"direction": "exit" if target == "lost" else "forward", "probability": PROBABILITY[target],
                       "old_probability": override or PROBABILITY[current],
                       "forecast_category": CATEGORY[target]}
            if overridden:
                payload["overridden"] = True
            add(record_id, "stage_changed", at, 1, payload, from_stage=current, to_stage=target)
            override = None
            if target in ("won", "lost"):
                add(record_id, "record_closed", at, 1, {"outcome": target, "amount": str(amount),
                                                       "won": target == "won"}, from_stage=current, to_stage=target)
                stage, outcome = target, target
                break
            stage = target
        row = (record_id, 1, 1, stage, owner, amount, "EUR", close_date, "internal", override,
               json.dumps({"type": kind}), outcome or "", created, at if outcome else None, None)
        for column, value in zip(records, row, strict=True):
            column.append(value)

    connection = duckdb.connect(str(path))
    connection.execute("SET TimeZone = 'UTC'")
    for statement in _DDL:
        connection.execute(statement)
    from decimal import Decimal

    records[5] = [Decimal(value) for value in records[5]]
    event_table = pa.Table.from_arrays([pa.array(column, type=field.type) for column, field in
                                        zip(events, _EVENT_SCHEMA, strict=True)], schema=_EVENT_SCHEMA)
    record_table = pa.Table.from_arrays([pa.array(column, type=field.type) for column, field in
                                         zip(records, _RECORD_SCHEMA, strict=True)], schema=_RECORD_SCHEMA)
    connection.register("event_batch", event_table)
    connection.execute("INSERT INTO records_event SELECT * FROM event_batch")
    connection.register("record_batch", record_table)
    connection.execute("INSERT INTO records_record SELECT * FROM record_batch")
    connection.execute("INSERT INTO records_process VALUES (1, 'opportunity-management', 'opportunity')")
    connection.execute("INSERT INTO records_processversion VALUES (1, 1, 1)")
    connection.close()
    return {"opportunities": count, "events": seq}


def run_suite(path: Path) -> dict[str, Any]:
    """Derive the mirror's tables, then run every report kind once (per-kind seconds)."""
    import ibis

    from salesflow.analytics.catalog import catalog_of
    from salesflow.analytics.periods import parse_period
    from salesflow.analytics.reports import KINDS, Data, Params, run_report
    from salesflow.analytics.source import DuckMirror
    from salesflow.process.validate import read_file

    definition = read_file(REPO_ROOT / "salesflow" / "library" / "opportunity-management.yaml").definition
    mirror = DuckMirror(str(path))
    started = time.perf_counter()
    mirror._derive(0)
    derive_seconds = time.perf_counter() - started
    events, history, records, visits = mirror.tables()
    owners = sorted(TEAM_OF)
    memberships = ibis.memtable({"user_id": owners, "team": [TEAM_OF[owner] for owner in owners]})
    targets = [{"period": "2027-Q1", "process": "opportunity-management", "team": team, "owner": None,
                "type": None, "amount": 5_000_000.0} for team in ("North", "South")]
    snapshots = [{"taken_at": NOW - datetime.timedelta(days=7 * week), "period": "2026-Q4",
                  "process": "opportunity-management", "won": 0.0, "weighted": 0.0, "expected": 9e6, "commit": 0.0,
                  "best_case": 0.0, "pipeline": 0.0, "p10": 8e6, "p50": 9e6, "p90": 1e7, "target": None,
                  "backfilled": True} for week in range(1, 13)]
    data = Data(backend=mirror.backend, events=events, history=history, records=records, visits=visits,
                memberships=memberships,
                users={owner: f"kam{owner}" for owner in owners} | {1: "head"}, catalog=catalog_of([definition]),
                now=NOW, targets=targets, snapshots=snapshots)
    per_kind = {}
    started = time.perf_counter()
    for kind in KINDS:
        began = time.perf_counter()
        run_report(kind, data, Params(period=parse_period("2027-Q1")))
        per_kind[kind] = round(time.perf_counter() - began, 3)
    return {"derive_seconds": derive_seconds, "suite_seconds": time.perf_counter() - started, "per_kind": per_kind}


# --- XES end to end (BPIC 2012): process start → every statistic printed -----------------------------

BPIC = REPO_ROOT.parent / "shared" / "data" / "eventlogs" / "bpic2012.xes.gz"
PM4PY_END_TO_END = """import sys, warnings
warnings.filterwarnings("ignore")
import pm4py
log = pm4py.read_xes(sys.argv[1], variant="iterparse")
pm4py.discover_dfg(log); pm4py.discover_performance_dfg(log); pm4py.get_variants(log)
pm4py.get_all_case_durations(log)
"""


def end_to_end(path: Path, skip_pm4py: bool) -> dict[str, Any]:
    """Wall time of ``salesflow analyze FILE --format json`` and of pm4py's read_xes + DFG + performance
    DFG + variants + case durations, each a whole new process (interpreter and imports included)."""
    if not path.is_file():
        return {"skipped": f"{path} not found"}
    result: dict[str, Any] = {"file": path.name}
    commands = {"ours": [sys.executable, "-c", "from salesflow.cli import main; main()", "analyze", str(path),
                         "--format", "json"]}
    if not skip_pm4py:
        commands["pm4py"] = [sys.executable, "-c", PM4PY_END_TO_END, str(path)]
    for name, command in commands.items():
        started = time.perf_counter()
        proc = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False,
                              env=os.environ | {"TQDM_DISABLE": "1"})
        result[name] = round(time.perf_counter() - started, 2) if proc.returncode == 0 else None
        if name == "ours" and proc.returncode == 0:
            result["events"] = json.loads(proc.stdout)["events"]
    return result


# --- orchestration ----------------------------------------------------------------------------------

WORKERS = {"analyze": run_ours, "pm4py": run_pm4py, "pandas": run_pandas, "suite": run_suite}


def setup_django() -> None:
    """Configure Django (the report suite and the mirror's schema need the models)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesflow.settings")
    django.setup()


def worker(argv: list[str]) -> None:
    """``python -m benchmarks.analytics worker NAME PATH [N]``: one measurement, JSON on stdout."""
    name, path = argv[0], Path(argv[1])
    if name == "gen-log":
        result: dict[str, Any] = {"events": generate_log(int(argv[2]), path)}
    elif name == "gen-opportunities":
        setup_django()  # the mirror's schema (salesflow.analytics.source) is read from the models
        result = generate_opportunities(int(argv[2]), path)
    else:
        if name == "suite":
            setup_django()
        else:
            warm_up()
        result = WORKERS[name](path)
    result["peak_mb"] = round(peak_mb(), 1)
    print(json.dumps(result))


def run(name: str, *args: Any) -> dict[str, Any]:
    """Run a worker in its own process; its JSON (or an ``error``)."""
    command = [sys.executable, "-m", "benchmarks.analytics", "worker", name, *map(str, args)]
    proc = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.analytics", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases of the big log (default 1 000 000)")
    parser.add_argument("--small-cases", type=int, default=100_000,
                        help="cases of the log compared with pm4py and pandas (default 100 000 ≈ 1 000 000 events)")
    parser.add_argument("--opportunities", type=int, default=100_000, help="opportunities of the report suite")
    parser.add_argument("--skip-pm4py", action="store_true", help="leave pm4py out")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results to FILE")
    return parser.parse_args(argv)


def fmt(value: float | None, unit: str = "s") -> str:
    return "–" if value is None else f"{value:,.2f} {unit}" if unit == "s" else f"{value:,.0f} {unit}"


def render(result: dict[str, Any]) -> str:
    """The result as the table the README quotes."""
    machine = result["machine"]
    load = machine.get("load_average")
    lines = [f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores, "
             f"Python {machine.get('python', '?')}, load average at start {load}", ""]
    big = result["big"]
    lines += ["| measurement | result | target |", "|---|---|---|"]
    lines.append(f"| analyze {big.get('events', 0):,} events / {result['settings']['cases']:,} cases (Parquet) | "
                 f"{fmt(big.get('seconds'))}, peak {fmt(big.get('peak_mb'), 'MB')} | ≤ 10 s, ≤ 4 GB |")
    small = result["small"]
    ours = small["ours"].get("seconds")
    for name in ("pm4py", "pandas"):
        other = small.get(name, {}).get("seconds")
        ratio = f"{other / ours:.1f}× faster" if other and ours else small.get(name, {}).get("error", "–")
        lines.append(f"| analyze {small['events']:,} events: ours {fmt(ours)} vs {name} {fmt(other)} | {ratio} | "
                     + ("≥ 20×" if name == "pm4py" else "–") + " |")
    xes = result.get("xes") or {}
    if "ours" in xes:
        ours, theirs = xes.get("ours"), xes.get("pm4py")
        ratio = f"{theirs / ours:.1f}× faster" if ours and theirs else "–"
        lines.append(f"| analyze {xes['file']} end to end ({xes.get('events', 0):,} events, new process, XES read "
                     f"included): ours {fmt(ours)} vs pm4py {fmt(theirs)} | {ratio} | ≥ 10× |")
    suite = result["suite"]
    lines.append(f"| report suite ({len(suite.get('per_kind', {}))} kinds) over {result['settings']['opportunities']:,}"
                 f" opportunities / {result['suite_events']:,} events | {fmt(suite.get('suite_seconds'))} "
                 f"(+ {fmt(suite.get('derive_seconds'))} one-off mirror derivation) | ≤ 5 s |")
    if suite.get("per_kind"):
        lines.append("")
        lines.append("per report: " + ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in
                                                suite["per_kind"].items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print the table."""
    from benchmarks.machine import machine_info

    args = parse_args(argv)
    result: dict[str, Any] = {"machine": machine_info(), "settings": vars(args) | {"json": None}}
    with tempfile.TemporaryDirectory(prefix="salesflow-analytics-bench-") as folder:
        big_log, small_log, opportunities = (Path(folder) / "big.parquet", Path(folder) / "small.parquet",
                                             Path(folder) / "opportunities.duckdb")
        print(f"generating {args.cases:,} cases …", file=sys.stderr, flush=True)
        events = run("gen-log", big_log, args.cases).get("events", 0)
        print("analyze (big log) …", file=sys.stderr, flush=True)
        result["big"] = run("analyze", big_log) | {"events": events}
        small_events = run("gen-log", small_log, args.small_cases).get("events", 0)
        result["small"] = {"events": small_events}
        for name in ("analyze", "pandas", *(() if args.skip_pm4py else ("pm4py",))):
            print(f"{name} (small log) …", file=sys.stderr, flush=True)
            result["small"]["ours" if name == "analyze" else name] = run(name, small_log)
        print("XES end to end (BPIC 2012) …", file=sys.stderr, flush=True)
        result["xes"] = end_to_end(BPIC, args.skip_pm4py)
        print(f"generating {args.opportunities:,} opportunities …", file=sys.stderr, flush=True)
        generated = run("gen-opportunities", opportunities, args.opportunities)
        result["suite_events"] = generated.get("events", 0)
        print("report suite …", file=sys.stderr, flush=True)
        result["suite"] = run("suite", opportunities)
    table = render(result)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    failed = [part for part in (result["big"], result["suite"], result["small"]["ours"]) if "error" in part]
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(sys.argv[2:])
    else:
        sys.exit(main())
