"""``salesflow accounts segment|list|duplicates``: output, JSON, bad input (exit 1, nothing changed)."""

from __future__ import annotations

from typing import Any

import pytest

from salesflow.accounts.models import Account
from salesflow.records.models import Event


@pytest.fixture
def world(make_account: Any, deal: Any, people: dict[str, Any]) -> None:
    # As of 2025-06-30: Big 800 (A), Mid 150 (B: starts at 80 %), Small 50 (C: starts at 95 %), Idle 0 (C).
    for name, amount in (("Big", "800"), ("Mid", "150"), ("Small", "50")):
        deal(make_account(name), amount, "won", "2025-05-01")
    make_account("Idle")


def test_segment_text(cli: Any, world: None) -> None:
    result = cli("accounts", "segment", "--as-of", "2025-06-30", "--as", "head")

    assert result.code == 0, result
    assert "4 account(s) segmented" in result.out and "2024-07-01" in result.out
    assert dict(Account.objects.values_list("name", "segment")) == {"Big": "A", "Mid": "B", "Small": "C", "Idle": "C"}
    assert Event.objects.get(kind="accounts_segmented").actor_name == "Helena Hoffmann"


def test_segment_json_and_audit_verify(cli: Any, world: None) -> None:
    result = cli("accounts", "segment", "--as-of", "2025-06-30", "--a", "70", "--b", "90", "--window-days", "91",
                 "--json")

    assert result.code == 0, result
    data = result.json()
    assert data["counts"] == {"A": 1, "B": 1, "C": 2}
    assert data["thresholds"] == {"a": "70", "b": "90"}
    assert data["window"] == {"days": 91, "from": "2025-04-01", "to": "2025-06-30"}
    assert data["total_revenue"] == "1000.00"
    verify = cli("audit", "verify", "--json")
    report = verify.json()
    # The segmentation's event keeps the chain intact. The fixture's records are rows written without
    # events (no service writes records so), which audit verify's replay reports as such.
    assert report["broken_seq"] is None and report["checked"] == Event.objects.count(), verify
    assert {item["field"] for item in report["records"]["listed"]} == {"events"}, verify


def test_list_by_segment(cli: Any, world: None) -> None:
    assert cli("accounts", "segment", "--as-of", "2025-06-30").code == 0

    rows = cli("accounts", "list", "--segment", "c", "--json").json()
    text = cli("accounts", "list").out

    assert [row["name"] for row in rows] == ["Small", "Idle"]
    assert rows[0]["segment_revenue"] == "50.00" and rows[0]["existing_customer"] is True
    assert rows[1]["existing_customer"] is False
    assert text.index("Big") < text.index("Mid") < text.index("Small")


@pytest.mark.parametrize(("args", "message"), [
    (["--a", "abc"], "--a"),
    (["--a", "120"], "--a"),
    (["--b", "0"], "--b"),
    (["--a", "96"], "below the B share"),
    (["--window-days", "-3"], "--window-days"),
    (["--as-of", "2025-13-01"], "--as-of"),
    (["--as-of", "yesterday"], "--as-of"),
])
def test_segment_bad_input(cli: Any, world: None, args: list[str], message: str) -> None:
    events_before = Event.objects.count()

    result = cli("accounts", "segment", *args)

    assert result.code == 1, result
    assert message in result.err and "Traceback" not in result.err
    assert Event.objects.count() == events_before
    assert set(Account.objects.values_list("segment", flat=True)) == {""}


def test_bad_input_with_json(cli: Any, world: None) -> None:
    result = cli("accounts", "segment", "--a", "abc", "--json")

    assert result.code == 1
    assert result.json()["error"] == "bad_input"


def test_list_bad_segment_and_unknown_user(cli: Any, world: None) -> None:
    assert cli("accounts", "list", "--segment", "D").code == 1
    unknown = cli("accounts", "segment", "--as", "nobody")
    assert unknown.code == 1 and "nobody" in unknown.err


def test_auditor_refused(cli: Any, world: None) -> None:
    assert cli("accounts", "segment", "--as", "auditor").code == 4


def test_duplicates(cli: Any, world: None, make_account: Any) -> None:
    make_account("ACME GmbH", domain="acme.com")

    rows = cli("accounts", "duplicates", "Acme", "--email", "jo@acme.com", "--json").json()
    none = cli("accounts", "duplicates", "Nobody Inc", "--email", "jo@gmail.com")

    assert [(row["label"], row["matched_on"]) for row in rows] == [("ACME GmbH", ["name", "domain"])]
    assert none.code == 0 and "no possible duplicates" in none.out
