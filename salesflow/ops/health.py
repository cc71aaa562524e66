"""The checks behind /healthz: database reachable, migrations applied, worker alive."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

_migrations_known_applied = False


@dataclass
class Health:
    """The result of the checks: ``ok`` is false when any check failed."""

    checks: dict[str, str] = field(default_factory=dict)
    ok: bool = True

    def fail(self, name: str, detail: str) -> None:
        """Record a failed check."""
        self.checks[name] = detail
        self.ok = False

    def to_text(self) -> str:
        """``ok`` or ``fail`` on the first line, then one ``check: state`` line each."""
        lines = ["ok" if self.ok else "fail"]
        lines += [f"{name}: {state}" for name, state in self.checks.items()]
        return "\n".join(lines) + "\n"


def database_reachable() -> str | None:
    """None when ``SELECT 1`` answers, else the error."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return f"unreachable ({error.__class__.__name__}: {str(error).splitlines()[0] if str(error) else ''})"
    return None


def unapplied_migrations() -> list[str]:
    """The migrations not yet applied (``app.name``); remembered once all are applied."""
    global _migrations_known_applied
    if _migrations_known_applied:
        return []
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    missing = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    _migrations_known_applied = not missing
    return missing


def worker_state(now: datetime.datetime | None = None) -> tuple[str, bool]:
    """The worker's state for /healthz and whether it counts as healthy.

    ``alive`` (a heartbeat within ``WORKER_HEARTBEAT_TIMEOUT``), ``stopped`` (the last worker ended
    cleanly), ``dead`` (its heartbeat is older), ``never started``. Only ``dead`` is unhealthy —
    and ``never started`` / ``stopped`` too when ``HEALTHZ_REQUIRE_WORKER`` is on.
    """
    from salesflow.ops.models import WorkerHeartbeat

    now = now or timezone.now()
    latest = WorkerHeartbeat.objects.order_by("-beat_at").first()
    require = settings.HEALTHZ_REQUIRE_WORKER
    if latest is None:
        return "never started", not require
    age = int((now - latest.beat_at).total_seconds())
    if latest.stopped_at is not None and not WorkerHeartbeat.objects.filter(stopped_at__isnull=True).exists():
        return f"stopped ({age}s ago)", not require
    alive = WorkerHeartbeat.objects.filter(
        stopped_at__isnull=True, beat_at__gte=now - datetime.timedelta(seconds=settings.WORKER_HEARTBEAT_TIMEOUT))
    if alive.exists():
        beat = alive.order_by("-beat_at").first()
        return f"alive (heartbeat {int((now - beat.beat_at).total_seconds())}s ago)", True
    return f"dead (last heartbeat {age}s ago)", False


def check() -> Health:
    """Run every check."""
    health = Health()
    problem = database_reachable()
    if problem:
        health.fail("database", problem)
        return health
    health.checks["database"] = "ok"
    try:
        missing = unapplied_migrations()
    except DatabaseError as error:
        health.fail("migrations", f"unknown ({error.__class__.__name__})")
        return health
    if missing:
        health.fail("migrations", f"{len(missing)} not applied (run salesflow migrate): {', '.join(missing[:5])}")
    else:
        health.checks["migrations"] = "ok"
    try:
        state, healthy = worker_state()
    except DatabaseError:
        state, healthy = "unknown (run salesflow migrate)", False
    if healthy:
        health.checks["worker"] = state
    else:
        health.fail("worker", state)
    return health
