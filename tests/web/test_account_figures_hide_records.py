"""Account pages and the account API compute from visible records: no segment, customer status or total
of a won deal the reader may not see (the stored, company-wide segment is withheld from such readers)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from salesflow.accounts.models import Account
from salesflow.accounts.segmentation import do_segment_accounts
from salesflow.people.services import do_add_user
from salesflow.people.tokens import create_token
from salesflow.records import services
from salesflow.records.models import Record
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def _won(owner: Any, account: Account, amount: str, classification: str = "internal") -> Record:
    record = services.do_create_record("opportunity-management", owner, {
        "title": f"Deal {amount}", "amount": amount, "classification": classification}, customer_id=account.pk)
    Record.objects.filter(pk=record.pk).update(outcome="won", stage="won",
                                               closed_at=timezone.now() - datetime.timedelta(days=3))
    return record


@pytest.fixture
def world(people: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    acme = Account.objects.create(name="ACME GmbH", created_at=now)
    beta = Account.objects.create(name="Beta AG", created_at=now)
    gamma = Account.objects.create(name="Gamma SE", created_at=now)
    _won(people["kam"], acme, "100")
    _won(people["kam2"], acme, "5000000", "strictly_confidential")  # KAM South's secret
    _won(people["kam2"], beta, "700000", "strictly_confidential")
    _won(people["kam"], gamma, "40")
    ops = do_add_user("ops", ["sales_ops"], [], password="ops-password-1")
    do_segment_accounts(people["head"])
    return {**people, "acme": acme, "beta": beta, "gamma": gamma, "ops": ops}


def test_the_account_page_withholds_a_segment_computed_from_hidden_deals(world, client_for) -> None:
    assert Account.objects.get(name="ACME GmbH").segment == "A"  # stored, from every won deal
    page = client_for(world["kam"]).get(reverse("customer", args=[world["beta"].pk]))
    account = page.context["account"]
    assert (account.visible_segment, account.segment_withheld, account.existing_customer) == ("", True, False)
    html = page.content.decode()
    assert "Computed from records you may not see" in html and "new customer" in html
    assert "700,000" not in html and "700000" not in html
    gamma = client_for(world["kam"]).get(reverse("customer", args=[world["gamma"].pk])).context["account"]
    assert (gamma.visible_segment, gamma.segment_withheld, gamma.existing_customer) == ("C", False, True)
    owner = client_for(world["kam2"]).get(reverse("customer", args=[world["beta"].pk])).context["account"]
    assert (owner.visible_segment, owner.existing_customer) == ("B", True)


def test_the_account_api_shows_no_segment_of_hidden_deals(world) -> None:
    rows = {row["name"]: row for row in Api(create_token(world["kam"], "t")[1]).get("/api/accounts").json()["items"]}
    assert rows["ACME GmbH"]["segment"] is None and rows["ACME GmbH"]["segment_withheld"] is True
    assert rows["ACME GmbH"]["won_revenue"] == "100.00"
    assert (rows["Beta AG"]["segment"], rows["Beta AG"]["existing_customer"]) == (None, False)
    assert (rows["Gamma SE"]["segment"], rows["Gamma SE"]["segment_withheld"]) == ("C", False)


def test_a_segmentation_run_reports_only_the_revenue_its_runner_may_see(world) -> None:
    data = Api(create_token(world["ops"], "t")[1]).post("/api/accounts/segmentation", {}).json()
    assert data["counts"] == {"A": 1, "B": 1, "C": 1}  # every account is classified
    assert Decimal(data["total_revenue"]) == Decimal("140")  # not the 5.7 million of strictly confidential deals
    assert Decimal(data["revenue"]["A"]) == Decimal("100")


def test_the_cli_reports_the_revenue_its_runner_may_see(world, capsys, monkeypatch) -> None:
    from tests.cli.run import run_cli

    as_ops = run_cli(capsys, monkeypatch, "accounts", "segment", "--as", "ops", "--json")
    assert as_ops.code == 0, as_ops
    assert Decimal(as_ops.json()["total_revenue"]) == Decimal("140")
    system = run_cli(capsys, monkeypatch, "accounts", "segment", "--json")  # the administrator's full view
    assert Decimal(system.json()["total_revenue"]) == Decimal("5700140")
