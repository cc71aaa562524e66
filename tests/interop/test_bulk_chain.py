"""The importers' fast event path hashes exactly like `eventlog.append`: the chain verifies."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from salesflow.interop.engine import canonical_json, change_json, flat_json
from salesflow.interop.parsing import instant_text, parse_instant
from salesflow.records import eventlog
from salesflow.records.eventlog import BulkChain, EventRow, append_many, verify
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2025, 3, 5, 9, 0, 0, tzinfo=datetime.UTC)


def test_bulk_chain_events_verify_and_hash_like_append_many() -> None:
    payloads = [{"field": "amount", "old": None, "new": "1500.00", "source": {"system": "x", "id": 'q"uote\\'}},
                {"text": "Grüße – ✓ \u2028 \x01", "nested": [1, True, None, {"b": 2, "a": "z"}]}, {}]
    with transaction.atomic():
        reference = append_many([EventRow(record_id=7, kind="field_changed", at=AT, actor_id=3,
                                          actor_name="Kim \"K\" Seller", process="opportunity-management",
                                          process_version=2, from_stage="proposal", payload=payloads[0],
                                          imported=True)], canonical=True)
        chain = BulkChain(batch_size=2)
        for number, payload in enumerate(payloads):
            chain.add(None if number == 2 else 7 + number, "field_changed", instant_text(AT + datetime.timedelta(
                microseconds=number * 250001)), None if number else 3, "Kim \"K\" Seller" * (20 if number else 1),
                "opportunity-management", None if number == 1 else 2, canonical_json(payload),
                from_stage="proposal", to_stage="négociation" if number else "", imported=number != 2)
        chain.close()
    assert chain.count == 3
    assert verify().ok
    events = list(Event.objects.filter(seq__gte=reference[0].seq).order_by("seq"))
    assert [event.payload for event in events[1:]] == payloads
    assert events[2].actor_name == ("Kim \"K\" Seller" * 20)[:150]
    assert events[2].at == AT + datetime.timedelta(microseconds=250001)
    same = EventRow(record_id=7, kind="field_changed", at=AT, actor_id=3, actor_name="Kim \"K\" Seller",
                    process="opportunity-management", process_version=2, from_stage="proposal", payload=payloads[0],
                    imported=True, seq=events[1].seq)
    assert events[1].hash == eventlog.event_hash(events[1].prev_hash, eventlog.hashed_fields(same))
    assert reference[0].hash == events[1].prev_hash


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-03-05 09:00:00", "2025-03-05T09:00:00.000000"),
    ("2025-03-05T09:00:00", "2025-03-05T09:00:00.000000"),
    ("2025-03-05", "2025-03-05T00:00:00.000000"),
    ("2025-03-05T10:00:00.5+01:00", "2025-03-05T09:00:00.500000"),
    ("2025-03-05T09:00:00Z", "2025-03-05T09:00:00.000000"),
])
def test_instants_are_utc_text_that_sorts_like_the_times(text: str, expected: str) -> None:
    assert parse_instant(text) == expected


@pytest.mark.parametrize("text", ["2025-02-30 09:00:00", "2025-03-05 25:00:00", "yesterday"])
def test_bad_instants_are_refused_with_the_date_message(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_instant(text)


def test_flat_json_is_the_canonical_json_with_the_spliced_parts() -> None:
    source = {"system": "salesforce", "history_id": 'a"b\\c', "stage": "Grüße ✓ \x07"}
    payload = {"old": None, "new": "1500.00", "won": True, "lost": False, "probability": 20, "field": "amount"}
    assert flat_json(payload, source=flat_json(source)) == canonical_json({**payload, "source": source})
    assert flat_json({}) == canonical_json({})


@pytest.mark.parametrize("change", [
    ("field_changed", "proposal", "", {"field": "amount", "old": None, "new": "1500.00"}),
    ("field_changed", "proposal", "", {"field": "close_date", "old": "2025-03-05", "new": 'q"uote'}),
    ("stage_changed", "lead", "proposal", {"direction": "forward", "probability": 40, "old_probability": None,
                                           "forecast_category": "Pipeline ✓"}),
    ("record_closed", "proposal", "won", {"outcome": "won", "amount": None, "won": True}),
    ("probability_overridden", "proposal", "", {"old": 40, "new": 55, "stage_default": 40, "override": None,
                                                "reason": "imported"}),
    ("field_changed", "proposal", "", {"field": "title", "old": "a", "new": "b"}),  # no template: flat_json
])
def test_change_json_is_the_canonical_json_of_the_payload_with_its_source(change: tuple) -> None:
    source = {"system": "salesforce", "history_id": 'a"b\\c'}
    assert change_json(change, canonical_json(source)) == eventlog.canonical_json({**change[3], "source": source})
