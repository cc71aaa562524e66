"""Every action appends its events to one gapless, hash-linked chain."""

from __future__ import annotations

import pytest

from salesflow.records import eventlog, services
from salesflow.records.models import ChainHead, Event

pytestmark = pytest.mark.django_db


def test_each_action_appends_linked_events(people, record) -> None:
    kam, head = people["kam"], people["head"]
    steps = [
        (lambda: services.do_complete_activity(record.pk, kam, "risk_analysis"), ["activity_done"]),
        (lambda: services.do_complete_activity(record.pk, kam, "customer_workshop"), ["activity_done"]),
        (lambda: services.do_set_fields(record.pk, kam, {"budget": "150000", "decision_date": "2030-01-31"}),
         ["field_changed", "field_changed"]),
        (lambda: services.do_set_probability(record.pk, kam, 20, "Strong sponsor"), ["probability_overridden"]),
        (lambda: services.do_delegate(record.pk, head, "kam"), ["delegated"]),
        (lambda: services.do_move(record.pk, kam, "solution_design"), ["decision_made", "stage_changed"]),
        (lambda: services.do_approve(record.pk, head, "offer"), ["approval_granted"]),
        (lambda: services.do_move(record.pk, kam, "qualification"), ["stage_changed"]),
    ]
    for number, (action, expected) in enumerate(steps, start=2):
        head_before = ChainHead.objects.get(pk=1)
        updated = action()
        new = list(Event.objects.filter(seq__gt=head_before.seq).order_by("seq"))
        assert [event.kind for event in new] == expected
        assert [event.seq for event in new] == list(range(head_before.seq + 1, head_before.seq + 1 + len(new)))
        assert new[0].prev_hash == head_before.hash
        for earlier, later in zip(new, new[1:], strict=False):
            assert later.prev_hash == earlier.hash
        assert all(event.record_id == record.pk for event in new)
        assert updated.version == number
        assert eventlog.verify().ok

    seqs = list(Event.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    result = eventlog.verify()
    head = ChainHead.objects.get(pk=1)
    assert (result.ok, result.checked, result.head_seq, result.head_hash) == (True, len(seqs), head.seq, head.hash)


def test_hash_is_sha256_of_previous_hash_and_fields(record) -> None:
    event = Event.objects.get(record=record)
    assert event.hash == eventlog.event_hash(event.prev_hash, eventlog.hashed_fields(event))
    assert len(event.hash) == 64

