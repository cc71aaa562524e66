"""Failures counted by several workers at the same moment add up exactly, and lock once.

Threads with their own database connections stand in for worker processes: they share nothing but
the database, as gunicorn workers do. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from salesflow.people import throttle
from salesflow.people.models import SignInThrottle
from salesflow.records import eventlog
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 4
EACH = 5


class Request:
    def __init__(self, address: str) -> None:
        self.META = {"REMOTE_ADDR": address}


def test_concurrent_failures_add_up_and_lock_once(settings) -> None:
    settings.SALESFLOW_SIGNIN_ACCOUNT_LIMIT = 8
    settings.SALESFLOW_SIGNIN_ADDRESS_LIMIT = 1000
    barrier = threading.Barrier(WORKERS)
    errors: list[Exception] = []

    def worker(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(EACH):
                throttle.record_failure(Request(f"10.0.0.{number}"), "kam")
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(number,)) for number in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    account = SignInThrottle.objects.get(scope="account")
    assert account.failures == WORKERS * EACH
    assert account.locked_until is not None
    assert Event.objects.filter(kind="security.login_locked").count() == 1
    assert throttle.locked_for(Request("192.0.2.1"), "KAM ") > 0
    assert eventlog.verify().ok
