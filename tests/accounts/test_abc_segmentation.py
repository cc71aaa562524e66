"""ABC segmentation of accounts by won opportunity revenue, against hand-computed expectations.

The world (as of 2025-06-30, default window 365 days = 2024-07-01 … 2025-06-30):

    account   won in window            ignored                                revenue  cum. before  class
    Alpha     300 + 150                -                                        450        0 %       A
    Beta      300                      -                                        300       45 %       A
    Gamma     120                      a lost deal of 1000                      120       75 %       A (crosses 80 %)
    Delta     80                       won 5000 on 2024-06-30 (outside window)   80       87 %       B (reaches 95 %)
    Epsilon   50 (2025-06-30 23:59)    won 900 on 2025-07-01 (after as_of),      50       95 %       C
                                       a won *lead* of 700, an open deal of 400
    Zeta      -                        -                                          0        -         C

Total 1000: A = 870 (3 accounts), B = 80 (1), C = 50 (2).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from salesflow.accounts.models import Account
from salesflow.accounts.segmentation import do_segment_accounts
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.records import eventlog
from salesflow.records.models import Event

AS_OF = datetime.date(2025, 6, 30)


@pytest.fixture
def world(make_account: Any, deal: Any, lead_process: Any) -> dict[str, Account]:
    accounts = {name: make_account(name) for name in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta")}
    deal(accounts["Alpha"], "300", "won", "2024-07-01", time="00:00")   # first moment of the window
    deal(accounts["Alpha"], "150", "won", "2025-01-15")
    deal(accounts["Beta"], "300", "won", "2025-02-01")
    deal(accounts["Gamma"], "120", "won", "2025-03-01")
    deal(accounts["Gamma"], "1000", "lost", "2025-03-02")
    deal(accounts["Delta"], "80", "won", "2025-04-01")
    deal(accounts["Delta"], "5000", "won", "2024-06-30", time="23:59")  # one minute before the window
    deal(accounts["Epsilon"], "50", "won", "2025-06-30", time="23:59")  # last minute of the window
    deal(accounts["Epsilon"], "900", "won", "2025-07-01", time="00:00")  # after as_of
    deal(accounts["Epsilon"], "700", "won", "2025-05-01", process=lead_process)  # a lead is not revenue
    deal(accounts["Epsilon"], "400", "")  # still open
    deal(None, "10000", "won", "2025-05-01")  # won, but without a customer account
    return accounts


def segments() -> dict[str, tuple[str, Decimal]]:
    return {account.name: (account.segment, account.segment_revenue) for account in Account.objects.all()}


def test_hand_computed_example(world: dict[str, Account], people: dict[str, Any]) -> None:
    summary = do_segment_accounts(people["head"], as_of=AS_OF)

    assert segments() == {
        "Alpha": ("A", Decimal("450")), "Beta": ("A", Decimal("300")), "Gamma": ("A", Decimal("120")),
        "Delta": ("B", Decimal("80")), "Epsilon": ("C", Decimal("50")), "Zeta": ("C", Decimal("0")),
    }
    assert summary.counts == {"A": 3, "B": 1, "C": 2}
    assert summary.revenue == {"A": Decimal("870"), "B": Decimal("80"), "C": Decimal("50")}
    assert summary.total_revenue == Decimal("1000")
    assert summary.window.first_day == datetime.date(2024, 7, 1)
    account = Account.objects.get(name="Alpha")
    assert account.segment_window_days == 365
    assert account.segmented_at == summary.segmented_at


def test_other_thresholds(world: dict[str, Account], people: dict[str, Any]) -> None:
    # A ≤ 50 %: Alpha (0 %), Beta (45 %); B ≤ 90 %: Gamma (75 %), Delta (87 %); C: Epsilon (95 %), Zeta.
    summary = do_segment_accounts(people["head"], a_share=50, b_share="90", as_of=AS_OF)

    assert {name: value[0] for name, value in segments().items()} == {
        "Alpha": "A", "Beta": "A", "Gamma": "B", "Delta": "B", "Epsilon": "C", "Zeta": "C"}
    assert summary.counts == {"A": 2, "B": 2, "C": 2}


def test_longer_window(world: dict[str, Account], people: dict[str, Any]) -> None:
    # 730 days take in Delta's 5000: Delta 5080 (0 % → A), Alpha 450 (84.7 % → B), Beta 300 (92.2 % → B),
    # Gamma 120 (97.2 % → C), Epsilon C, Zeta C. Total 6000.
    summary = do_segment_accounts(people["head"], window_days=730, as_of=AS_OF)

    assert segments() == {
        "Alpha": ("B", Decimal("450")), "Beta": ("B", Decimal("300")), "Gamma": ("C", Decimal("120")),
        "Delta": ("A", Decimal("5080")), "Epsilon": ("C", Decimal("50")), "Zeta": ("C", Decimal("0")),
    }
    assert summary.total_revenue == Decimal("6000")
    assert Account.objects.get(name="Delta").segment_window_days == 730


def test_rerun_changes_nothing_but_the_time(world: dict[str, Account], people: dict[str, Any]) -> None:
    first = do_segment_accounts(people["head"], as_of=AS_OF)
    before = segments()
    stamped = set(Account.objects.values_list("segmented_at", flat=True))

    second = do_segment_accounts(people["head"], as_of=AS_OF)

    assert segments() == before
    assert first.changed == 6 and second.changed == 0
    assert set(Account.objects.values_list("segmented_at", flat=True)) == {second.segmented_at}
    assert stamped == {first.segmented_at} and second.segmented_at >= first.segmented_at


def test_one_event_per_run_and_the_chain_holds(world: dict[str, Account], people: dict[str, Any]) -> None:
    events_before = Event.objects.count()

    summary = do_segment_accounts(people["head"], as_of=AS_OF)

    assert Event.objects.count() == events_before + 1
    event = Event.objects.get(kind="accounts_segmented")
    assert event.seq == summary.event_seq
    assert event.record_id is None
    assert event.actor_id == people["head"].pk and event.actor_name == people["head"].display_name
    assert event.payload["counts"] == {"A": 3, "B": 1, "C": 2}
    assert event.payload["window"] == {"days": 365, "from": "2024-07-01", "to": "2025-06-30"}
    assert event.payload["thresholds"] == {"a": "80", "b": "95"}
    assert eventlog.verify().ok


def test_the_system_may_run_it(world: dict[str, Account]) -> None:
    summary = do_segment_accounts(None, as_of=AS_OF)

    assert summary.counts == {"A": 3, "B": 1, "C": 2}
    assert Event.objects.get(kind="accounts_segmented").actor_name == "system"


def test_no_revenue_at_all_makes_everyone_c(make_account: Any, people: dict[str, Any]) -> None:
    make_account("Solo")
    make_account("Duo")

    summary = do_segment_accounts(people["head"], as_of=AS_OF)

    assert summary.counts == {"A": 0, "B": 0, "C": 2}
    assert set(Account.objects.values_list("segment", flat=True)) == {"C"}


@pytest.mark.parametrize(("options", "message"), [
    ({"a_share": 0}, "a_share"),
    ({"a_share": 120}, "a_share"),
    ({"a_share": "eighty"}, "a_share"),
    ({"b_share": 101}, "b_share"),
    ({"a_share": 95, "b_share": 80}, "below the B share"),
    ({"a_share": 80, "b_share": 80}, "below the B share"),
    ({"window_days": 0}, "window_days"),
    ({"window_days": "a year"}, "window_days"),
    ({"as_of": "2025-02-30"}, "as_of"),
])
def test_bad_parameters_change_nothing(world: dict[str, Account], people: dict[str, Any],
                                       options: dict[str, Any], message: str) -> None:
    events_before = Event.objects.count()

    with pytest.raises(BadInput, match=message):
        do_segment_accounts(people["head"], **{"as_of": AS_OF, **options})

    assert set(Account.objects.values_list("segment", flat=True)) == {""}
    assert Event.objects.count() == events_before


def test_auditors_may_not_segment(world: dict[str, Account], people: dict[str, Any]) -> None:
    with pytest.raises(NotPermitted):
        do_segment_accounts(people["auditor"], as_of=AS_OF)

    assert not Event.objects.filter(kind="accounts_segmented").exists()
