"""Prometheus metrics (``/metrics``): counts an operator needs, nothing a user may not see leaks.

Only totals without record contents: records per process and open/closed, events in the log,
active users, the mail outbox by state, the worker's heartbeat age and each job's last success.
The exposition format is written by ``prometheus_client``; who may read it is decided by
:func:`may_read` (a bearer token, or a client address in ``METRICS_ALLOWED_IPS``).
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


def client_ip(request: Any) -> str:
    """The client's address; behind a trusted proxy the last address it added to X-Forwarded-For."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "TRUST_PROXY_HEADERS", False) and forwarded:
        return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def may_read(request: Any) -> bool:
    """True with ``Authorization: Bearer <METRICS_TOKEN>`` or from an address in ``METRICS_ALLOWED_IPS``."""
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_IPS:
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


class SalesflowCollector(Collector):
    """Reads the figures from the database at each scrape."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from salesflow.people.models import User
        from salesflow.records.models import Event, Record

        up = GaugeMetricFamily("salesflow_up", "1 when Salesflow answers")
        up.add_metric([], 1)
        yield up

        records = GaugeMetricFamily("salesflow_records", "Records by process and state", labels=["process", "state"])
        for closed in (False, True):
            query = Record.objects.filter(closed_at__isnull=not closed).values("process__key")
            for row in query.annotate(n=Count("id")).order_by():
                records.add_metric([row["process__key"], "closed" if closed else "open"], row["n"])
        yield records

        events = GaugeMetricFamily("salesflow_events", "Events in the hash-chained log")
        events.add_metric([], Event.objects.aggregate(n=Max("seq"))["n"] or 0)
        yield events

        users = GaugeMetricFamily("salesflow_active_users", "Active user accounts")
        users.add_metric([], User.objects.filter(is_active=True).count())
        yield users

        yield from _worker_metrics()
        yield from _mail_metrics()


def _worker_metrics() -> Iterator[GaugeMetricFamily]:
    from salesflow.ops.models import JobRun, WorkerHeartbeat

    now = timezone.now()
    beat = GaugeMetricFamily("salesflow_worker_heartbeat_age_seconds",
                             "Seconds since the newest heartbeat of a running worker (absent: none running)")
    latest = WorkerHeartbeat.objects.filter(stopped_at__isnull=True).order_by("-beat_at").first()
    if latest is not None:
        beat.add_metric([], (now - latest.beat_at).total_seconds())
    yield beat
    success = GaugeMetricFamily("salesflow_job_last_success_timestamp_seconds",
                                "When each scheduled job last succeeded (Unix time)", labels=["job"])
    failures = GaugeMetricFamily("salesflow_job_failures", "Failed runs of each scheduled job", labels=["job"])
    for run in JobRun.objects.all():
        if run.succeeded_at:
            success.add_metric([run.job], run.succeeded_at.timestamp())
        failures.add_metric([run.job], run.failures)
    yield success
    yield failures


def _mail_metrics() -> Iterator[GaugeMetricFamily]:
    try:
        from salesflow.mail.models import OutboundMail
    except ImportError:  # pragma: no cover - the mail app is part of Salesflow
        return
    outbox = GaugeMetricFamily("salesflow_mail_outbox", "E-mails in the outbox by state", labels=["state"])
    for row in OutboundMail.objects.values("state").annotate(n=Count("id")).order_by():
        outbox.add_metric([row["state"]], row["n"])
    yield outbox


def render() -> bytes:
    """The metrics in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SalesflowCollector())
    return generate_latest(registry)
