"""The foundation's "Done when": a record goes Qualification → Won through the CLI only as each gate holds."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def unmet_of(cli, record_id, stage, user):
    """Try a premature move: it must exit 3 and list what is missing (text and --json agree)."""
    text = cli("record", "move", record_id, stage, "--as", user)
    assert text.code == 3, text
    assert "Traceback" not in text.err
    as_json = cli("record", "move", record_id, stage, "--as", user, "--json")
    assert as_json.code == 3, as_json
    data = as_json.json()
    assert data["error"] == "unmet"
    for item in data["unmet"]:
        assert f"  - {item['message']}" in text.err
    return [item["id"] for item in data["unmet"]]


def test_qualification_to_won(cli, staff) -> None:
    created = cli("record", "create", "opportunity-management", "--title", "Grid monitoring – Baltic Grid",
                  "--field", "amount=120000", "--field", "account=Baltic Grid", "--field", "close_date=2030-03-31",
                  "--as", "kam", "--json")
    assert created.code == 0, created
    record = created.json()
    assert {"id", "process", "stage", "probability", "amount", "owner"} <= set(record)
    assert (record["process"], record["stage"], record["probability"]) == ("opportunity-management",
                                                                           "qualification", 10)
    assert (record["amount"], record["owner"]) == ("120000.00", "kam")
    rid = record["id"]

    def ok(*args):
        result = cli(*args)
        assert result.code == 0, result
        return result

    # Qualification
    assert unmet_of(cli, rid, "solution_design", "kam") == [
        "risk_analysis", "customer_workshop", "budget", "decision_date", "qualification"]
    ok("record", "do", rid, "risk_analysis", "--as", "kam")
    ok("record", "do", rid, "customer_workshop", "--as", "kam")
    ok("record", "set", rid, "budget=150000", "decision_date=2030-02-28", "--as", "kam")
    assert unmet_of(cli, rid, "solution_design", "kam") == ["qualification"]
    moved = ok("record", "move", rid, "solution_design", "--as", "head", "--json").json()
    assert (moved["stage"], moved["probability"]) == ("solution_design", 30)
    assert moved["decisions"]["qualification"]["answer"] == "yes"

    # Solution design
    assert unmet_of(cli, rid, "proposal", "head") == [
        "name_bid_manager", "customer_needs", "solution_design", "bid_manager"]
    ok("record", "set", rid, "bid_manager=bid", "--as", "kam")
    ok("record", "do", rid, "name_bid_manager", "--as", "kam")
    ok("record", "do", rid, "customer_needs", "--as", "kam")
    ok("record", "do", rid, "solution_design", "--as", "bid")
    ok("record", "move", rid, "proposal", "--as", "head")

    # Proposal: the offer approval follows the competence catalog
    assert unmet_of(cli, rid, "negotiation", "kam") == ["prepare_offer", "send_offer", "offer"]
    ok("record", "do", rid, "prepare_offer", "--as", "kam")
    send = cli("record", "do", rid, "send_offer", "--as", "kam")
    assert send.code == 3 and "approval offer missing" in send.err, send
    refused = cli("record", "approve", rid, "offer", "--as", "kam")
    assert refused.code == 4, refused
    assert "Head of Sales or Managing Director" in refused.err
    ok("record", "approve", rid, "offer", "--as", "head")
    ok("record", "do", rid, "send_offer", "--as", "kam")
    moved = ok("record", "move", rid, "negotiation", "--as", "kam", "--json").json()
    assert (moved["stage"], moved["probability"]) == ("negotiation", 80)

    # Negotiation and Won
    assert unmet_of(cli, rid, "won", "head") == [
        "customer_feedback", "contract_negotiation", "contract_signed", "final_offer"]
    ok("record", "do", rid, "customer_feedback", "--as", "kam")
    ok("record", "do", rid, "contract_negotiation", "--as", "head")
    ok("record", "do", rid, "contract_signed", "--as", "head")
    ok("record", "do", rid, "final_offer", "--as", "support")
    assert unmet_of(cli, rid, "won", "kam") == ["negotiation"]
    won = ok("record", "move", rid, "won", "--as", "head", "--json").json()
    assert (won["stage"], won["outcome"], won["probability"], won["next_stages"]) == ("won", "won", 100, [])

    closed = cli("record", "do", rid, "customer_workshop", "--as", "kam")
    assert closed.code == 5, closed
    follow_up = cli("record", "do", rid, "kickoff_meeting", "--as", "bid")
    assert follow_up.code == 0, follow_up

    events = ok("record", "events", rid, "--json").json()
    kinds = [event["kind"] for event in events]
    assert kinds[0] == "record_created"
    # Won hands the opportunity over to order and contract management (one handoff_sent each).
    assert kinds[-6:] == ["decision_made", "stage_changed", "record_closed", "handoff_sent", "handoff_sent",
                          "activity_done"]
    assert [event["seq"] for event in events] == sorted(event["seq"] for event in events)
    assert ok("audit", "verify").out.startswith("ok: ")
