"""Board and list scale to 10 000 open records: sums in SQL, capped cards, 50 rows a page.

Speed itself is measured in benchmarks/, not here; these tests bound the number of queries."""

from __future__ import annotations

import datetime
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


def _get(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    return response, len(queries)


def test_board_list_and_my_work_with_ten_thousand_open_records(people, many, client_for) -> None:
    """One data set for every page (creating 10 000 records is the slow part of this test)."""
    head = client_for(people["head"])
    head.get(reverse("board"))  # warm caches (definitions, templates)

    response, queries = _get(head, reverse("board"))
    assert response.status_code == 200
    assert response.context["summary"]["count"] == 10_000
    assert sum(Decimal(1000 + n) for n in range(10_000)) == response.context["summary"]["total"]
    assert queries < 50  # bounded by the stages (cards, slips, last events) and processes, never by the records

    kam = client_for(people["kam"])
    response, queries = _get(kam, reverse("records"), {"sort": "-amount", "page": "7"})
    assert response.status_code == 200 and response.context["total"] == 10_000
    assert len(response.context["rows"]) == 50
    assert response.context["rows"][0]["title"] == "Deal 9699"
    assert queries < 40  # grows with the processes (one query each for the "New" buttons), never with the records

    response, queries = _get(kam, reverse("home"))
    assert response.status_code == 200
    assert response.context["sections"]["activities"].total == 50  # the first 8 shown, a link to all
    assert len(response.context["activities"]) == 8
    assert len(response.context["approvals"]) == 50  # offers up to 50 000 are in the KAM's band
    assert queries < 60

    response, _queries = _get(head, reverse("home"))
    assert response.status_code == 200
