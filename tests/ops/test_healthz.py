"""/healthz: database, migrations and the worker's heartbeat."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from salesflow.ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_ok_without_a_worker_ever_started() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content.decode().splitlines() == ["ok", "database: ok", "migrations: ok",
                                                      "worker: never started"]


@override_settings(HEALTHZ_REQUIRE_WORKER=True)
def test_fails_without_a_worker_when_one_is_required() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.content.decode().startswith("fail\n")


def test_alive_worker_and_dead_worker() -> None:
    now = timezone.now()
    beat = WorkerHeartbeat.objects.create(worker="host:1:a", started_at=now, beat_at=now)
    response = Client().get("/healthz")
    assert response.status_code == 200 and "worker: alive" in response.content.decode()
    beat.beat_at = now - datetime.timedelta(hours=1)
    beat.save()
    response = Client().get("/healthz")
    assert response.status_code == 503 and "worker: dead" in response.content.decode()
    beat.stopped_at = now
    beat.save()
    response = Client().get("/healthz")
    assert response.status_code == 200 and "worker: stopped" in response.content.decode()
