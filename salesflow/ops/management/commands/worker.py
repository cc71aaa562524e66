"""``salesflow worker``: the one long-running process that does all scheduled work."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from salesflow.cli_support import SalesflowCommand


class Command(SalesflowCommand):
    help = ("Run all scheduled work: process schedules (reminders, deadlines, timed moves, effective dates), the weekly "
            "forecast snapshot and lock, audit checkpoints, e-mail sending, retries, the daily digest and the "
            "guideline PDFs not rendered yet (salesflow worker --list). One worker at a "
            "time runs the jobs (a database lease; a second worker waits as standby); its heartbeat shows in "
            "/healthz. --once runs what is due and exits (for cron, tests and after an upgrade).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="run the jobs that are due now, then exit")
        parser.add_argument("--list", action="store_true", help="list the jobs, their schedules and last runs")
        parser.add_argument("--tick", type=int, default=30, metavar="SECONDS",
                            help="how often to look for due jobs (default 30)")
        parser.add_argument("--json", action="store_true", help="print JSON (with --once or --list)")

    def handle(self, *args: Any, **options: Any) -> None:
        from salesflow.ops import jobs

        jobs.jobs()  # a bad SALESFLOW_CRON_* is reported before anything runs
        if options["list"]:
            self._list(options["json"])
        elif options["once"]:
            self._once(options["json"])
        else:
            if options["tick"] < 1:
                self.fail(f"--tick must be at least 1 second, got {options['tick']}", 1)
            self._forever(options["tick"])

    def _list(self, as_json: bool) -> None:
        from salesflow.ops.jobs import jobs, next_fire
        from salesflow.ops.models import JobRun

        runs = {run.job: run for run in JobRun.objects.all()}
        now = timezone.now()
        rows = []
        for job in jobs():
            run = runs.get(job.id)
            following = next_fire(job, run.due_at if run and run.due_at else now)
            rows.append({"job": job.id, "schedule": str(job.trigger()), "description": job.description,
                         "last_run": run.finished_at.isoformat() if run and run.finished_at else None,
                         "ok": run.ok if run else None, "next": following.isoformat() if following else None})
        if as_json:
            self.emit_json(rows)
            return
        for row in rows:
            state = "never run" if row["last_run"] is None else f"last {row['last_run'][:19]} " + (
                "ok" if row["ok"] else "FAILED")
            self.stdout.write(f"{row['job']:<18} {state:<30} next {str(row['next'])[:19]}  {row['description']}")

    def _once(self, as_json: bool) -> None:
        from salesflow.ops import lease
        from salesflow.ops.jobs import run_due

        me = lease.worker_id()
        if not lease.acquire(me):
            message = f"another worker ({lease.holder()}) is running the jobs; nothing done"
            if as_json:
                self.emit_json({"ran": [], "skipped": message})
            else:
                self.stderr.write(message)
            return
        try:
            runs = run_due(still_mine=lambda: lease.acquire(me))
        finally:
            lease.release(me)
        data = [{"job": run.job, "ok": run.ok, "summary": run.summary if run.ok else {}, "error": run.error}
                for run in runs]
        if as_json:
            self.emit_json({"ran": data})
            return
        if not data:
            self.stdout.write("nothing was due")
        for row in data:
            self.stdout.write(f"{row['job']}: " + (f"ok {row['summary']}" if row["ok"] else f"FAILED {row['error']}"))
        if any(not row["ok"] for row in data):
            self.fail("some jobs failed (they are tried again in 5 minutes)", 1)

    def _forever(self, tick: int) -> None:
        from apscheduler.schedulers.blocking import BlockingScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        from salesflow.ops import lease
        from salesflow.ops.jobs import run_due

        me = lease.worker_id()
        started = timezone.now()
        holding = threading.Event()
        scheduler = BlockingScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})

        def heartbeat() -> None:
            close_old_connections()
            try:
                mine = lease.acquire(me) if holding.is_set() else False
                if not mine:
                    holding.clear()
                lease.beat(me, mine, started)
            finally:
                close_old_connections()

        def look_for_work() -> None:
            close_old_connections()
            try:
                if lease.acquire(me):
                    if not holding.is_set():
                        self.stdout.write(f"worker {me}: holding the lease, running the jobs")
                    holding.set()
                    lease.beat(me, True, started)
                    run_due(still_mine=lambda: lease.acquire(me))
                else:
                    holding.clear()
            finally:
                close_old_connections()

        def stop(signum: int, frame: Any) -> None:
            scheduler.shutdown(wait=True)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        now = timezone.now()
        lease.beat(me, False, started)
        scheduler.add_job(heartbeat, IntervalTrigger(seconds=min(20, max(tick, 5))), id="heartbeat")
        scheduler.add_job(look_for_work, IntervalTrigger(seconds=tick), id="jobs", next_run_time=now)
        self.stdout.write(f"worker {me}: started (looking for due jobs every {tick} s)")
        try:
            scheduler.start()
        finally:
            close_old_connections()
            lease.release(me)
            lease.stopped(me)
            self.stdout.write(f"worker {me}: stopped")
