"""``python -m benchmarks.interop``: import/export speed and peak memory, next to pm4py.

- Salesforce import of a generated export (default 200 000 opportunities, 1 000 000 history rows)
  on SQLite and PostgreSQL (target: ≤ 60 s, flat memory);
- XES export of the imported event log (about 1 000 000 stage events) — and pm4py writing the
  same events;
- reading BPIC 2012 (262 200 events): our reader (`read_xes_table`) next to ``pm4py.read_xes``.

Each measurement runs in its own process, so its peak memory (max RSS) is its own; the baseline
(Python + Django, before the work) is reported next to it. ``python -m benchmarks --interop``
runs the same. pm4py is AGPL: it is only ever imported here and in tests, never by salesflow.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
BPIC = REPO_ROOT.parent / "shared" / "data" / "eventlogs" / "bpic2012.xes.gz"
STAGES = ["Prospecting", "Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review"]
PROBABILITY = {"Prospecting": 10, "Qualification": 10, "Needs Analysis": 20, "Proposal/Price Quote": 75,
               "Negotiation/Review": 90, "Closed Won": 100, "Closed Lost": 0}


def peak_mb() -> float:
    """This process's peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the generated export ----------------------------------------------------------------------------

def generate_export(folder: Path, opportunities: int, history: int) -> dict[str, int]:
    """Write a Salesforce export: Opportunity.csv, OpportunityHistory.csv, Account.csv, User.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    users = [f"005U{number:011d}AAA" for number in range(50)]
    accounts = [f"001A{number:011d}AAA" for number in range(max(1, opportunities // 10))]
    per = max(1, history // opportunities)
    extra = history - per * opportunities
    start = datetime.datetime(2020, 1, 1)
    with (folder / "User.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(["Id", "Username", "FirstName", "LastName", "Email", "IsActive"])
        for number, user in enumerate(users):
            writer.writerow([user, f"seller{number}@example.com", "Seller", str(number), f"seller{number}@example.com",
                             "1"])
    with (folder / "Account.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(["Id", "Name", "Website"])
        for number, account in enumerate(accounts):
            writer.writerow([account, f"Customer {number} GmbH", f"https://customer{number}.example"])
    rows = 0
    with (folder / "Opportunity.csv").open("w", newline="", encoding="utf-8") as opps, \
            (folder / "OpportunityHistory.csv").open("w", newline="", encoding="utf-8") as hist:
        opp_writer = csv.writer(opps, quoting=csv.QUOTE_ALL)
        hist_writer = csv.writer(hist, quoting=csv.QUOTE_ALL)
        opp_writer.writerow(["Id", "Name", "StageName", "Amount", "Probability", "CloseDate", "Type",
                             "ForecastCategoryName", "OwnerId", "AccountId", "IsClosed", "IsWon", "CreatedDate",
                             "LastModifiedDate", "CreatedById", "LastModifiedById"])
        hist_writer.writerow(["Id", "OpportunityId", "CreatedById", "CreatedDate", "StageName", "Amount",
                              "Probability", "CloseDate", "ForecastCategory"])
        for number in range(opportunities):
            opp_id = f"006O{number:011d}AAA"
            owner = users[number % len(users)]
            created = start + datetime.timedelta(minutes=number * 3)
            count = per + (1 if number < extra else 0)
            amount = 1000 + (number * 37) % 500000
            stage = STAGES[0]
            close = (created + datetime.timedelta(days=90)).date().isoformat()
            at = created
            for step in range(count):
                if step == count - 1 and count > 1 and number % 3 != 2:
                    stage = "Closed Won" if number % 3 == 0 else "Closed Lost"
                elif step > 0 and step % 2 == 1:
                    stage = STAGES[min(len(STAGES) - 1, STAGES.index(stage) + 1)] if stage in STAGES else stage
                elif step > 0:
                    amount += 500
                hist_writer.writerow([f"008H{rows:011d}AAA", opp_id, owner, at.strftime("%Y-%m-%d %H:%M:%S"), stage,
                                      amount, PROBABILITY[stage], close, "Pipeline"])
                rows += 1
                at += datetime.timedelta(days=3, minutes=number % 60)
            closed = stage in ("Closed Won", "Closed Lost")
            opp_writer.writerow([opp_id, f"Opportunity {number} for Customer {number % len(accounts)}", stage, amount,
                                 PROBABILITY[stage], close, "New Customer" if number % 2 else "Existing Customer - Upgrade",
                                 "Closed" if stage == "Closed Won" else ("Omitted" if closed else "Pipeline"), owner,
                                 accounts[number % len(accounts)], "1" if closed else "0",
                                 "1" if stage == "Closed Won" else "0", created.strftime("%Y-%m-%d %H:%M:%S"),
                                 at.strftime("%Y-%m-%d %H:%M:%S"), owner, owner])
    return {"opportunities": opportunities, "history_rows": rows, "users": len(users), "accounts": len(accounts)}


# --- workers (one measurement per process) ---------------------------------------------------------

def worker_salesforce(database_url: str, export: str) -> dict[str, Any]:
    """Migrate a fresh database, import the export; time and peak memory."""
    from benchmarks.worker import setup_django

    setup_django(database_url)
    baseline = peak_mb()
    from salesflow.interop.salesforce import import_salesforce

    started, cpu = time.perf_counter(), time.process_time()
    summary = import_salesforce(export, currency="EUR")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    data = summary.to_data()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the forked checker of the history file's 2nd half
    return {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "peak_mb": round(peak_mb()),
            "child_cpu_seconds": round(children.ru_utime + children.ru_stime, 1),
            "child_peak_mb": round(children.ru_maxrss / 1024),
            "baseline_mb": round(baseline), "records": data["records"]["created"], "events": data["events"],
            "load": round(os.getloadavg()[0], 1)}


def worker_xes_export(database_url: str, output: str) -> dict[str, Any]:
    """Export the database's event log as XES; time and peak memory."""
    from benchmarks.worker import setup_django

    setup_django(database_url)
    baseline = peak_mb()
    from salesflow.interop.xes_export import export_xes

    started = time.perf_counter()
    traces, events = export_xes(output)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1), "peak_mb": round(peak_mb()), "baseline_mb": round(baseline),
            "traces": traces, "events": events, "file_mb": round(Path(output).stat().st_size / 1e6)}


