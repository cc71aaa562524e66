"""The database lease that lets one worker at a time run the scheduled jobs, and the workers' heartbeats.

Taking the lease is one conditional UPDATE (free, expired, or already ours), atomic on SQLite and
PostgreSQL alike: two workers started together never both hold it. The holder renews it while it
works; when it dies, the lease expires and a standby worker takes over.
"""

from __future__ import annotations

import datetime
import os
import socket
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from salesflow.ops.models import WorkerHeartbeat, WorkerLease

LEASE = "scheduler"
#: How long a lease lasts without renewal.
LEASE_SECONDS = 90


def worker_id() -> str:
    """``host:pid:random`` — unique per worker process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(holder: str, seconds: int = LEASE_SECONDS, now: datetime.datetime | None = None) -> bool:
    """Take or renew the lease for ``holder``; False while another holder's lease runs."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            WorkerLease.objects.get_or_create(name=LEASE)
    except IntegrityError:  # created by another worker at the same moment
        pass
    free = Q(holder=holder) | Q(holder="") | Q(expires_at__isnull=True) | Q(expires_at__lt=now)
    taken = WorkerLease.objects.filter(Q(name=LEASE) & free).update(
        holder=holder, expires_at=now + datetime.timedelta(seconds=seconds))
    return taken == 1


def release(holder: str) -> None:
    """Give the lease up (at a clean exit) so that a standby worker need not wait for it to expire."""
    WorkerLease.objects.filter(name=LEASE, holder=holder).update(holder="", expires_at=None)


def holder() -> str:
    """Who holds an unexpired lease now ('' for nobody)."""
    lease = WorkerLease.objects.filter(name=LEASE, expires_at__gte=timezone.now()).first()
    return lease.holder if lease is not None else ""


def beat(worker: str, holds_lease: bool, started_at: datetime.datetime) -> None:
    """Record the worker's sign of life."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker=worker).update(beat_at=now, holds_lease=holds_lease,
                                                                   stopped_at=None)
    if not updated:
        WorkerHeartbeat.objects.create(worker=worker, started_at=started_at, beat_at=now, holds_lease=holds_lease)
    # rows of workers gone for a day are of no use to anyone
    WorkerHeartbeat.objects.filter(beat_at__lt=now - datetime.timedelta(days=1)).delete()


def stopped(worker: str) -> None:
    """Mark a clean exit."""
    WorkerHeartbeat.objects.filter(worker=worker).update(stopped_at=timezone.now(), holds_lease=False)
