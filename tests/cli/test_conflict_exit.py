"""A move that no longer applies (duplicate, or a stale version) exits 5."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def record_id(cli, staff) -> str:
    rid = cli("record", "create", "opportunity-management", "--title", "Storage", "--as", "kam").out.strip()
    assert cli("record", "do", rid, "customer_informed", "--as", "kam").code == 0
    return rid


def test_duplicate_move_exits_5(cli, record_id) -> None:
    assert cli("record", "move", record_id, "lost", "--as", "head").code == 0
    again = cli("record", "move", record_id, "lost", "--as", "head", "--json")
    assert again.code == 5, again
    assert again.json()["error"] == "conflict"


def test_move_to_the_current_stage_exits_5(cli, record_id) -> None:
    again = cli("record", "move", record_id, "qualification", "--as", "kam")
    assert again.code == 5, again
    assert "already in stage qualification" in again.err


def test_stale_expected_version_exits_5(cli, record_id) -> None:
    version = cli("record", "show", record_id, "--json").json()["version"]
    assert cli("record", "set", record_id, "account=Alpen Solar", "--as", "kam", "--expect-version", version).code == 0
    stale = cli("record", "move", record_id, "lost", "--as", "head", "--expect-version", version)
    assert stale.code == 5, stale
    assert "changed by someone else" in stale.err
    assert cli("record", "show", record_id, "--json").json()["stage"] == "qualification"
