"""Board and list stay fast with 10 000 open records: sums in SQL, capped cards, 50 rows a page."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from salesflow.records.models import Process, Record

pytestmark = pytest.mark.django_db

STAGES = ["qualification", "solution_design", "proposal", "negotiation"]


@pytest.fixture
def many(people):
    process = Process.objects.get(key="opportunity-management")
    version = process.current_version()
    now = timezone.now()
    owners = [people["kam"], people["kam2"]]
    Record.objects.bulk_create([
        Record(process=process, process_version=version, title=f"Deal {number}", stage=STAGES[number % 4],
               owner=owners[number % 2], amount=Decimal(1000 + number), classification="internal",
               created_at=now, updated_at=now, stage_entered_at=now - datetime.timedelta(days=number % 50),
               progress={"done": {}, "decisions": {}, "approvals": {}, "delegations": {}})
        for number in range(10_000)
    ], batch_size=2000)


def _timed(client, url, params=None):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    return response, time.perf_counter() - started, len(queries)


def test_board_list_and_my_work_with_ten_thousand_open_records(people, many, client_for) -> None:
    """One data set for every page (creating 10 000 records is the slow part of this test)."""
    head = client_for(people["head"])
    head.get(reverse("board"))  # warm caches (definitions, templates)

    response, elapsed, queries = _timed(head, reverse("board"))
    assert response.status_code == 200
    assert response.context["summary"]["count"] == 10_000
    assert sum(Decimal(1000 + n) for n in range(10_000)) == response.context["summary"]["total"]
    assert queries < 40
    assert elapsed < 2.0, f"board took {elapsed:.2f}s"

    kam = client_for(people["kam"])
    response, elapsed, queries = _timed(kam, reverse("records"), {"sort": "-amount", "page": "7"})
    assert response.status_code == 200 and response.context["total"] == 10_000
    assert len(response.context["rows"]) == 50
    assert response.context["rows"][0]["title"] == "Deal 9699"
    assert queries < 30
    assert elapsed < 2.0, f"list took {elapsed:.2f}s"

    response, elapsed, _queries = _timed(kam, reverse("home"))
    assert response.status_code == 200
    assert len(response.context["activities"]) == 50
    assert len(response.context["approvals"]) == 50  # offers up to 50 000 are in the KAM's band
    assert elapsed < 3.0, f"my work (KAM) took {elapsed:.2f}s"

    response, elapsed, _queries = _timed(head, reverse("home"))
    assert response.status_code == 200
    assert elapsed < 3.0, f"my work (Head of Sales) took {elapsed:.2f}s"
