"""Win rate by type (and new business vs existing customers), owner and amount band."""

from __future__ import annotations

from tests.analytics.build import Opportunity, report, rows_by


def test_win_rate_by_type_owner_and_amount_band(people):
    Opportunity(people, "kam", amount="40000", kind="new_business").qualify(1).design(2).propose(3).win(4)
    Opportunity(people, "kam", amount="120000", kind="stabilisation").qualify(1).design(2).propose(3).win(5)
    Opportunity(people, "kam2", amount="300000", kind="cross_selling").lose(2)
    Opportunity(people, "kam2", amount="60000", kind="new_business").lose(3)
    Opportunity(people, "kam", amount="20000", kind="stabilisation").lose(4)
    Opportunity(people, "kam", amount="90000", kind="cross_selling")          # open: not counted
    result = report("winrate")
    by_type = rows_by(result, "type", "group")
    assert (by_type["new_business"]["closed"], by_type["new_business"]["win_rate"]) == (2, 0.5)
    assert (by_type["stabilisation"]["closed"], by_type["stabilisation"]["win_rate"]) == (2, 0.5)
    assert (by_type["cross_selling"]["closed"], by_type["cross_selling"]["win_rate"]) == (1, 0.0)
    segment = rows_by(result, "segment", "group")
    assert segment["new business"]["win_rate"] == 0.5 and segment["existing customer"]["win_rate"] == 0.3333
    owner = rows_by(result, "owner", "group")
    assert owner["kam"]["win_rate"] == 0.6667 and owner["kam2"]["win_rate"] == 0.0
    bands = result.tables["amount-band"].rows
    assert [(row["group"], row["closed"], row["won"]) for row in bands] == [
        ("≤ 50 000", 2, 1), ("50 000 – 250 000", 2, 1), ("> 250 000", 1, 0)]
    assert result.summary["win_rate"] == 0.4
    assert result.summary["won_amount"] == 160000.0
    assert result.summary["amount_win_rate"] == 0.2963     # 160 000 / 540 000
