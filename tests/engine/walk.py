"""Shared cast and helpers of the engine tests: actors, a fresh record, and a legitimate walk to a stage.

No Django: the default library is read from its YAML file and states are built by the engine's own
actions, so every state a test starts from is one the rules allow.
"""

from __future__ import annotations

from pathlib import Path

from salesflow.engine import actions
from salesflow.engine.state import Actor, RecordState, Result
from salesflow.process.model import ProcessDefinition
from salesflow.process.validate import parse_valid, read_file

LIBRARY_FILE = Path(__file__).resolve().parents[2] / "salesflow" / "library" / "opportunity-management.yaml"

HEAD = Actor(1, "Helena Head", frozenset({"head_of_sales"}))
KAM = Actor(2, "Kai Kam", frozenset({"kam"}))
KAM2 = Actor(3, "Lena Kam", frozenset({"kam"}))
SUPPORT = Actor(4, "Sara Support", frozenset({"sales_support"}))
BID = Actor(5, "Bernd Bid", frozenset({"bid_manager"}))
DIRECTOR = Actor(6, "Dana Director", frozenset({"managing_director"}))


def library() -> ProcessDefinition:
    """The default library's opportunity-management definition."""
    return read_file(LIBRARY_FILE).definition


def library_with(old: str, new: str) -> ProcessDefinition:
    """The default library with one piece of its YAML text replaced (validated)."""
    text = LIBRARY_FILE.read_text(encoding="utf-8")
    assert old in text, old
    from salesflow.records.library import default_library_keys

    return parse_valid(text.replace(old, new, 1), "changed.yaml", default_library_keys()).definition


def kinds(result: Result) -> list[str]:
    """The kinds of a result's events, in order."""
    return [event.kind for event in result.events]


def unmet_ids(error: Exception) -> list[tuple[str, str]]:
    """(kind, id) of every unmet item of an `Unmet` refusal, in order."""
    return [(item.kind, item.id) for item in error.items]  # type: ignore[attr-defined]


def new_record(definition: ProcessDefinition, amount: str | None = "120000.00") -> RecordState:
    """A record created and owned by KAM in the first stage."""
    values = {"title": "Energy platform"}
    if amount is not None:
        values["amount"] = amount
    return actions.create(definition, KAM, values, KAM.user_id).state


def do(definition: ProcessDefinition, state: RecordState, actor: Actor, *activity_ids: str) -> RecordState:
    """Complete activities one after the other."""
    for activity_id in activity_ids:
        state = actions.do_activity(definition, state, actor, activity_id).state
    return state


def do_gate_work(definition: ProcessDefinition, state: RecordState) -> RecordState:
    """Everything the current stage's gate requires except its decision."""
    stage = state.stage
    if stage == "qualification":
        state = do(definition, state, KAM, "risk_analysis", "customer_workshop")
        return actions.set_fields(definition, state, KAM, {"budget": "150000.00", "decision_date": "2030-06-30"}).state
    if stage == "solution_design":
        state = actions.set_fields(definition, state, KAM, {"bid_manager": BID.user_id}).state
        state = do(definition, state, KAM, "name_bid_manager", "customer_needs")
        return do(definition, state, BID, "solution_design")
    if stage == "proposal":
        state = do(definition, state, KAM, "prepare_offer")
        state = actions.approve(definition, state, HEAD, "offer").state
        return do(definition, state, KAM, "send_offer")
    if stage == "negotiation":
        state = do(definition, state, KAM, "customer_feedback")
        return do(definition, state, HEAD, "contract_negotiation")
    raise AssertionError(f"no gate work for {stage}")


def walk_to(definition: ProcessDefinition, target: str, amount: str = "120000.00") -> RecordState:
    """A new record taken legitimately (gate work done, Head of Sales moving) to an open stage."""
    state = new_record(definition, amount)
    while state.stage != target:
        state = do_gate_work(definition, state)
        following = definition.open_stages[definition.open_index(state.stage) + 1].id
        state = actions.move(definition, state, HEAD, following).state
    return state
