"""Which rate converts on a day: the pair's rate in force (direct or inverted), else across the corporate
currency; none at all without rates (never face value)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from salesflow.currency.book import RateBook

D = datetime.date


def book() -> RateBook:
    return RateBook([
        (D(2027, 1, 1), "USD", "EUR", Decimal("0.9")),
        (D(2027, 2, 1), "USD", "EUR", Decimal("0.8")),
        (D(2027, 1, 15), "EUR", "CHF", Decimal("1.25")),
    ], "EUR")


def test_the_rate_in_force_on_the_day():
    rates = book()
    assert rates.pair_rate("USD", "EUR", D(2026, 12, 31)) is None
    assert rates.pair_rate("USD", "EUR", D(2027, 1, 1)) == Decimal("0.9")
    assert rates.pair_rate("USD", "EUR", D(2027, 1, 31)) == Decimal("0.9")
    assert rates.pair_rate("USD", "EUR", D(2027, 2, 1)) == Decimal("0.8")


def test_inverse_and_triangulation_through_the_corporate_currency():
    rates = book()
    assert rates.pair_rate("CHF", "EUR", D(2027, 1, 20)) == Decimal(1) / Decimal("1.25")
    rate, via = rates.rate("USD", "CHF", D(2027, 1, 20))
    assert via == "EUR" and rate == Decimal("0.9") * Decimal("1.25")
    assert rates.rate("USD", "CHF", D(2027, 1, 10)) is None     # no CHF rate yet
    assert rates.rate("GBP", "EUR", D(2027, 3, 1)) is None


def test_a_newer_inverse_rate_wins_over_an_older_direct_one():
    rates = RateBook([(D(2027, 1, 1), "USD", "EUR", Decimal("0.9")),
                      (D(2027, 3, 1), "EUR", "USD", Decimal("1.25"))], "EUR")
    assert rates.pair_rate("USD", "EUR", D(2027, 2, 1)) == Decimal("0.9")
    assert rates.pair_rate("USD", "EUR", D(2027, 3, 1)) == Decimal("0.8")


def test_convert_records_what_it_did():
    conversion = book().convert(Decimal("50000"), "USD", "EUR", D(2027, 1, 5))
    assert conversion is not None and conversion.converted == Decimal("45000.00")
    assert conversion.to_data() == {"from": "USD", "to": "EUR", "rate": "0.9", "date": "2027-01-05",
                                    "amount": "50000", "converted": "45000.00"}
