"""The competence catalog's discount bands: the higher of the amount's and the largest discount's authority decides,
the approval is for one quote version, and a revised quote withdraws it (replay agrees)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesflow.engine import actions, authority
from salesflow.engine.errors import NotPermitted
from salesflow.engine.replay import APPROVAL_WITHDRAWN, EventFacts, ReplayedRecord, apply
from tests.engine.walk import DIRECTOR, HEAD, KAM, new_record

CASES = [  # amount, largest discount, roles that may approve
    ("40000", "0", ["kam", "head_of_sales", "managing_director"]),
    ("40000", "10", ["kam", "head_of_sales", "managing_director"]),
    ("40000", "10.01", ["head_of_sales", "managing_director"]),
    ("40000", "25", ["head_of_sales", "managing_director"]),
    ("40000", "30", ["managing_director"]),
    ("120000", "5", ["head_of_sales", "managing_director"]),
    ("300000", "5", ["managing_director"]),
]


@pytest.mark.parametrize(("amount", "discount", "roles"), CASES)
def test_higher_authority_decides(definition, amount, discount, roles) -> None:
    approval = definition.approvals["offer"]
    assert authority.approver_roles(approval, Decimal(amount), Decimal(discount)) == roles


def quote(version: int, discount: str) -> dict:
    return {"id": 7, "number": "Q-00007", "version": version, "max_discount_percent": discount}


def test_kam_cannot_approve_20_percent_head_of_sales_can(definition) -> None:
    state = new_record(definition, "40000.00")
    with pytest.raises(NotPermitted) as refused:
        actions.approve(definition, state, KAM, "offer", quote=quote(1, "20.00"))
    assert "20.00 %" in str(refused.value)
    granted = actions.approve(definition, state, HEAD, "offer", quote=quote(1, "20.00"))
    assert granted.state.approvals["offer"]["quote_version"] == 1
    assert granted.events[0].payload["discount_band"]["role"] == "head_of_sales"
    assert actions.approve(definition, state, DIRECTOR, "offer", quote=quote(1, "40")).events[0].role \
        == "managing_director"


def test_revision_withdraws_the_approval_and_replay_agrees(definition) -> None:
    state = new_record(definition, "40000.00")
    state.stage = "proposal"
    granted = actions.approve(definition, state, HEAD, "offer", quote=quote(1, "20.00")).state
    revised = actions.quote_changed(definition, granted, KAM, "quote_revised", quote(2, "15.00"),
                                    Decimal("42000.00"), "EUR")
    kinds = [event.kind for event in revised.events]
    assert kinds == ["field_changed", "quote_revised", "approval_withdrawn"]
    assert "offer" not in revised.state.approvals
    assert revised.state.values["amount"] == "42000.00"
    replayed = ReplayedRecord(record_id=1, approvals={"offer": {"amount": "40000.00"}})
    apply(replayed, EventFacts(1, 1, APPROVAL_WITHDRAWN, "proposal", "", "", "offer", None, "kam", "kam", {}))
    assert replayed.approvals == {}


def test_quotes_only_in_their_stages(definition) -> None:
    from salesflow.engine.errors import Conflict

    with pytest.raises(Conflict):
        actions.quote_changed(definition, new_record(definition, "1.00"), KAM, "quote_created", quote(1, "0"),
                              Decimal("1.00"), "EUR")


def test_a_request_asks_the_discount_bands_role(definition) -> None:
    from salesflow.engine import requests

    state = new_record(definition, "40000.00")
    asked = requests.request_approval(definition, state, KAM, "offer", discount=Decimal("20")).events[0]
    assert asked.payload["asked"] == ["head_of_sales"]
    state.stage = "proposal"
    found = requests.open_requests(definition, state, {"offer": Decimal("30")})
    assert [(item.id, item.role) for item in found] == [("offer", "managing_director")]
