"""Unmet requirements may be overridden only with a written reason and by an authorised role."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import BadInput, NotPermitted, Unmet
from tests.engine.walk import HEAD, KAM, kinds, new_record


def test_kam_cannot_override(definition) -> None:
    with pytest.raises(NotPermitted):
        actions.move(definition, new_record(definition), KAM, "solution_design", override_reason="Customer in a hurry")
    with pytest.raises(NotPermitted):
        actions.move(definition, new_record(definition), KAM, "lost", override_reason="Customer vanished")


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_override_without_a_reason_is_just_a_refusal(definition, reason) -> None:
    with pytest.raises(Unmet):
        actions.move(definition, new_record(definition), HEAD, "solution_design", override_reason=reason)


def test_overlong_reason_is_bad_input(definition) -> None:
    with pytest.raises(BadInput):
        actions.move(definition, new_record(definition), HEAD, "solution_design", override_reason="x" * 2001)


def test_head_of_sales_overrides_with_a_reason(definition) -> None:
    result = actions.move(definition, new_record(definition), HEAD, "solution_design",
                          override_reason="  Framework agreement covers the risk analysis  ")
    assert kinds(result) == ["decision_made", "gate_overridden", "stage_changed"]
    override = result.events[1]
    assert override.role == "head_of_sales"
    assert (override.from_stage, override.to_stage) == ("qualification", "solution_design")
    assert override.payload["reason"] == "Framework agreement covers the risk analysis"
    assert [(item["kind"], item["id"]) for item in override.payload["unmet"]] == [
        ("activity", "risk_analysis"),
        ("activity", "customer_workshop"),
        ("field", "budget"),
        ("field", "decision_date"),
    ]
    assert result.events[2].payload["overridden"] is True
    assert result.state.stage == "solution_design"


def test_head_of_sales_overrides_an_outcome_requirement(definition) -> None:
    result = actions.move(definition, new_record(definition), HEAD, "lost", override_reason="Customer unreachable")
    # Ending early from Qualification is also the Head of Sales' decision "no" (recorded with the move).
    assert kinds(result) == ["decision_made", "gate_overridden", "stage_changed", "record_closed"]
    assert result.events[0].payload["answer"] == "no"
    assert [item["id"] for item in result.events[1].payload["unmet"]] == ["customer_informed"]


def test_met_requirements_need_no_override_event(definition) -> None:
    state = actions.do_activity(definition, new_record(definition), KAM, "customer_informed").state
    result = actions.move(definition, state, HEAD, "lost", override_reason="not needed")
    assert "gate_overridden" not in kinds(result)
    assert "overridden" not in result.events[0].payload