def worker_read_ours(path: str) -> dict[str, Any]:
    """Read an XES file with our reader."""
    baseline = peak_mb()
    from salesflow.interop.xes import read_xes_table

    started = time.perf_counter()
    table = read_xes_table(path)
    return {"seconds": round(time.perf_counter() - started, 1), "peak_mb": round(peak_mb()),
            "baseline_mb": round(baseline), "events": table.num_rows}


def worker_read_pm4py(path: str) -> dict[str, Any]:
    """Read an XES file with pm4py."""
    import warnings

    warnings.filterwarnings("ignore")
    os.environ.setdefault("TQDM_DISABLE", "1")
    import pm4py

    baseline = peak_mb()
    started = time.perf_counter()
    log = pm4py.read_xes(path)
    return {"seconds": round(time.perf_counter() - started, 1), "peak_mb": round(peak_mb()),
            "baseline_mb": round(baseline), "events": len(log)}


def worker_write_pm4py(path: str, output: str) -> dict[str, Any]:
    """pm4py writing the events of an XES file (read first with our reader, not timed)."""
    import warnings

    warnings.filterwarnings("ignore")
    import pm4py

    from salesflow.interop.xes import read_xes_table

    frame = read_xes_table(path).to_pandas().rename(columns={
        "case": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp",
        "resource": "org:resource"})
    baseline = peak_mb()
    started = time.perf_counter()
    pm4py.write_xes(frame, output)
    return {"seconds": round(time.perf_counter() - started, 1), "peak_mb": round(peak_mb()),
            "baseline_mb": round(baseline), "events": len(frame)}


