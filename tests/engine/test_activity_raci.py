"""Activities are done by the roles of their RACI, not by whoever owns the record (issue 12, point 3)."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import NotPermitted
from tests.engine.walk import BID, HEAD, KAM, SUPPORT, do, do_gate_work, library_with, new_record, walk_to


def test_the_owner_cannot_mark_another_roles_activity_done(definition) -> None:
    state = do_gate_work(definition, walk_to(definition, "negotiation"))
    with pytest.raises(NotPermitted) as refused:
        actions.do_activity(definition, state, KAM, "contract_signed")
    assert refused.value.message == "activity contract_signed is done by Head of Sales"
    assert refused.value.rule == "activity_roles"
    assert refused.value.params["roles"] == ["head_of_sales"]
    assert "contract_signed" in actions.do_activity(definition, state, HEAD, "contract_signed").state.done


@pytest.mark.parametrize(("actor", "activity", "allowed"), [
    (KAM, "qualification_support", False),      # responsible: Sales Support
    (SUPPORT, "qualification_support", True),
    (HEAD, "risk_analysis", False),             # responsible: Key Account Manager; Head of Sales is not in its RACI
    (KAM, "risk_analysis", True),
])
def test_responsible_role_only(definition, actor, activity, allowed) -> None:
    state = new_record(definition)
    if allowed:
        assert activity in actions.do_activity(definition, state, actor, activity).state.done
    else:
        with pytest.raises(NotPermitted):
            actions.do_activity(definition, state, actor, activity)


def test_the_accountable_role_may_do_it(definition) -> None:
    state = walk_to(definition, "solution_design")
    # further_risk_analysis: responsible internal, accountable Key Account Manager
    assert "further_risk_analysis" in actions.do_activity(definition, state, KAM, "further_risk_analysis").state.done
    # solution_design: responsible Bid Manager, accountable Head of Sales
    assert "solution_design" in actions.do_activity(definition, state, HEAD, "solution_design").state.done
    assert "solution_design" in actions.do_activity(definition, state, BID, "solution_design").state.done


def test_the_delegate_of_the_stage_decision_does_the_deciders_activities(definition) -> None:
    state = do(definition, walk_to(definition, "negotiation"), KAM, "customer_feedback")
    with pytest.raises(NotPermitted) as refused:
        actions.do_activity(definition, state, KAM, "contract_negotiation")
    assert "delegated" in refused.value.message
    delegated = actions.delegate(definition, state, HEAD, KAM, ["negotiation"]).state
    result = actions.do_activity(definition, delegated, KAM, "contract_negotiation")
    assert result.events[0].role == "kam"


def test_done_by_names_further_roles(definition) -> None:
    changed = library_with("        responsible: sales_support\n    gate:\n",
                           "        responsible: sales_support\n        done_by: [kam]\n    gate:\n")
    state = new_record(changed)
    result = actions.do_activity(changed, state, KAM, "qualification_support")
    assert result.events[0].role == "kam"
    with pytest.raises(NotPermitted) as refused:
        actions.do_activity(changed, state, HEAD, "qualification_support")
    assert refused.value.message == "activity qualification_support is done by Sales Support or Key Account Manager"
