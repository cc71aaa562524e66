"""New vs existing customer: an account with a won opportunity closed before the date is an existing customer."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from salesflow.accounts.models import Account
from tests.accounts.conftest import at


@pytest.fixture
def accounts(make_account: Any, deal: Any, lead_process: Any) -> dict[str, Account]:
    made = {name: make_account(name) for name in ("Won", "LostOnly", "WonLead", "OpenOnly", "Nothing")}
    deal(made["Won"], "1000", "won", "2025-03-01", time="10:00")
    deal(made["LostOnly"], "1000", "lost", "2025-01-01")
    deal(made["WonLead"], "1000", "won", "2025-01-01", process=lead_process)  # a won lead is not a sale
    deal(made["OpenOnly"], "1000", "")
    return made


def test_won_opportunity_before_the_date(accounts: dict[str, Account]) -> None:
    won = accounts["Won"]

    assert not won.is_existing_customer(datetime.date(2025, 3, 1))  # the start of the closing day
    assert not won.is_existing_customer(at("2025-03-01", "10:00"))  # "before" is strict
    assert won.is_existing_customer(at("2025-03-01", "10:01"))
    assert won.is_existing_customer(datetime.date(2025, 3, 2))
    assert won.is_existing_customer()  # now


@pytest.mark.parametrize("name", ["LostOnly", "WonLead", "OpenOnly", "Nothing"])
def test_others_are_new_customers(accounts: dict[str, Account], name: str) -> None:
    assert not accounts[name].is_existing_customer()


def test_an_unsaved_account_is_new() -> None:
    assert not Account(name="Fresh").is_existing_customer()


def test_queryset_annotation_agrees(accounts: dict[str, Account]) -> None:
    annotated = {account.name: account.existing_customer
                 for account in Account.objects.with_customer_status(datetime.date(2025, 6, 1))}

    assert annotated == {"Won": True, "LostOnly": False, "WonLead": False, "OpenOnly": False, "Nothing": False}
    assert list(Account.objects.existing_customers(datetime.date(2025, 6, 1)).values_list("name", flat=True)) == ["Won"]
    assert "Won" in Account.objects.new_customers(datetime.date(2025, 2, 1)).values_list("name", flat=True)
    assert Account.objects.new_customers(datetime.date(2025, 6, 1)).count() == 4
