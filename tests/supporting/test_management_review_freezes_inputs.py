"""A management review started today freezes its inputs in the event log: later data does not change them."""

from __future__ import annotations

import json

from salesflow.records.models import Event
from salesflow.records.replay import check_records


def _review(cli) -> int:
    created = cli("record", "create", "management-review", "--title", "Management review 2026", "--as", "quinn",
                  "--field", "review_date=2026-12-01", "--field", "participants=Head of Sales, Managing Director",
                  "--json")
    assert created.code == 0, created
    return created.json()["id"]


def test_starting_the_review_freezes_every_input(cli, quality_people) -> None:
    added = cli("risk", "add", "--as", "quinn", "--title", "Partner quotes unpublished prices",
                "--process", "opportunity-management", "--likelihood", "4", "--impact", "4", "--json")
    assert added.code == 0, added
    nc = cli("record", "create", "nonconformity", "--title", "Wrong price quoted", "--as", "quinn",
             "--field", "description=A partner quoted a price below the list", "--json")
    assert nc.code == 0, nc
    review = _review(cli)
    assert not Event.objects.filter(record_id=review, kind="inputs_frozen").exists()
    assert cli("record", "do", review, "prepare_agenda", "--as", "quinn").code == 0
    moved = cli("record", "move", review, "in_review", "--as", "quinn")
    assert moved.code == 0, moved

    frozen = Event.objects.get(record_id=review, kind="inputs_frozen")
    inputs = {item["id"]: item for item in frozen.payload["inputs"]}
    assert list(inputs) == ["adherence", "forecast_accuracy", "customer_satisfaction", "mystery_shopping",
                            "nonconformities", "audits", "audit_checklists", "training", "risks"]
    assert [item for item in inputs.values() if "error" in item] == []
    assert inputs["nonconformities"]["data"]["total"] == 1
    assert inputs["nonconformities"]["data"]["by_stage"] == {"reported": 1}
    assert inputs["risks"]["data"]["open"][0]["score"] == 16
    assert "score" in inputs["adherence"]["data"]["summary"]
    assert inputs["mystery_shopping"]["data"]["checklists"][0]["checklist"] == "partner-mystery-shopping"
    assert frozen.payload["as_of"][:10] == frozen.at.date().isoformat()

    # Later data does not change what the review saw.
    before = json.dumps(frozen.payload, sort_keys=True)
    cli("record", "create", "nonconformity", "--title", "Second finding", "--as", "quinn",
        "--field", "description=Another one")
    cli("risk", "update", added.json()["id"], "--as", "quinn", "--status", "closed")
    shown = cli("review", "inputs", review, "--as", "hans", "--json")
    assert shown.code == 0, shown
    assert json.dumps(shown.json()["inputs"], sort_keys=True) == json.dumps(frozen.payload["inputs"], sort_keys=True)
    assert json.dumps(Event.objects.get(pk=frozen.pk).payload, sort_keys=True) == before
    assert check_records().ok
