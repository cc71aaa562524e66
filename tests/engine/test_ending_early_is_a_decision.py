"""Closing a record as Lost from a stage whose gate asks a decision is that decision (issue 12, point 2)."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import NotPermitted
from salesflow.process.validate import ProcessInvalid
from tests.engine.walk import DIRECTOR, HEAD, KAM, do, kinds, library_with, new_record, walk_to

DECIDING_STAGES = ["qualification", "solution_design", "negotiation"]


def informed(definition, stage: str):
    """A record in ``stage`` whose customer was informed (the Lost outcome's own requirement)."""
    state = walk_to(definition, stage) if stage != "qualification" else new_record(definition)
    return do(definition, state, KAM, "customer_informed")


@pytest.mark.parametrize("stage", DECIDING_STAGES)
def test_owner_cannot_close_as_lost_without_the_deciding_role(definition, stage) -> None:
    state = informed(definition, stage)
    before = state.copy()
    with pytest.raises(NotPermitted) as refused:
        actions.move(definition, state, KAM, "lost")
    assert "is the decision of Head of Sales" in refused.value.message
    assert refused.value.rule == "closing_decision"
    assert refused.value.params["roles"] == ["head_of_sales"]
    assert refused.value.params["stage"] == stage
    assert state == before


@pytest.mark.parametrize("stage", DECIDING_STAGES)
def test_an_override_reason_does_not_let_the_owner_take_the_decision(definition, stage) -> None:
    with pytest.raises(NotPermitted) as refused:
        actions.move(definition, informed(definition, stage), KAM, "lost", override_reason="Customer went silent")
    assert "Head of Sales" in refused.value.message


@pytest.mark.parametrize("stage", DECIDING_STAGES)
def test_a_delegated_kam_closes_and_the_move_records_the_decision(definition, stage) -> None:
    state = actions.delegate(definition, informed(definition, stage), HEAD, KAM, [stage]).state
    result = actions.move(definition, state, KAM, "lost")
    assert kinds(result) == ["decision_made", "stage_changed", "record_closed"]
    decision = result.events[0]
    assert (decision.from_stage, decision.role, decision.payload["answer"]) == (stage, "kam", "no")
    assert result.events[1].role == "kam"
    assert result.state.stage == "lost"


def test_a_delegation_of_another_stage_does_not_count(definition) -> None:
    state = actions.delegate(definition, informed(definition, "negotiation"), HEAD, KAM, ["qualification"]).state
    with pytest.raises(NotPermitted):
        actions.move(definition, state, KAM, "lost")


@pytest.mark.parametrize("stage", DECIDING_STAGES)
def test_the_head_of_sales_closes_as_lost(definition, stage) -> None:
    result = actions.move(definition, informed(definition, stage), HEAD, "lost")
    assert kinds(result) == ["decision_made", "stage_changed", "record_closed"]
    assert result.events[0].role == "head_of_sales"


def test_after_the_decision_no_the_owner_closes(definition) -> None:
    state = actions.decide(definition, informed(definition, "negotiation"), HEAD, "no", "Price gap too large").state
    result = actions.move(definition, state, KAM, "lost")
    assert kinds(result) == ["stage_changed", "record_closed"]


def test_a_yes_decision_is_not_a_decision_to_end(definition) -> None:
    state = actions.decide(definition, informed(definition, "qualification"), HEAD, "yes").state
    with pytest.raises(NotPermitted):
        actions.move(definition, state, KAM, "lost")


def test_a_stage_without_a_decision_can_be_ended_by_the_owner(definition) -> None:
    result = actions.move(definition, informed(definition, "proposal"), KAM, "lost")
    assert kinds(result) == ["stage_changed", "record_closed"]


def test_decided_by_empty_makes_ending_no_decision(definition) -> None:
    changed = library_with("    outcome: lost\n", "    outcome: lost\n    decided_by: []\n")
    state = do(changed, new_record(changed), KAM, "customer_informed")
    assert kinds(actions.move(changed, state, KAM, "lost")) == ["stage_changed", "record_closed"]


def test_decided_by_names_who_closes(definition) -> None:
    changed = library_with("    outcome: lost\n", "    outcome: lost\n    decided_by: [managing_director]\n")
    state = do(changed, walk_to(changed, "proposal"), KAM, "customer_informed")
    for actor in (KAM, HEAD):
        with pytest.raises(NotPermitted) as refused:
            actions.move(changed, state, actor, "lost")
        assert "Managing Director" in refused.value.message
    result = actions.move(changed, state, DIRECTOR, "lost")
    assert result.events[0].role == "managing_director"


def test_decided_by_on_an_open_stage_is_refused_with_its_line() -> None:
    with pytest.raises(ProcessInvalid) as refused:
        library_with("    probability: 10\n", "    probability: 10\n    decided_by: [kam]\n")
    assert any("decided_by on a stage is for outcome stages" in str(problem) and problem.line > 1
               for problem in refused.value.problems)


def test_decided_by_names_a_declared_role() -> None:
    with pytest.raises(ProcessInvalid) as refused:
        library_with("    outcome: lost\n", "    outcome: lost\n    decided_by: [nobody]\n")
    assert any("unknown role 'nobody'" in str(problem) for problem in refused.value.problems)


def test_an_authorised_override_with_a_reason_ends_early(definition) -> None:
    changed = library_with("  override: [head_of_sales]\n", "  override: [head_of_sales, managing_director]\n")
    changed = changed.model_copy(update={"rights": changed.rights.model_copy(
        update={"move": ["head_of_sales", "managing_director"]})})
    state = do(changed, new_record(changed), KAM, "customer_informed")
    with pytest.raises(NotPermitted) as refused:
        actions.move(changed, state, DIRECTOR, "lost")
    assert "Head of Sales" in refused.value.message
    result = actions.move(changed, state, DIRECTOR, "lost", override_reason="Customer insolvent")
    assert kinds(result) == ["gate_overridden", "stage_changed", "record_closed"]
    overridden = result.events[0]
    assert (overridden.role, overridden.payload["reason"]) == ("managing_director", "Customer insolvent")
    assert [(item["kind"], item["id"]) for item in overridden.payload["unmet"]] == [("decision", "qualification")]
