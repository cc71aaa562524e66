"""The offer approval follows the competence catalog: the amount decides who may approve."""

from __future__ import annotations

import pytest

from salesflow.engine import actions
from salesflow.engine.errors import NotPermitted, Unmet
from tests.engine.walk import DIRECTOR, HEAD, KAM, new_record, unmet_ids

ALLOWED = [
    ("40000.00", KAM, "kam"),
    ("50000.00", KAM, "kam"),
    ("40000.00", HEAD, "head_of_sales"),
    ("120000.00", HEAD, "head_of_sales"),
    ("250000.00", HEAD, "head_of_sales"),
    ("120000.00", DIRECTOR, "managing_director"),
    ("300000.00", DIRECTOR, "managing_director"),
]
REFUSED = [
    ("50000.01", KAM),
    ("120000.00", KAM),
    ("250000.01", HEAD),
    ("300000.00", HEAD),
    ("300000.00", KAM),
]


@pytest.mark.parametrize(("amount", "actor", "role"), ALLOWED)
def test_approver_within_authority(definition, amount, actor, role) -> None:
    result = actions.approve(definition, new_record(definition, amount), actor, "offer")
    event = result.events[0]
    assert (event.kind, event.approval, event.role) == ("approval_granted", "offer", role)
    assert event.payload["amount"] == amount
    assert result.state.approvals["offer"]["amount"] == amount
    assert result.state.approvals["offer"]["by"] == actor.user_id


@pytest.mark.parametrize(("amount", "actor"), REFUSED)
def test_approver_beyond_authority(definition, amount, actor) -> None:
    with pytest.raises(NotPermitted):
        actions.approve(definition, new_record(definition, amount), actor, "offer")


def test_refusal_names_who_may_approve(definition) -> None:
    with pytest.raises(NotPermitted) as refused:
        actions.approve(definition, new_record(definition, "120000.00"), KAM, "offer")
    assert "Head of Sales or Managing Director" in refused.value.message
    with pytest.raises(NotPermitted) as refused:
        actions.approve(definition, new_record(definition, "300000.00"), HEAD, "offer")
    assert "Managing Director" in refused.value.message
    assert "Head of Sales" not in refused.value.message


def test_band_is_recorded(definition) -> None:
    result = actions.approve(definition, new_record(definition, "120000.00"), HEAD, "offer")
    assert result.events[0].payload["band"] == {"index": 1, "up_to": 250000.0, "role": "head_of_sales"}


def test_no_amount_no_approval(definition) -> None:
    with pytest.raises(Unmet) as refused:
        actions.approve(definition, new_record(definition, None), HEAD, "offer")
    assert unmet_ids(refused.value) == [("field", "amount")]
