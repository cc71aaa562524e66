"""``record list --json`` with its filters."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_list_filters_by_process_and_stage(cli, staff) -> None:
    ids = []
    for title in ("First", "Second", "Third"):
        created = cli("record", "create", "opportunity-management", "--title", title, "--field", "amount=1000",
                      "--as", "kam")
        assert created.code == 0, created
        ids.append(int(created.out))
    assert cli("record", "do", ids[1], "customer_informed", "--as", "kam").code == 0
    assert cli("record", "move", ids[1], "lost", "--as", "head").code == 0

    everything = cli("record", "list", "--json").json()
    assert [row["id"] for row in everything] == ids
    assert everything[0] == {"id": ids[0], "process": "opportunity-management", "title": "First",
                             "stage": "qualification", "amount": "1000.00", "currency": "EUR", "owner": "kam",
                             "account": "", "close_date": None}
    in_qualification = cli("record", "list", "--process", "opportunity-management", "--stage", "qualification",
                           "--json").json()
    assert [row["id"] for row in in_qualification] == [ids[0], ids[2]]
    assert [row["id"] for row in cli("record", "list", "--stage", "lost", "--json").json()] == [ids[1]]
    assert cli("record", "list", "--owner", "kam2", "--json").json() == []


def test_list_unknown_process_is_bad_input(cli) -> None:
    result = cli("record", "list", "--process", "nope", "--json")
    assert result.code == 1
    assert result.json()["error"] == "not_found"
