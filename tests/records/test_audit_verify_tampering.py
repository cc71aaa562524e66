"""``salesflow audit verify`` detects an edited or removed event and names it (exit 1).

The triggers that refuse UPDATE and DELETE on the event log are switched off first, as an
administrator of the database could (`tests.tampering`)."""

from __future__ import annotations

import pytest
from django.db import connection

from salesflow.records import eventlog, services
from salesflow.records.models import Event
from tests.tampering import rewrite_allowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(people, record):
    services.do_complete_activity(record.pk, people["kam"], "risk_analysis")
    services.do_complete_activity(record.pk, people["kam"], "customer_workshop")
    services.do_set_fields(record.pk, people["kam"], {"account": "Alpen Solar"})
    return record


def test_untouched_log_verifies(cli, history) -> None:
    result = cli("audit", "verify")
    assert result.code == 0, result
    assert result.out.startswith(f"ok: {Event.objects.count()} events verified")


def test_edited_payload_is_named(cli, history) -> None:
    target = Event.objects.filter(record=history, kind="activity_done").order_by("seq").first()
    with rewrite_allowed():
        Event.objects.filter(seq=target.seq).update(payload={"title": "Something else"})
    result = cli("audit", "verify")
    assert result.code == 1, result
    assert f"chain broken at event {target.seq}" in result.err
    assert f"event {target.seq} (activity_done) was altered" in result.err
    as_json = cli("audit", "verify", "--json")
    assert as_json.code == 1
    assert (as_json.json()["ok"], as_json.json()["broken_seq"]) == (False, target.seq)


def test_edited_column_by_raw_sql_is_named(cli, history) -> None:
    target = Event.objects.filter(record=history).order_by("seq")[1]
    table = connection.ops.quote_name(Event._meta.db_table)
    with rewrite_allowed(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET actor_name = %s WHERE seq = %s", ["Mallory", target.seq])
    result = cli("audit", "verify")
    assert result.code == 1, result
    assert f"chain broken at event {target.seq}" in result.err


def test_removed_last_event_is_detected(cli, history) -> None:
    last = Event.objects.order_by("-seq").first().seq
    table = connection.ops.quote_name(Event._meta.db_table)
    with rewrite_allowed(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE seq = %s", [last])
    result = cli("audit", "verify")
    assert result.code == 1, result
    assert f"the chain head says event {last}, the log ends at {last - 1}" in result.err
    assert not eventlog.verify().ok


def test_removed_middle_event_is_detected(cli, history) -> None:
    middle = Event.objects.filter(record=history).order_by("seq")[1].seq
    table = connection.ops.quote_name(Event._meta.db_table)
    with rewrite_allowed(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE seq = %s", [middle])
    result = cli("audit", "verify")
    assert result.code == 1, result
    assert f"event {middle} is missing" in result.err
