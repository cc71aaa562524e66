"""The replay fold (framework-free): events alone give a record's state, following their payloads —
backward moves reopen what they list, change control reopens reviews, delegations come and go,
imported records start with their first probability and outcome."""

from __future__ import annotations

from decimal import Decimal

from salesflow.engine.replay import EventFacts, ReplayedRecord, StageFacts, StoredRecord, apply, differences


def event(seq: int, kind: str, payload: dict | None = None, **columns) -> EventFacts:
    base = {"from_stage": "", "to_stage": "", "activity": "", "approval": "", "actor_id": 7, "actor_name": "Kai",
            "role": "kam"}
    return EventFacts(seq, 1, kind, payload=payload or {}, **{**base, **columns})


def replay(*events: EventFacts, facts=None) -> ReplayedRecord:
    state = ReplayedRecord(1)
    for item in events:
        apply(state, item, facts)
    return state


def test_a_history_replays_to_its_state() -> None:
    state = replay(
        event(1, "record_created", {"values": {"title": "T", "amount": "100"}, "owner_id": 7, "probability": 10},
              to_stage="qualification"),
        event(2, "activity_done", activity="risk_analysis"),
        event(3, "decision_made", {"answer": "yes"}, from_stage="qualification"),
        event(4, "stage_changed", {}, from_stage="qualification", to_stage="proposal"),
        event(5, "approval_granted", {"amount": "100"}, approval="discount"),
        event(6, "probability_overridden", {"override": 60}),
        event(7, "delegated", {"stages": ["proposal"], "to_user_id": 9, "to_name": "Mia"}),
        event(8, "field_changed", {"field": "amount", "old": "100", "new": "250"}),
        event(9, "field_changed", {"field": "owner", "old": 7, "new": 9}),
        event(10, "review_reopened", {"activities": ["risk_analysis"]}),
        event(11, "stage_changed", {"reopened": {"activities": [], "decisions": ["qualification"],
                                                 "approvals": ["discount"]}}, to_stage="qualification"),
        event(12, "delegation_revoked", {"stages": ["proposal"]}),
        event(13, "members_changed", {"added": ["mia", "lee"], "removed": []}),
        event(14, "members_changed", {"added": [], "removed": ["lee"]}),
        event(15, "stage_changed", {}, to_stage="won"),
        event(16, "record_closed", {"outcome": "won"}),
        event(17, "document_added", {"document": 3, "name": "c.pdf", "version": 1, "sha256": "ab"}),
    )
    assert (state.stage, state.outcome, state.owner_id, state.values["amount"]) == ("won", "won", 9, "250")
    assert state.done == {} and state.decisions == {} and state.approvals == {} and state.delegations == {}
    assert state.probability_override is None  # cleared by the stage changes
    assert state.members == {"mia"}
    assert state.documents[3].sha256 == "ab" and state.last_seq == 17


def test_an_imported_record_starts_with_its_first_probability_and_outcome() -> None:
    facts = {"qualification": StageFacts("", 10), "won": StageFacts("won", 100)}.get
    opened = replay(event(1, "record_created", {"values": {}, "probability": 35}, to_stage="qualification"),
                    facts=facts)
    assert (opened.outcome, opened.probability_override) == ("", 35)
    closed = replay(event(1, "record_created", {"values": {}, "probability": 100}, to_stage="won"), facts=facts)
    assert (closed.outcome, closed.probability_override) == ("won", None)


def test_differences_name_each_field() -> None:
    state = replay(event(1, "record_created", {"values": {"title": "T", "amount": "100", "close_date": "2027-01-31",
                                                          "classification": "confidential", "region": "north"},
                                               "owner_id": 7}, to_stage="qualification"),
                   event(2, "activity_done", activity="risk_analysis"))
    stored = StoredRecord(1, "proposal", "", 8, "T", Decimal("100.00"), "EUR", "2027-01-31", "confidential", None,
                          {"region": "south"}, {"done": {"risk_analysis": {}, "extra": {}}})
    found = {item.field: (item.stored, item.replayed) for item in differences(stored, state)}
    assert found == {"stage": ("proposal", "qualification"), "owner": (8, 7),
                     "field region": ("south", "north"),
                     "done activities": (["extra", "risk_analysis"], ["risk_analysis"])}
    agreeing = StoredRecord(1, "qualification", "", 7, "T", Decimal("100.00"), "EUR", "2027-01-31", "confidential",
                            None, {"region": "north"}, {"done": {"risk_analysis": {}}})
    assert differences(agreeing, state) == []
    assert differences(agreeing, ReplayedRecord(1))[0].field == "events"
