"""Retiring a process: no new records, running records finish under their version; the responsible role decides."""

from __future__ import annotations

import pytest
from django.test import Client

from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.guidelines.retirement import do_reinstate_process, do_retire_process
from salesflow.records import services as records
from salesflow.records.models import Event, Process

from .conftest import CURRENT, PROCESS


def test_retired_process_starts_no_records_but_running_ones_go_on(cast) -> None:
    running = records.do_create_record(PROCESS, cast.kam, {"title": "Started before"})
    with pytest.raises(NotPermitted):
        do_retire_process(PROCESS, cast.kam, "not ours")
    with pytest.raises(BadInput, match="reason"):
        do_retire_process(PROCESS, cast.head, "  ")
    do_retire_process(PROCESS, cast.head, "replaced by the partner channel")
    event = Event.objects.filter(kind="process_retired").last()
    assert event.payload == {"reason": "replaced by the partner channel"} and event.role == "head_of_sales"

    with pytest.raises(Conflict, match="retired"):
        records.do_create_record(PROCESS, cast.kam, {"title": "After"})
    records.do_complete_activity(running.pk, cast.kam, "risk_analysis")
    running.refresh_from_db()
    assert running.process_version.version == CURRENT and "risk_analysis" in str(running.progress)

    with pytest.raises(Conflict, match="already"):
        do_retire_process(PROCESS, cast.head, "twice")
    do_reinstate_process(PROCESS, cast.head2)
    assert records.do_create_record(PROCESS, cast.kam, {"title": "Again"}).pk


def test_retire_on_the_guideline_page(cast) -> None:
    client = Client()
    client.force_login(cast.kam)
    page = client.get(f"/guidelines/{PROCESS}/v{CURRENT}/")
    assert b"Retire the process" not in page.content
    client.force_login(cast.head)
    page = client.get(f"/guidelines/{PROCESS}/v{CURRENT}/")
    assert b"Retire the process" in page.content
    client.post(f"/guidelines/{PROCESS}/v{CURRENT}/retire", {"reason": "no longer sold"})
    assert Process.objects.get(key=PROCESS).retired_reason == "no longer sold"
    page = client.get(f"/guidelines/{PROCESS}/v{CURRENT}/", HTTP_ACCEPT_LANGUAGE="de")
    assert b"Prozess wieder in Kraft setzen" in page.content
    client.force_login(cast.kam)
    new = client.get("/records/new/")
    assert PROCESS.encode() not in new.content
