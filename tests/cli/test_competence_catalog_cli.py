"""``record approve`` follows the competence catalog: exit 4 beyond one's authority."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def new_record(cli, amount: str) -> int:
    created = cli("record", "create", "opportunity-management", "--title", "Offer", "--field", f"amount={amount}",
                  "--as", "kam", "--json")
    assert created.code == 0, created
    return created.json()["id"]


def test_kam_cannot_approve_120000_head_of_sales_can(cli, staff) -> None:
    rid = new_record(cli, "120000")
    refused = cli("record", "approve", rid, "offer", "--as", "kam", "--json")
    assert refused.code == 4, refused
    assert refused.json()["error"] == "not_permitted"
    assert "Traceback" not in refused.err
    granted = cli("record", "approve", rid, "offer", "--as", "head", "--json")
    assert granted.code == 0, granted
    assert granted.json()["approvals"]["offer"]["role"] == "head_of_sales"
    assert cli("record", "approve", rid, "offer", "--as", "head").code == 5


def test_300000_needs_the_managing_director(cli, staff) -> None:
    rid = new_record(cli, "300000")
    assert cli("record", "approve", rid, "offer", "--as", "head").code == 4
    assert cli("record", "approve", rid, "offer", "--as", "director").code == 0


def test_kam_approves_40000(cli, staff) -> None:
    rid = new_record(cli, "40000")
    assert cli("record", "approve", rid, "offer", "--as", "kam").code == 0
