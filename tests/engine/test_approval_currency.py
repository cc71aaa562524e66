"""Approval bands name their currency: an amount in another currency is compared after conversion at the
day's rate (given to the engine), and the approval records the rate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesflow.engine import actions
from salesflow.engine.authority import BandConversion
from salesflow.engine.errors import NotPermitted
from salesflow.engine.gates import approval_holds
from tests.engine.walk import HEAD, KAM, new_record

USD_EUR = BandConversion("USD", "EUR", Decimal("0.9"), "2027-01-05")


def usd_record(definition, amount: str):
    state = new_record(definition, amount)
    state.values["currency"] = "USD"
    return state


def test_the_bands_name_their_currency(definition) -> None:
    assert definition.approvals["offer"].currency == "EUR"


def test_a_usd_offer_within_the_eur_band_after_conversion(definition) -> None:
    # 55 000 USD is 49 500 EUR: within the KAM's band of 50 000 EUR (at face value it would not be)
    result = actions.approve(definition, usd_record(definition, "55000.00"), KAM, "offer", conversion=USD_EUR)
    event = result.events[0]
    assert event.role == "kam" and event.payload["band"]["index"] == 0
    assert event.payload["currency"] == "USD"
    assert event.payload["conversion"] == {"from": "USD", "to": "EUR", "rate": "0.9", "date": "2027-01-05",
                                           "amount": "55000.00", "converted": "49500.00"}
    assert result.state.approvals["offer"]["currency"] == "USD"


def test_a_usd_offer_above_the_band_after_conversion(definition) -> None:
    rate = BandConversion("USD", "EUR", Decimal("1.2"), "2027-01-05")
    with pytest.raises(NotPermitted) as refused:
        actions.approve(definition, usd_record(definition, "50000.00"), KAM, "offer", conversion=rate)
    assert "50000.00 USD (60000.00 EUR at 1.2)" in refused.value.message
    assert actions.approve(definition, usd_record(definition, "50000.00"), HEAD, "offer",
                           conversion=rate).events[0].role == "head_of_sales"


def test_an_approval_in_one_currency_does_not_hold_for_another(definition) -> None:
    result = actions.approve(definition, usd_record(definition, "40000.00"), KAM, "offer", conversion=USD_EUR)
    assert approval_holds(definition, result.state, "offer")
    result.state.values["currency"] = "GBP"
    assert not approval_holds(definition, result.state, "offer")
