"""Only an offer approved under the competence catalog may be sent."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import Unmet
from tests.engine.walk import HEAD, KAM, do, kinds, unmet_ids, walk_to


def test_send_offer_refused_without_approval(definition) -> None:
    state = do(definition, walk_to(definition, "proposal"), KAM, "prepare_offer")
    with pytest.raises(Unmet) as refused:
        actions.do_activity(definition, state, KAM, "send_offer")
    assert unmet_ids(refused.value) == [("approval", "offer")]
    assert "to be approved by Head of Sales or Managing Director" in refused.value.items[0].message
    assert refused.value.items[0].stage == "proposal"


def test_send_offer_after_approval(definition) -> None:
    state = do(definition, walk_to(definition, "proposal"), KAM, "prepare_offer")
    state = actions.approve(definition, state, HEAD, "offer").state
    result = actions.do_activity(definition, state, KAM, "send_offer")
    assert kinds(result) == ["activity_done"]
    assert result.events[0].activity == "send_offer"
    assert result.state.done["send_offer"]["role"] == "kam"
