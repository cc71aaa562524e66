"""Lost-reason analysis: the library's lost_reason choice (and its details) of the records lost, by stage lost
from, type, owner, amount band and quarter, with each reason's share of the lost amount."""

from __future__ import annotations

import pytest

from tests.analytics.build import Opportunity, report, rows_by


@pytest.fixture
def losses(people):
    Opportunity(people, "kam", amount="100000").set(3, lost_reason="price").lose(4)
    Opportunity(people, "kam2", amount="300000", kind="stabilisation").qualify(2).set(5, lost_reason="competitor") \
        .lose(6)
    Opportunity(people, "kam", amount="100000").set(7, lost_reason="other", lost_reason_note="Merged").lose(8)
    Opportunity(people, "mate", amount="40000").lose(9)                 # no reason given
    Opportunity(people, "kam", amount="999").qualify(2).design(4).propose(6).win(10)   # won: not counted


def test_reasons_and_shares(losses):
    result = report("lost-reasons")
    reasons = rows_by(result, "reasons", "reason")
    assert set(reasons) == {"price", "competitor", "other", "(no reason)"}
    assert (reasons["competitor"]["count"], reasons["competitor"]["amount"]) == (1, 300000.0)
    assert reasons["competitor"]["share_amount"] == 0.5556          # 300 000 of 540 000
    assert reasons["price"]["reason_title"] == "Price" and reasons["price"]["share_count"] == 0.25
    assert result.summary == {"lost": 4, "lost_amount": 540000.0, "currency": "EUR", "with_reason": 3,
                              "top_reason": "competitor", "top_reason_share": 0.5556}
    notes = {row["record_id"]: row["note"] for row in result.tables["records"].rows}
    assert "Merged" in notes.values()
    stages = {(row["group"], row["reason"]): row for row in result.tables["by_stage"].rows}
    assert stages[("Requirement Analysis / Solution Design", "competitor")]["share_amount"] == 1.0
    assert stages[("Qualification", "price")]["share_amount"] == 0.4167    # 100 000 of 240 000 lost there
    owners = {(row["group"], row["reason"]) for row in result.tables["by_owner"].rows}
    assert ("kam", "other") in owners and ("mate", "(no reason)") in owners
    types = {(row["group"], row["reason"]) for row in result.tables["by_type"].rows}
    assert ("stabilisation", "competitor") in types
    bands = {row["group"] for row in result.tables["by_amount_band"].rows}
    assert bands == {"≤ 50 000", "50 000 – 250 000", "> 250 000"}
    assert {row["group"] for row in result.tables["by_period"].rows} == {"2027-Q1"}


def test_lost_reason_is_a_choice(losses, people):
    from salesflow.engine.errors import EngineError

    with pytest.raises(EngineError):
        Opportunity(people, "kam").set(1, lost_reason="Too expensive, they said")
