"""A record in an outcome stage is closed: every action is refused as a conflict."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import Conflict
from tests.engine.walk import HEAD, KAM, SUPPORT, do, do_gate_work, walk_to


@pytest.fixture(params=["lost", "won"])
def closed(request, definition):
    if request.param == "lost":
        state = do(definition, walk_to(definition, "solution_design"), KAM, "customer_informed")
        return actions.move(definition, state, HEAD, "lost").state
    state = do_gate_work(definition, walk_to(definition, "negotiation"))
    state = do(definition, state, HEAD, "contract_signed")
    state = do(definition, state, SUPPORT, "final_offer")
    return actions.move(definition, state, HEAD, "won").state


ACTIONS = {
    "set_fields": lambda d, s: actions.set_fields(d, s, HEAD, {"account": "Someone else"}),
    "do_open_stage_activity": lambda d, s: actions.do_activity(d, s, KAM, "customer_workshop"),
    "do_other_outcome_activity": lambda d, s: actions.do_activity(
        d, s, KAM if s.stage == "won" else HEAD, "failure_communicated" if s.stage == "won" else "success_communicated"),
    "decide": lambda d, s: actions.decide(d, s, HEAD, "yes"),
    "approve": lambda d, s: actions.approve(d, s, HEAD, "offer"),
    "set_probability": lambda d, s: actions.set_probability(d, s, HEAD, 50, "reason"),
    "delegate": lambda d, s: actions.delegate(d, s, HEAD, KAM),
    "move_back": lambda d, s: actions.move(d, s, HEAD, "qualification"),
    "move_other_outcome": lambda d, s: actions.move(d, s, HEAD, "won" if s.stage == "lost" else "lost",
                                                     override_reason="reopen"),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_is_refused(definition, closed, action) -> None:
    before = closed.copy()
    with pytest.raises(Conflict) as refused:
        ACTIONS[action](definition, closed)
    assert "closed" in refused.value.message
    assert closed == before


FOLLOW_UP = {"won": (HEAD, "success_communicated"), "lost": (KAM, "failure_communicated")}


def test_follow_up_activities_of_the_closing_stage_can_still_be_done(definition, closed) -> None:
    actor, activity = FOLLOW_UP[closed.stage]
    result = actions.do_activity(definition, closed, actor, activity)
    assert activity in result.state.done
    assert result.state.stage == closed.stage
    assert [event.kind for event in result.events] == ["activity_done"]
