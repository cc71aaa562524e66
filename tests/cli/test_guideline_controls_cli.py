"""Issue 12 "Done when" through the CLI: ending early needs the Head of Sales' decision, activities follow the RACI,
consulted roles are asked and answer."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def ok(cli, *args):
    result = cli(*args)
    assert result.code == 0, result
    return result


def opportunity_in(cli, stage: str) -> str:
    """A KAM's opportunity taken legitimately to ``stage`` (Head of Sales deciding), customer informed."""
    rid = ok(cli, "record", "create", "opportunity-management", "--title", "Heat pumps – Nordwerk",
             "--field", "amount=400000", "--as", "kam").out.strip()
    ok(cli, "record", "do", rid, "customer_informed", "--as", "kam")
    steps = {
        "qualification": [("do", "risk_analysis", "kam"), ("do", "customer_workshop", "kam"),
                          ("set", "budget=450000", "kam"), ("set", "decision_date=2030-01-31", "kam"),
                          ("move", "solution_design", "head")],
        "solution_design": [("set", "bid_manager=bid", "kam"), ("do", "name_bid_manager", "kam"),
                            ("do", "customer_needs", "kam"), ("do", "solution_design", "bid"),
                            ("move", "proposal", "head")],
        "proposal": [("do", "prepare_offer", "kam"), ("approve", "offer", "director"), ("do", "send_offer", "kam"),
                     ("move", "negotiation", "kam")],
    }
    for current in ("qualification", "solution_design", "proposal"):
        if current == stage:
            break
        for verb, argument, user in steps[current]:
            ok(cli, "record", verb, rid, argument, "--as", user)
    assert ok(cli, "record", "show", rid, "--json").json()["stage"] == stage
    return rid


@pytest.mark.parametrize("stage", ["qualification", "solution_design", "negotiation"])
def test_a_kam_cannot_close_as_lost_without_the_head_of_sales(cli, staff, stage) -> None:
    rid = opportunity_in(cli, stage)
    refused = cli("record", "move", rid, "lost", "--as", "kam")
    assert refused.code == 4, refused
    assert "is the decision of Head of Sales" in refused.err
    as_json = cli("record", "move", rid, "lost", "--as", "kam", "--override", "Customer silent", "--json")
    assert as_json.code == 4 and as_json.json()["rule"] == "closing_decision", as_json
    assert ok(cli, "record", "show", rid, "--json").json()["stage"] == stage

    ok(cli, "record", "delegate", rid, "--to", "kam", "--stage", stage, "--as", "head")
    closed = ok(cli, "record", "move", rid, "lost", "--as", "kam", "--json").json()
    assert (closed["stage"], closed["decisions"][stage]["answer"], closed["decisions"][stage]["role"]) == (
        "lost", "no", "kam")


def test_a_kam_closes_from_proposal_where_no_decision_is_asked(cli, staff) -> None:
    rid = opportunity_in(cli, "proposal")
    assert ok(cli, "record", "move", rid, "lost", "--as", "kam", "--json").json()["stage"] == "lost"


def test_the_owner_cannot_mark_contract_signed_done(cli, staff) -> None:
    rid = opportunity_in(cli, "negotiation")
    refused = cli("record", "do", rid, "contract_signed", "--as", "kam")
    assert refused.code == 4, refused
    assert "contract_signed is done by Head of Sales" in refused.err
    ok(cli, "record", "do", rid, "contract_signed", "--as", "head")


def test_consult_and_answer_from_the_command_line(cli, staff) -> None:
    rid = opportunity_in(cli, "qualification")
    asked = ok(cli, "record", "consult", rid, "customer_workshop", "--role", "head_of_sales",
               "--question", "Join the workshop?", "--as", "kam", "--json").json()
    assert (asked["role"], asked["question"], asked["answered_at"]) == ("head_of_sales", "Join the workshop?", None)
    assert "asked        head_of_sales on customer_workshop by Kam (open)" in ok(cli, "record", "show", rid).out
    again = cli("record", "consult", rid, "customer_workshop", "--role", "head_of_sales", "--as", "kam")
    assert again.code == 5, again
    wrong = cli("record", "consult", rid, "customer_workshop", "--role", "bid_manager", "--as", "kam")
    assert wrong.code == 1 and "consulted roles: head_of_sales, sales_support" in wrong.err, wrong
    not_asker = cli("record", "consult", rid, "customer_workshop", "--role", "sales_support", "--as", "support")
    assert not_asker.code == 4, not_asker
    assert cli("record", "answer", rid, "customer_workshop", "--answer", "Yes", "--as", "kam").code == 5
    answered = ok(cli, "record", "answer", rid, "customer_workshop", "--answer", "Yes, on Tuesday", "--as", "head")
    assert "head_of_sales answered by Head: Yes, on Tuesday" in answered.out
    rows = ok(cli, "record", "consultations", rid, "--json").json()
    assert [(row["activity"], row["answer"]) for row in rows] == [("customer_workshop", "Yes, on Tuesday")]
    assert ok(cli, "record", "consultations", rid, "--open", "--json").json() == []
