"""``record move … lost`` from Qualification is the Head of Sales' decision (exit 4 for the KAM) and needs the
customer informed first (exit 3, then 0)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_lost_after_informing_the_customer(cli, staff) -> None:
    rid = cli("record", "create", "opportunity-management", "--title", "PV park", "--as", "kam").out.strip()
    not_theirs = cli("record", "move", rid, "lost", "--as", "kam")
    assert not_theirs.code == 4, not_theirs
    assert "is the decision of Head of Sales" in not_theirs.err
    refused = cli("record", "move", rid, "lost", "--as", "head", "--json")
    assert refused.code == 3, refused
    assert [item["id"] for item in refused.json()["unmet"]] == ["customer_informed"]
    assert cli("record", "do", rid, "customer_informed", "--as", "kam").code == 0
    assert cli("record", "set", rid, "lost_reason=price", "--as", "kam").code == 0
    assert cli("record", "decide", rid, "no", "--as", "head", "--note", "Price gap").code == 0
    lost = cli("record", "move", rid, "lost", "--as", "kam", "--json")
    assert lost.code == 0, lost
    assert (lost.json()["stage"], lost.json()["outcome"], lost.json()["probability"]) == ("lost", "lost", 0)
