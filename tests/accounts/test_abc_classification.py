"""The ABC rule itself (`classify`): threshold crossing, exact thresholds, ties, zero revenue."""

from __future__ import annotations

import random
from decimal import Decimal

from salesflow.accounts.segmentation import Revenue, classify


def revenues(*items: tuple[int, str, str]) -> list[Revenue]:
    return [Revenue(pk, name, Decimal(amount)) for pk, name, amount in items]


def test_the_account_crossing_a_threshold_belongs_to_the_class() -> None:
    # 70 % then 20 %: the second crosses 80 % (70 → 90) and is A; the third starts at 90 % → B; 4th at 96 % → C.
    result = classify(revenues((1, "a", "70"), (2, "b", "20"), (3, "c", "6"), (4, "d", "4")))

    assert result == {1: "A", 2: "A", 3: "B", 4: "C"}


def test_reaching_a_threshold_exactly_closes_the_class() -> None:
    # 80 % reached exactly by the first account: the next one starts at 80 % and is B.
    result = classify(revenues((1, "a", "80"), (2, "b", "15"), (3, "c", "5")))

    assert result == {1: "A", 2: "B", 3: "C"}


def test_ties_are_broken_by_name_whatever_the_input_order() -> None:
    # Four equal revenues, 25 % each; A ≤ 50 %, B ≤ 75 %: alpha (0 %) A, Bravo (25 %) A, Charlie (50 %) B,
    # delta (75 %) C — names compared case-insensitively.
    items = revenues((1, "Bravo", "100"), (2, "alpha", "100"), (3, "Charlie", "100"), (4, "delta", "100"))
    for seed in range(5):
        shuffled = list(items)
        random.Random(seed).shuffle(shuffled)
        assert classify(shuffled, Decimal("50"), Decimal("75")) == {2: "A", 1: "A", 3: "B", 4: "C"}


def test_zero_and_negative_revenue_is_c() -> None:
    result = classify(revenues((1, "a", "100"), (2, "b", "0"), (3, "c", "-5")))

    assert result == {1: "A", 2: "C", 3: "C"}


def test_single_account_with_revenue_is_a() -> None:
    assert classify(revenues((7, "only", "1"))) == {7: "A"}