def worker_verify(database_url: str) -> dict[str, Any]:
    """After the import: sign a checkpoint, then ``audit verify`` (chain, then checkpoints); each timed."""
    import shutil

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    journal = tempfile.mkdtemp(prefix="salesflow-bench-journal-")
    os.environ["SALESFLOW_CHECKPOINT_JOURNAL"] = journal + os.sep  # never into the repository's var/
    if not os.environ.get("SALESFLOW_CHECKPOINT_KEY_FILE"):  # DEBUG is off in workers: a throw-away key
        key = Path(journal) / "key.pem"
        key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        os.environ["SALESFLOW_CHECKPOINT_KEY_FILE"] = str(key)
    try:
        from benchmarks.worker import setup_django

        setup_django(database_url)
        from salesflow.records import checkpoints, eventlog

        started = time.perf_counter()
        checkpoint = checkpoints.write_checkpoint()
        signed, cpu = time.perf_counter(), time.process_time()
        chain = eventlog.verify()
        chained, cpu = time.perf_counter(), time.process_time() - cpu
        problems = checkpoints.verify_checkpoints()
        done = time.perf_counter()
    finally:
        shutil.rmtree(journal, ignore_errors=True)
    return {"events": chain.checked, "ok": chain.ok and not problems, "checkpoint_seq": checkpoint["seq"],
            "checkpoint_seconds": round(signed - started, 3), "chain_seconds": round(chained - signed, 1),
            "chain_cpu_seconds": round(cpu, 1),
            "checkpoints_seconds": round(done - chained, 3), "seconds": round(done - signed, 1),
            "peak_mb": round(peak_mb())}


WORKERS = {"salesforce": worker_salesforce, "xes-export": worker_xes_export, "read-ours": worker_read_ours,
           "read-pm4py": worker_read_pm4py, "write-pm4py": worker_write_pm4py, "verify": worker_verify}


def run_worker(name: str, *args: str) -> dict[str, Any]:
    """Run one worker in a fresh process; its JSON result (or an error entry)."""
    command = [sys.executable, "-m", "benchmarks.interop", "--worker", name, *args]
    env = dict(os.environ, TQDM_DISABLE="1")
    proc = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True,
                          check=False, env=env)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["?"]
        return {"error": f"exit {proc.returncode}: {tail[0]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- the parent ---------------------------------------------------------------------------------------

def on_backend(backend: str, export: Path, xes_path: Path | None) -> dict[str, Any]:
    """Import the export and (unless ``xes_path`` is None) export XES on one backend (fresh database)."""
    from salesflow.devtools import pgcluster

    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="salesflow-bench-interop-") as directory:
            url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
            return {"import": run_worker("salesforce", url, str(export)), "verify": run_worker("verify", url),
                    **({"xes_export": run_worker("xes-export", url, str(xes_path))} if xes_path else {})}
    try:
        cluster = pgcluster.start_cluster(dbname="salesflow_bench_interop")
    except Exception as exc:  # noqa: BLE001 - reported in the table
        return {"import": {"skipped": f"PostgreSQL not available: {str(exc).splitlines()[0] if str(exc) else exc}"}}
    try:
        url = cluster.create_database()
        return {"import": run_worker("salesforce", url, str(export)), "verify": run_worker("verify", url),
                **({"xes_export": run_worker("xes-export", url, str(xes_path))} if xes_path else {})}
    finally:
        cluster.stop()


def cell(entry: dict[str, Any] | None, key: str, unit: str = "") -> str:
    if not entry:
        return "—"
    if "error" in entry or "skipped" in entry:
        return entry.get("error") or entry.get("skipped")
    return f"{entry[key]}{unit}"


