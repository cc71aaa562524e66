"""An approval covers the amount it was granted for: a higher amount needs a new approval."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import Conflict, NotPermitted, Unmet
from salesflow.engine.gates import approval_holds, gate_unmet
from tests.engine.walk import DIRECTOR, HEAD, KAM, do, unmet_ids, walk_to


@pytest.fixture
def approved(definition):
    state = do(definition, walk_to(definition, "proposal"), KAM, "prepare_offer")
    return actions.approve(definition, state, HEAD, "offer").state


def test_rise_above_the_approved_amount_drops_the_approval(definition, approved) -> None:
    assert approval_holds(definition, approved, "offer")
    raised = actions.set_fields(definition, approved, KAM, {"amount": "130000.00"}).state
    assert not approval_holds(definition, raised, "offer")
    items = gate_unmet(definition, raised, definition.stage("proposal"))
    assert [(item.kind, item.id) for item in items] == [("activity", "send_offer"), ("approval", "offer")]
    assert "granted for 120000.00, the amount is now 130000.00" in items[1].message
    with pytest.raises(Unmet) as refused:
        actions.do_activity(definition, raised, KAM, "send_offer")
    assert unmet_ids(refused.value) == [("approval", "offer")]


def test_lower_or_equal_amount_keeps_the_approval(definition, approved) -> None:
    lowered = actions.set_fields(definition, approved, KAM, {"amount": "90000.00"}).state
    assert approval_holds(definition, lowered, "offer")
    with pytest.raises(Conflict):
        actions.approve(definition, lowered, HEAD, "offer")


def test_approving_again_for_the_new_amount(definition, approved) -> None:
    raised = actions.set_fields(definition, approved, KAM, {"amount": "130000.00"}).state
    again = actions.approve(definition, raised, HEAD, "offer").state
    assert approval_holds(definition, again, "offer")
    assert do(definition, again, KAM, "send_offer").done["send_offer"]["by"] == KAM.user_id


def test_rise_into_a_higher_band_needs_the_higher_role(definition, approved) -> None:
    raised = actions.set_fields(definition, approved, KAM, {"amount": "260000.00"}).state
    with pytest.raises(NotPermitted):
        actions.approve(definition, raised, HEAD, "offer")
    assert approval_holds(definition, actions.approve(definition, raised, DIRECTOR, "offer").state, "offer")
