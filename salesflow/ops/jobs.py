"""The scheduled jobs of Salesflow and when each is due.

Each job has a cron schedule (overridable with ``SALESFLOW_CRON_<JOB>``, e.g.
``SALESFLOW_CRON_FORECAST_SNAPSHOT="0 6 * * mon"``). A job is due when a fire time of its schedule
has passed since its last run (kept in :class:`~salesflow.ops.models.JobRun`), so a restart neither
repeats nor skips it; several missed fire times run once. Every job is itself idempotent.
"""

from __future__ import annotations

import datetime
import importlib.util
import io
import json
import logging
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from salesflow.ops.models import JobRun

log = logging.getLogger("salesflow.worker")
#: After a failure a job is tried again this much later (not only at its next fire time).
RETRY_AFTER = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class Job:
    """A scheduled job: its id, default cron schedule, what it does."""

    id: str
    cron: str
    description: str
    run: Callable[[datetime.datetime], dict[str, Any]]

    @property
    def variable(self) -> str:
        """The environment variable that overrides the schedule."""
        return f"SALESFLOW_CRON_{self.id.upper()}"

    def trigger(self) -> CronTrigger:
        """The job's cron trigger in the installation's time zone; a bad expression names the variable."""
        expression = (os.environ.get(self.variable) or self.cron).strip()
        try:
            return CronTrigger.from_crontab(expression, timezone=settings.TIME_ZONE)
        except ValueError as error:
            raise ImproperlyConfigured(f"{self.variable}: not a cron schedule ({error}): {expression!r}") from None


def run_schedules(now: datetime.datetime) -> dict[str, Any]:
    """Reminders, deadline breaches, timed moves — exactly what ``salesflow jobs run`` does."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("jobs", "run", "--json", stdout=out)
    return json.loads(out.getvalue() or "{}")


def forecast_snapshot(now: datetime.datetime) -> dict[str, Any]:
    """The weekly forecast snapshot (``salesflow forecast snapshot``)."""
    from salesflow.analytics.snapshots import take_snapshot

    return {"snapshots": len(take_snapshot(at=now))}


def forecast_lock(now: datetime.datetime) -> dict[str, Any]:
    """The weekly forecast lock when its call (library settings) has passed and is not locked yet."""
    from salesflow.forecasting.locks import do_lock

    return {"locked": len(do_lock(now))}


def audit_checkpoint(now: datetime.datetime) -> dict[str, Any]:
    """An audit checkpoint of the event chain when one is due (where the checkpoints module is installed)."""
    if importlib.util.find_spec("salesflow.records.checkpoints") is None:
        return {"skipped": "no checkpoints module"}
    from salesflow.records import checkpoints

    written = checkpoints.checkpoint_if_due(getattr(settings, "CHECKPOINT_MIN_INTERVAL", 3600))
    return {"checkpoint": bool(written)}


def mail_outbox(now: datetime.datetime) -> dict[str, Any]:
    """Send the e-mails waiting in the outbox (new ones, and retries of failed ones when their time has come)."""
    from salesflow.mail.outbox import send_due

    return send_due(now)


def mail_digest(now: datetime.datetime) -> dict[str, Any]:
    """The daily digest to every user who wants one."""
    from salesflow.mail.digest import queue_digests
    from salesflow.mail.outbox import send_due

    queued = queue_digests(now)
    return {"digests": queued, **send_due(now)}


def guideline_files(now: datetime.datetime) -> dict[str, Any]:
    """The guideline PDFs of the versions in force that are not rendered yet (downloads and audit packs then read
    files; an approval in the web or API renders its own at once)."""
    from salesflow.guidelines.prerender import render_missing

    return render_missing()


JOBS: list[Job] = [
    Job("schedules", "5 * * * *", "reminders, deadline breaches, timed moves (salesflow jobs run)", run_schedules),
    Job("forecast_snapshot", "0 6 * * mon", "the weekly forecast snapshot", forecast_snapshot),
    Job("forecast_lock", "*/15 * * * *", "the weekly forecast lock, once its call has passed", forecast_lock),
    Job("audit_checkpoint", "30 * * * *", "an audit checkpoint of the event chain when due", audit_checkpoint),
    Job("mail_outbox", "* * * * *", "send the outbox, retry failed e-mails", mail_outbox),
    Job("mail_digest", "0 7 * * *", "the daily e-mail digest", mail_digest),
    Job("guideline_files", "*/10 * * * *", "render the guideline PDFs of the versions in force not rendered yet",
        guideline_files),
]


def jobs() -> list[Job]:
    """Every job (checked: a bad schedule raises naming its variable)."""
    for job in JOBS:
        job.trigger()
    return list(JOBS)


def next_fire(job: Job, after: datetime.datetime) -> datetime.datetime | None:
    """The first fire time of ``job`` strictly after ``after``."""
    moment = after + datetime.timedelta(microseconds=1)
    return job.trigger().get_next_fire_time(None, moment)


def is_due(job: Job, run: JobRun | None, now: datetime.datetime) -> bool:
    """Never run, a retry whose time has come, or a fire time passed since the last run."""
    if run is None or run.due_at is None:
        return True
    if run.retry_at is not None and run.retry_at <= now:
        return True
    following = next_fire(job, run.due_at)
    return following is not None and following <= now


def run_job(job: Job, now: datetime.datetime | None = None) -> JobRun:
    """Run one job now and record the outcome (a failure is logged, kept, and retried later)."""
    now = now or timezone.now()
    run, _created = JobRun.objects.get_or_create(job=job.id)
    run.started_at = now
    run.runs += 1
    try:
        summary = job.run(now)
    except Exception as error:  # noqa: BLE001 - a failing job must not stop the others
        log.exception("job %s failed", job.id)
        run.ok = False
        run.failures += 1
        run.error = "".join(traceback.format_exception_only(type(error), error)).strip()[:4000]
        run.retry_at = now + RETRY_AFTER
    else:
        run.ok = True
        run.error = ""
        run.retry_at = None
        run.summary = summary
        run.succeeded_at = timezone.now()
        log.info("job %s done: %s", job.id, summary)
    run.due_at = now
    run.finished_at = timezone.now()
    run.save()
    return run


def run_due(now: datetime.datetime | None = None, still_mine: Callable[[], bool] | None = None) -> list[JobRun]:
    """Run every due job, in order; ``still_mine`` (the lease renewal) is asked before each one."""
    now = now or timezone.now()
    runs = {run.job: run for run in JobRun.objects.all()}
    done = []
    for job in jobs():
        if not is_due(job, runs.get(job.id), now):
            continue
        if still_mine is not None and not still_mine():
            log.warning("the worker lease was lost; stopping before %s", job.id)
            break
        done.append(run_job(job, now))
    return done
