"""Won needs the negotiation gate and the signed contract and final offer."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import Unmet
from tests.engine.walk import HEAD, SUPPORT, do, do_gate_work, kinds, unmet_ids, walk_to


@pytest.fixture
def negotiated(definition):
    return do_gate_work(definition, walk_to(definition, "negotiation"))


def test_won_lists_the_outcome_requirements(definition, negotiated) -> None:
    with pytest.raises(Unmet) as refused:
        actions.move(definition, negotiated, HEAD, "won")
    assert unmet_ids(refused.value) == [("activity", "contract_signed"), ("activity", "final_offer")]
    assert {item.stage for item in refused.value.items} == {"won"}


def test_won_needs_both(definition, negotiated) -> None:
    state = do(definition, negotiated, HEAD, "contract_signed")
    with pytest.raises(Unmet) as refused:
        actions.move(definition, state, HEAD, "won")
    assert unmet_ids(refused.value) == [("activity", "final_offer")]


def test_won_when_everything_holds(definition, negotiated) -> None:
    state = do(definition, negotiated, HEAD, "contract_signed")
    state = do(definition, state, SUPPORT, "final_offer")
    result = actions.move(definition, state, HEAD, "won")
    assert kinds(result) == ["decision_made", "stage_changed", "record_closed"]
    assert result.events[1].payload["direction"] == "forward"
    assert result.events[1].payload["probability"] == 100
    assert result.events[2].payload == {"outcome": "won", "amount": "120000.00", "won": True}
    assert result.state.stage == "won"


def test_won_from_negotiation_still_needs_its_gate(definition) -> None:
    state = walk_to(definition, "negotiation")
    state = do(definition, state, HEAD, "contract_signed")
    state = do(definition, state, SUPPORT, "final_offer")
    with pytest.raises(Unmet) as refused:
        actions.move(definition, state, HEAD, "won")
    assert unmet_ids(refused.value) == [("activity", "customer_feedback"), ("activity", "contract_negotiation")]
