"""What the worker keeps in the database: who holds the lease, its heartbeat, when each job last ran."""

from __future__ import annotations

from django.db import models


class WorkerLease(models.Model):
    """The lease that lets exactly one worker run the scheduled jobs at a time.

    A worker takes it with one conditional UPDATE (free, expired, or already its own) and renews it
    while it works; a second worker finds it held and waits.
    """

    name = models.SlugField(primary_key=True, max_length=64)
    holder = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder or 'nobody'}"


class WorkerHeartbeat(models.Model):
    """A long-running worker's sign of life (one row per worker process)."""

    worker = models.CharField(max_length=200, unique=True, help_text="host:pid:random")
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    holds_lease = models.BooleanField(default=False)

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"{self.worker} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class JobRun(models.Model):
    """The last run of one scheduled job: what makes the schedule idempotent across restarts."""

    job = models.SlugField(primary_key=True, max_length=64)
    due_at = models.DateTimeField(null=True, blank=True, help_text="The scheduled time the last run was for.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    runs = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True, help_text="After a failure: when to try again.")

    class Meta:
        ordering = ["job"]

    def __str__(self) -> str:
        return f"{self.job}: {'ok' if self.ok else 'failed'}"


class Installation(models.Model):
    """That ``salesflow init`` set this database up for a company (a single row).

    Once it exists, ``salesflow migrate`` no longer loads the default process library by itself:
    the company chose its processes, and new versions go through document control.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    initialised_at = models.DateTimeField()
    admin_name = models.CharField(max_length=150)
    processes = models.JSONField(default=list, help_text="The default processes chosen at the first start.")

    def __str__(self) -> str:
        return f"initialised {self.initialised_at:%Y-%m-%d} by {self.admin_name}"
