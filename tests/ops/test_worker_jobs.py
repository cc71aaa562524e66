"""The worker's jobs: due by their cron schedules, idempotent across restarts, failures kept and retried."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from salesflow.ops import jobs, lease
from salesflow.ops.models import JobRun, WorkerLease

pytestmark = pytest.mark.django_db


def _job(name: str) -> jobs.Job:
    return next(job for job in jobs.JOBS if job.id == name)


def test_never_run_is_due_then_not_until_the_next_fire_time(monkeypatch) -> None:
    calls = []
    job = jobs.Job("probe", "0 6 * * mon", "a probe", lambda now: calls.append(now) or {"n": len(calls)})
    monkeypatch.setattr(jobs, "JOBS", [job])
    monday = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)
    assert [run.job for run in jobs.run_due(monday)] == ["probe"]
    assert jobs.run_due(monday + datetime.timedelta(hours=1)) == []  # a restart the same week runs nothing
    assert jobs.run_due(monday + datetime.timedelta(days=6)) == []
    next_week = monday + datetime.timedelta(days=7)
    assert [run.job for run in jobs.run_due(next_week)] == ["probe"]
    assert len(calls) == 2
    # several missed fire times (a worker down for three weeks) run once
    assert len(jobs.run_due(next_week + datetime.timedelta(days=21))) == 1
    assert JobRun.objects.get(job="probe").runs == 3


def test_a_failure_is_kept_retried_and_does_not_stop_the_others(monkeypatch) -> None:
    def broken(now):
        raise RuntimeError("the analytics engine is down")

    monkeypatch.setattr(jobs, "JOBS", [jobs.Job("broken", "0 * * * *", "", broken),
                                       jobs.Job("fine", "0 * * * *", "", lambda now: {"ok": 1})])
    ten_past = datetime.datetime(2026, 12, 1, 9, 10, tzinfo=datetime.UTC)
    runs = {run.job: run for run in jobs.run_due(ten_past)}
    assert runs["fine"].ok and not runs["broken"].ok
    broken_run = JobRun.objects.get(job="broken")
    assert "the analytics engine is down" in broken_run.error and broken_run.failures == 1
    assert broken_run.retry_at == ten_past + jobs.RETRY_AFTER
    assert jobs.run_due(ten_past + datetime.timedelta(minutes=4)) == []
    assert [run.job for run in jobs.run_due(broken_run.retry_at + datetime.timedelta(seconds=1))] == ["broken"]


def test_bad_cron_names_its_variable(monkeypatch) -> None:
    monkeypatch.setenv("SALESFLOW_CRON_FORECAST_SNAPSHOT", "every monday")
    with pytest.raises(ImproperlyConfigured, match="SALESFLOW_CRON_FORECAST_SNAPSHOT"):
        jobs.jobs()


def test_lease_one_holder_at_a_time() -> None:
    now = timezone.now()
    assert lease.acquire("a", 60, now)
    assert not lease.acquire("b", 60, now)
    assert lease.acquire("a", 60, now + datetime.timedelta(seconds=30))  # renewal
    assert not lease.acquire("b", 60, now + datetime.timedelta(seconds=80))
    assert lease.acquire("b", 60, now + datetime.timedelta(seconds=91))  # a's lease ran out
    lease.release("b")
    assert WorkerLease.objects.get().holder == ""
    assert lease.acquire("a", 60, now)


def test_the_shipped_jobs_and_their_schedules() -> None:
    assert [job.id for job in jobs.jobs()] == ["schedules", "forecast_snapshot", "forecast_lock", "audit_checkpoint",
                                               "mail_outbox", "mail_digest", "guideline_files"]
    monday = datetime.datetime(2026, 11, 30, 6, 0, tzinfo=datetime.UTC)
    assert jobs.next_fire(_job("forecast_snapshot"), monday) == monday + datetime.timedelta(days=7)
