"""A record ends as Lost only after the customer was informed."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import Unmet
from tests.engine.walk import HEAD, KAM, kinds, new_record, unmet_ids, walk_to


def test_lost_refused_until_the_customer_is_informed(definition) -> None:
    state = new_record(definition)
    with pytest.raises(Unmet) as refused:
        actions.move(definition, state, HEAD, "lost")
    assert unmet_ids(refused.value) == [("activity", "customer_informed")]
    assert refused.value.items[0].stage == "lost"
    assert "cannot enter lost" in refused.value.message


def test_lost_after_the_customer_is_informed(definition) -> None:
    state = actions.do_activity(definition, new_record(definition), KAM, "customer_informed").state
    state = actions.decide(definition, state, HEAD, "no").state
    result = actions.move(definition, state, KAM, "lost")
    assert kinds(result) == ["stage_changed", "record_closed"]
    assert result.events[0].payload["direction"] == "exit"
    assert result.events[0].payload["probability"] == 0
    assert result.events[1].payload == {"outcome": "lost", "amount": "120000.00", "won": False}
    assert result.state.stage == "lost"


def test_lost_from_a_later_stage_needs_no_gate(definition) -> None:
    state = walk_to(definition, "proposal")
    state = actions.do_activity(definition, state, KAM, "customer_informed").state
    assert actions.move(definition, state, KAM, "lost").state.stage == "lost"