def render(result: dict[str, Any]) -> str:
    """The result as Markdown tables."""
    size = result["export"]
    lines = [f"Salesforce import: {size['opportunities']:,} opportunities, {size['history_rows']:,} history rows "
             "(target ≤ 60 s)", "", "| backend | import s | CPU s (this process) | CPU s, peak MB (forked checker) | "
             "load after | records | events | peak MB (baseline) | XES export s | XES events | XES peak MB (baseline) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for backend, entry in result["backends"].items():
        imp, exp = entry.get("import"), entry.get("xes_export")
        lines.append(f"| {backend} | {cell(imp, 'seconds')} | {cell(imp, 'cpu_seconds')} | "
                     f"{cell(imp, 'child_cpu_seconds')}, {cell(imp, 'child_peak_mb')} | {cell(imp, 'load')} | "
                     f"{cell(imp, 'records')} | {cell(imp, 'events')} | "
                     f"{cell(imp, 'peak_mb')} ({cell(imp, 'baseline_mb')}) | {cell(exp, 'seconds')} | "
                     f"{cell(exp, 'events')} | {cell(exp, 'peak_mb')} ({cell(exp, 'baseline_mb')}) |")
    lines += ["", "Audit verify of the imported log (signed checkpoint first)", "",
              "| backend | events | checkpoint s | chain s | chain CPU s | checkpoints s | verify s | ok | peak MB |",
              "|---|---|---|---|---|---|---|---|---|"]
    for backend, entry in result["backends"].items():
        check = entry.get("verify")
        lines.append(f"| {backend} | {cell(check, 'events')} | {cell(check, 'checkpoint_seconds')} | "
                     f"{cell(check, 'chain_seconds')} | {cell(check, 'chain_cpu_seconds')} | "
                     f"{cell(check, 'checkpoints_seconds')} | {cell(check, 'seconds')} | "
                     f"{cell(check, 'ok')} | {cell(check, 'peak_mb')} |")
    lines += ["", "XES next to pm4py", "", "| task | tool | seconds | events | peak MB (baseline) |", "|---|---|---|---|---|"]
    for task, tool, entry in result["xes"]:
        lines.append(f"| {task} | {tool} | {cell(entry, 'seconds')} | {cell(entry, 'events')} | "
                     f"{cell(entry, 'peak_mb')} ({cell(entry, 'baseline_mb')}) |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.interop", description=__doc__.split("\n\n")[0])
    parser.add_argument("--opportunities", type=int, default=200_000)
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--no-pm4py", action="store_true", help="skip the pm4py measurements")
    parser.add_argument("--no-bpic", action="store_true", help="skip reading BPIC 2012")
    parser.add_argument("--no-xes-export", action="store_true", help="only import (skip the XES export)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("worker_args", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run everything (or, with --worker, one measurement) and print the tables."""
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](*args.worker_args)))
        return 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="salesflow-bench-export-") as directory:
        export = Path(directory) / "export"
        print(f"generating the export ({args.opportunities:,} opportunities, {args.history:,} history rows)",
              file=sys.stderr, flush=True)
        size = generate_export(export, args.opportunities, args.history)
        backends: dict[str, Any] = {}
        xes_path = Path(directory) / "export.xes"
        for backend in ("sqlite", "postgres"):
            if args.only in (None, backend):
                print(f"{backend}: import and XES export", file=sys.stderr, flush=True)
                backends[backend] = on_backend(backend, export, None if args.no_xes_export else xes_path)
        xes: list[tuple[str, str, dict[str, Any]]] = []
        if BPIC.exists() and not args.no_bpic:
            print("BPIC 2012: our reader", file=sys.stderr, flush=True)
            xes.append(("read BPIC 2012", "salesflow", run_worker("read-ours", str(BPIC))))
            if not args.no_pm4py:
                print("BPIC 2012: pm4py", file=sys.stderr, flush=True)
                xes.append(("read BPIC 2012", "pm4py", run_worker("read-pm4py", str(BPIC))))
        if xes_path.exists():
            exported = [entry["xes_export"] for entry in backends.values() if "xes_export" in entry]
            if exported:
                xes.append((f"write {exported[0].get('events', '?'):,} events" if isinstance(
                    exported[0].get("events"), int) else "write events", "salesflow (from the database)", exported[0]))
            if not args.no_pm4py:
                print("pm4py: writing the same events", file=sys.stderr, flush=True)
                xes.append(("write the same events", "pm4py (from a DataFrame)",
                            run_worker("write-pm4py", str(xes_path), str(Path(directory) / "pm4py.xes"))))
    result = {"export": size, "backends": backends, "xes": xes,
              "wall_seconds": round(time.perf_counter() - started, 1)}
    print(render(result))
    print(f"\n(total {result['wall_seconds']:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    failed = any("error" in entry.get("import", {}) for entry in backends.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
