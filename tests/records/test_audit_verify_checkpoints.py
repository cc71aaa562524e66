"""``salesflow audit verify`` against the signed checkpoints: after ``salesflow audit checkpoint`` every rewrite
of the database — even one that recomputes every hash and moves the chain head — exits 1 naming the first
event concerned; an untouched database still verifies (issue 13, "Done when")."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from salesflow.records import eventlog
from salesflow.records.eventlog import EventRow
from salesflow.records.models import ChainHead, Event
from tests.tampering import forge_chain

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def append_notes(count: int) -> None:
    """Append ``count`` events (as an import would)."""
    rows = [EventRow(record_id=None, kind="note", at=START + datetime.timedelta(minutes=index), actor_name="Kai Becker",
                     payload={"text": f"note {index}", "amount": str(index * 100)}) for index in range(count)]
    with transaction.atomic():
        eventlog.append_many(rows)


def head() -> int:
    return ChainHead.objects.get(pk=1).seq


@pytest.fixture
def marks(cli) -> list[int]:
    """The events the migrations wrote plus 3 × 200 notes, a checkpoint after each 200; the checkpointed seqs."""
    seqs = [head()]
    for _ in range(3):
        append_notes(200)
        result = cli("audit", "checkpoint")
        assert result.code == 0, result
        seqs.append(head())
    return seqs


@pytest.fixture
def checkpointed(marks) -> int:
    """The newest checkpointed seq."""
    return marks[-1]


def fails_at(cli, seq: int, *fragments: str) -> None:
    assert eventlog.verify().ok  # the forger left a consistent chain: only the checkpoints can tell
    result = cli("audit", "verify")
    assert result.code == 1, result
    assert f"checkpoint check failed at event {seq}:" in result.err, result
    for fragment in fragments:
        assert fragment in result.err, result
    as_json = cli("audit", "verify", "--json")
    assert as_json.code == 1
    assert (as_json.json()["ok"], as_json.json()["broken_seq"]) == (False, seq)


def test_untouched_database_verifies_with_its_checkpoints(cli, checkpointed) -> None:
    append_notes(7)  # appended after the newest checkpoint
    result = cli("audit", "verify")
    assert result.code == 0, result
    assert f"checkpoints: 3 verified, the newest at event {checkpointed}" in result.out
    assert "7 event(s) after it not yet checkpointed" in result.out
    data = cli("audit", "verify", "--json").json()
    assert data["ok"] and data["checkpoints"]["count"] == 3 and data["checkpoints"]["problems"] == []


@pytest.mark.parametrize("removed", [5, 500])
def test_removing_the_last_events_and_moving_the_head_back_is_detected(cli, checkpointed, removed) -> None:
    forge_chain(lambda events: events[:-removed])
    end = checkpointed - removed
    fails_at(cli, end + 1, f"the log ends at event {end}", f"events {end + 1} to {checkpointed} were removed")


def test_editing_an_event_and_recomputing_every_later_hash_is_detected(cli, marks) -> None:
    def edit(events: list[Event]) -> list[Event]:
        target = next(event for event in events if event.seq == marks[2] + 50)
        target.payload = {**target.payload, "amount": "1"}
        return events

    forge_chain(edit)
    fails_at(cli, marks[3], f"an event from {marks[2] + 1} to {marks[3]} was changed, removed or reordered")


def test_deleting_an_event_in_the_middle_and_recomputing_is_detected(cli, marks) -> None:
    forge_chain(lambda events: [event for event in events if event.seq != marks[0] + 150])
    fails_at(cli, marks[1], f"an event from 1 to {marks[1]} was changed")


def test_reordering_events_in_the_middle_and_recomputing_is_detected(cli, marks) -> None:
    def swap(events: list[Event]) -> list[Event]:
        position = marks[1] + 100
        events[position], events[position + 1] = events[position + 1], events[position]
        return events

    forge_chain(swap)
    fails_at(cli, marks[2], f"an event from {marks[1] + 1} to {marks[2]} was changed")


def test_events_after_the_newest_checkpoint_remain_exposed(cli, checkpointed) -> None:
    """What the README says stays open: a rewrite of events no checkpoint covers yet is not detectable."""
    append_notes(10)
    forge_chain(lambda events: events[:-3])
    assert cli("audit", "verify").code == 0


def test_a_truncated_log_is_never_checkpointed(cli, checkpointed) -> None:
    forge_chain(lambda events: events[:-5])
    result = cli("audit", "checkpoint")
    assert result.code == 1, result
    assert f"the chain head is event {checkpointed - 5}" in result.err
    assert "events were removed" in result.err


def test_a_rewritten_log_is_never_checkpointed(cli, checkpointed) -> None:
    def edit(events: list[Event]) -> list[Event]:
        events[10].actor_name = "Mallory"
        return events

    forge_chain(edit)
    result = cli("audit", "checkpoint")
    assert result.code == 1, result
    assert f"event {checkpointed} no longer carries the hash checkpointed" in result.err
