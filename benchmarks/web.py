"""``python -m benchmarks.web``: web pages with 10 000 open records, API stage moves over HTTP.

- **board**: server time of ``/board/`` and ``/records/?sort=-amount&page=7`` for the Head of
  Sales (``django.test.Client``, in-process) with 10 000 open opportunities, on SQLite and
  PostgreSQL;
- **api**: stage moves per second through ``POST /api/records/{id}/move`` over loopback HTTP, served
  by gunicorn (2 sync workers) on PostgreSQL, from 2 client threads.

Like ``benchmarks.worker``, every measurement runs in a worker process of its own on a fresh
database (``python -m benchmarks.web --worker board|api --database-url URL …``) and prints JSON;
the parent prints the tables. ``python -m benchmarks --web`` runs the same.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.machine import load_average, machine_info
from salesflow.devtools import pgcluster

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The pages timed by the board benchmark: (key, URL).
PAGES = (("board", "/board/"), ("records", "/records/?sort=-amount&page=7"))
STAGES = ["qualification", "solution_design", "proposal", "negotiation"]
GUNICORN_WORKERS = 2
CLIENT_THREADS = 2


class WorkerFailed(RuntimeError):
    """A worker process ended with an error (its traceback went to stderr)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (parent and worker)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="run one backend only (api needs postgres)")
    parser.add_argument("--records", type=int, default=10_000, metavar="N",
                        help="open records for the page timings (default 10 000)")
    parser.add_argument("--requests", type=int, default=10, metavar="N",
                        help="requests per page and round (default 10)")
    parser.add_argument("--api-moves", type=int, default=300, metavar="N",
                        help="API moves per round (default 300)")
    parser.add_argument("--rounds", type=int, default=3, metavar="R", help="rounds (default 3)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results to FILE as JSON")
    parser.add_argument("--no-dashboard", action="store_true",
                        help="skip the dashboard, documents and browser timings on the demo data")
    parser.add_argument("--worker", choices=["board", "api", "dashboard"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.records, args.requests, args.api_moves, args.rounds) < 1:
        parser.error("--records, --requests, --api-moves and --rounds must be at least 1")
    if args.worker and not args.database_url:
        parser.error("--worker needs --database-url")
    return args


def progress(message: str) -> None:
    """Progress goes to stderr (stdout carries the worker's JSON)."""
    print(f"  {message}", file=sys.stderr, flush=True)


# --- board worker ----------------------------------------------------------------------------------

def create_open_records(count: int, users: dict[str, Any]) -> None:
    """Bulk-insert ``count`` open opportunities over the four open stages (untimed)."""
    from django.utils import timezone

    from salesflow.records.models import Process, Record

    process = Process.objects.get(key="opportunity-management")
    version = process.current_version()
    now = timezone.now()
    owners = [users["kam"], users["kam2"]]
    Record.objects.bulk_create([
        Record(process=process, process_version=version, title=f"Deal {number}", stage=STAGES[number % 4],
               owner=owners[number % 2], amount=Decimal(1000 + number), classification="internal",
               created_at=now, updated_at=now, stage_entered_at=now - datetime.timedelta(days=number % 50),
               progress={"done": {}, "decisions": {}, "approvals": {}, "delegations": {}})
        for number in range(count)
    ], batch_size=2000)


def time_page(client: Any, url: str, requests: int) -> float:
    """Mean milliseconds per GET of ``url`` over ``requests`` requests (each must answer 200)."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(requests):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    return (time.perf_counter() - start) * 1000 / requests


def measure_board(records: int, requests: int, rounds: int) -> dict[str, Any]:
    """Time the pages for the Head of Sales on the configured (freshly migrated) database."""
    from django.test import Client

    from salesflow.records import demo

    users = demo.create_users()
    progress(f"creating {records:,} open records")
    create_open_records(records, users)
    client = Client()
    client.force_login(users["head"])
    for _key, url in PAGES:
        time_page(client, url, 1)  # warm-up: templates, definitions, connection
    pages: dict[str, Any] = {key: {"url": url, "ms": []} for key, url in PAGES}
    for number in range(rounds):
        for key, url in PAGES:
            pages[key]["ms"].append(time_page(client, url, requests))
        progress(f"round {number + 1}/{rounds}: " + ", ".join(f"{key} {pages[key]['ms'][-1]:.0f} ms"
                                                            for key, _url in PAGES))
    return {"records": records, "requests": requests, "rounds": rounds, "pages": pages}


# --- API worker ------------------------------------------------------------------------------------

def free_port() -> int:
    """A currently free loopback TCP port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: The server set-ups compared for the API: the previous one (sync workers: a connection per request, and a new
#: database connection per request) and the production one (`salesflow serve`'s gthread workers with
#: keep-alive, persistent database connections).
SERVERS: dict[str, dict[str, Any]] = {
    "before": {"args": ["-k", "sync"], "env": {"DATABASE_CONN_MAX_AGE": "0"}},
    "after": {"args": ["-k", "gthread", "--threads", "4", "--keep-alive", "5"], "env": {"DATABASE_CONN_MAX_AGE": "300"}},
}


def start_gunicorn(database_url: str, port: int, log: Path, setup: str = "after") -> subprocess.Popen:
    """Start ``gunicorn salesflow.wsgi:application -w 2`` (the `SERVERS` set-up) on 127.0.0.1:``port``;
    wait for ``/healthz``."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false",  # SECRET_KEY: the worker's
           "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING", **SERVERS[setup]["env"]}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with log.open("wb") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "salesflow.wsgi:application", "-w", str(GUNICORN_WORKERS),
             *SERVERS[setup]["args"], "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT)
    return wait_until_healthy(server, port, log)


def wait_until_healthy(server: subprocess.Popen, port: int, log: Path) -> subprocess.Popen:
    """Wait until the server on ``port`` answers ``/healthz`` (stop it and raise after 60 s)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}:\n{log.read_text(errors='replace')}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(server)
    raise RuntimeError(f"gunicorn did not answer /healthz within 60 s:\n{log.read_text(errors='replace')}")


def stop_gunicorn(server: subprocess.Popen) -> None:
    """Stop the gunicorn master (it stops its workers); kill it if it does not end in 15 s."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def post_moves(port: int, token: str, record_ids: list[int], failures: list[str]) -> None:
    """POST one forward move per record over one keep-alive connection (reconnects when closed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({"stage": "solution_design"})
    try:
        for record_id in record_ids:
            connection.request("POST", f"/api/records/{record_id}/move", body=body, headers=headers)
            response = connection.getresponse()
            text = response.read()
            if response.status != 200:
                failures.append(f"record {record_id}: HTTP {response.status} {text[:300]!r}")
                return
    finally:
        connection.close()


def timed_moves(port: int, token: str, record_ids: list[int]) -> float:
    """Move the records from `CLIENT_THREADS` threads at once; return the elapsed seconds."""
    failures: list[str] = []
    threads = [threading.Thread(target=post_moves, args=(port, token, record_ids[index::CLIENT_THREADS], failures))
               for index in range(CLIENT_THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError("API move failed: " + failures[0])
    return elapsed


def measure_api(database_url: str, moves: int, rounds: int) -> dict[str, Any]:
    """Prepare records with a met qualification gate; per round move fresh ones in process (``services.do_move``)
    and over HTTP through each `SERVERS` set-up (both servers running, interleaved)."""
    from django.db import connections

    from benchmarks import scenarios
    from salesflow.people.tokens import create_token
    from salesflow.records import demo
    from salesflow.records.models import Record

    users = demo.create_users()
    _token, secret = create_token(users["head"], "benchmark")
    template = scenarios.prepare_template(users)
    warm_up = {setup: scenarios.clone_records(template, min(moves, 20)) for setup in SERVERS}
    batches = [{setup: scenarios.clone_records(template, moves) for setup in (*SERVERS, "in_process")}
               for _ in range(rounds)]
    version = Record.objects.get(pk=batches[0]["in_process"][0]).version
    connections.close_all()
    servers: dict[str, Any] = {}
    rates: dict[str, list[float]] = {setup: [] for setup in (*SERVERS, "in_process")}
    with tempfile.TemporaryDirectory(prefix="salesflow-gunicorn-") as directory:
        try:
            for setup in SERVERS:
                port = free_port()
                progress(f"starting gunicorn -w {GUNICORN_WORKERS} ({setup}: {' '.join(SERVERS[setup]['args'])}) "
                         f"on 127.0.0.1:{port}")
                servers[setup] = (start_gunicorn(database_url, port, Path(directory) / f"{setup}.log", setup), port)
                timed_moves(port, secret, warm_up[setup])
            for number, batch in enumerate(batches):
                order = [*SERVERS, "in_process"] if number % 2 == 0 else ["in_process", *reversed(SERVERS)]
                for setup in order:
                    if setup == "in_process":
                        seconds = scenarios.engine_moves(batch[setup], users["head"], "solution_design", version)
                    else:
                        seconds = timed_moves(servers[setup][1], secret, batch[setup])
                    rates[setup].append(moves / seconds)
                progress(f"api round {number + 1}/{rounds}: " + ", ".join(
                    f"{setup} {values[-1]:,.0f} moves/s" for setup, values in rates.items()))
        finally:
            for server, _port in servers.values():
                stop_gunicorn(server)
    return {"moves": moves, "rounds": rounds, "gunicorn_workers": GUNICORN_WORKERS, "client_threads": CLIENT_THREADS,
            "setups": {setup: " ".join(SERVERS[setup]["args"]) for setup in SERVERS},
            "rates": rates, "moves_per_s": rates["after"],
            "share_of_in_process": [http / engine for http, engine in zip(rates["after"], rates["in_process"],
                                                                          strict=True)]}


def run_worker_mode(args: argparse.Namespace) -> dict[str, Any]:
    """Worker side: set Django up on the fresh database, measure, return the result."""
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    from benchmarks.worker import server_version, setup_django

    setup_django(args.database_url)
    vendor, version = server_version()
    if args.worker == "board":
        result = measure_board(args.records, args.requests, args.rounds)
    elif args.worker == "dashboard":
        from benchmarks.dashboard import measure_dashboard

        result = measure_dashboard(args.database_url, args.rounds)
    else:
        result = measure_api(args.database_url, args.api_moves, args.rounds)
    return {"backend": vendor, "server_version": version, **result}


# --- parent ----------------------------------------------------------------------------------------

def run_worker(database_url: str, options: list[str]) -> dict[str, Any]:
    """Run a worker of this module on ``database_url``; return its JSON, or an ``error`` entry."""
    command = [sys.executable, "-m", "benchmarks.web", "--database-url", database_url, *options]
    proc = subprocess.run(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                          check=False)
    if proc.returncode != 0:
        return {"error": f"failed: the worker exited with code {proc.returncode} (see its output above)"}
    return json.loads(proc.stdout)


def board_on_sqlite(options: list[str]) -> dict[str, Any]:
    """The board worker on a new SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="salesflow-bench-") as directory:
        return run_worker(f"sqlite:///{Path(directory) / 'bench.sqlite3'}", ["--worker", "board", *options])


def dashboard_on_sqlite(options: list[str]) -> dict[str, Any]:
    """The dashboard worker on a new SQLite file with the demo data."""
    with tempfile.TemporaryDirectory(prefix="salesflow-bench-") as directory:
        return run_worker(f"sqlite:///{Path(directory) / 'demo.sqlite3'}", ["--worker", "dashboard", *options])


def on_postgres(board_options: list[str] | None, api_options: list[str] | None) -> dict[str, Any]:
    """Board and/or API workers, each on its own database in one throw-away cluster."""
    try:
        cluster = pgcluster.start_cluster(dbname="salesflow_board")
    except pgcluster.PostgresNotFound as exc:
        skipped = {"skipped": f"skipped: {exc}"}
        return {"board": skipped, "api": skipped}
    except Exception as exc:  # noqa: BLE001 - report any start-up failure in the table
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        failed = {"error": f"failed: could not start the throw-away PostgreSQL cluster: {first_line}"}
        return {"board": failed, "api": failed}
    results: dict[str, Any] = {}
    try:
        if board_options is not None:
            progress("postgresql: pages with open records")
            results["board"] = run_worker(cluster.create_database(), ["--worker", "board", *board_options])
        if api_options is not None:
            progress("postgresql: API moves over HTTP (gunicorn)")
            cluster.dbname = "salesflow_api"
            results["api"] = run_worker(cluster.create_database(), ["--worker", "api", *api_options])
    finally:
        cluster.stop()
    return results


def ms_text(values: list[float]) -> str:
    """``85 [80–92]``: median and range of milliseconds."""
    summary = report.summarize(values)
    return f"{summary['median']:,.0f} [{summary['min']:,.0f}–{summary['max']:,.0f}]"


def render(result: dict[str, Any]) -> str:
    """The printed tables."""
    settings = result["settings"]
    versions = {name: data["server_version"] for name, data in result["board"].items() if "server_version" in data}
    if "server_version" in result.get("api", {}):
        versions["postgresql"] = result["api"]["server_version"]
    lines = [*report.machine_lines(result["machine"], versions), ""]
    if result["board"]:
        header = ["backend", *(f"{url} ms" for _key, url in PAGES)]
        rows = []
        for backend, data in result["board"].items():
            note = report.note(data)
            rows.append([backend, note] if note else
                        [backend, *(ms_text(data["pages"][key]["ms"]) for key, _url in PAGES)])
        lines += [f"Server time per page, {settings['records']:,} open records, Head of Sales "
                  f"(django.test.Client), {settings['requests']} requests × {settings['rounds']} rounds, "
                  "median [min–max] of the rounds' mean ms", *report._table(header, rows)]
    api = result.get("api")
    if api is not None:
        lines += ["", *api_lines(api, settings)]
    if result.get("dashboard") is not None:
        from benchmarks.dashboard import render_dashboard

        lines += ["", *render_dashboard(result["dashboard"])]
    return "\n".join(lines)


def api_lines(api: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    """The API table: moves/s in process and over HTTP per server set-up, and the share (target ≥ 50 %)."""
    note = report.note(api)
    title = (f"API stage moves over HTTP (POST /api/records/{{id}}/move, qualification → solution_design) on "
             f"PostgreSQL next to the same moves in process, {settings['api_moves']} moves × {settings['rounds']} "
             "rounds, median [min–max]")
    if note:
        return [title, f"postgresql: {note}"]
    rows = [["in process (services.do_move, 1 thread)", report.rate_text(api["rates"]["in_process"]), "100 %", ""]]
    for setup, args in api["setups"].items():
        shares = [http / engine for http, engine in zip(api["rates"][setup], api["rates"]["in_process"], strict=True)]
        median = report.summarize(shares)["median"]
        rows.append([f"HTTP {setup}: gunicorn -w {api['gunicorn_workers']} {args}"
                     + (", new DB connection per request" if setup == "before" else ", persistent DB connections"),
                     report.rate_text(api["rates"][setup]), f"{100 * median:.0f} %",
                     "met" if median >= 0.5 else "NOT met"])
    return [title, *report._table(["how", "moves/s", "of in process", "target ≥ 50 %"], rows)]


def main(argv: list[str] | None = None) -> int:
    """Parent: run the workers, print the tables; exit code 1 when a measurement failed."""
    args = parse_args(argv)
    if args.worker:
        json.dump(run_worker_mode(args), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    started = time.perf_counter()
    machine = machine_info()
    board_options = ["--records", str(args.records), "--requests", str(args.requests), "--rounds", str(args.rounds)]
    api_options = ["--api-moves", str(args.api_moves), "--rounds", str(args.rounds)]
    result: dict[str, Any] = {"machine": machine, "settings": {
        "records": args.records, "requests": args.requests, "api_moves": args.api_moves, "rounds": args.rounds},
        "board": {}}
    if args.only in (None, "sqlite"):
        progress("sqlite: pages with open records")
        result["board"]["sqlite"] = board_on_sqlite(board_options)
    if args.only in (None, "sqlite") and not args.no_dashboard:
        progress("sqlite: dashboard, reports and documents on the demo data")
        result["dashboard"] = dashboard_on_sqlite(["--rounds", str(args.rounds)])
    if args.only in (None, "postgres"):
        postgres = on_postgres(board_options, api_options)
        result["board"]["postgresql"] = postgres["board"]
        result["api"] = postgres["api"]
    machine["load_average_end"] = load_average()
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    for entry in [*result["board"].values(), result.get("api")]:
        if isinstance(entry, dict) and "moves_per_s" in entry and isinstance(entry["moves_per_s"], list):
            entry["moves_per_s_summary"] = report.summarize(entry["moves_per_s"])
        if isinstance(entry, dict) and "pages" in entry:
            for page in entry["pages"].values():
                page["ms_summary"] = report.summarize(page["ms"])
    print(file=sys.stderr, flush=True)
    print(render(result))
    print(f"\n(total {result['wall_seconds']:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    entries = [*result["board"].values(), result.get("api"), result.get("dashboard")]
    return 1 if any(isinstance(entry, dict) and "error" in entry for entry in entries) else 0


if __name__ == "__main__":
    sys.exit(main())
