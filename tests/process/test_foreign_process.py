"""A process written by someone else, with only the documented keys, runs unchanged.

An RFP response process with its own roles, stages, a gate decision, an approval by a fixed role and
an outcome requirement: it validates, loads with ``salesflow process load`` and a record runs
through it to its won outcome with the CLI.
"""

from __future__ import annotations

import pytest

from salesflow.process.validate import parse_valid
from tests.cli.run import run_cli

pytestmark = pytest.mark.django_db

RFP_PROCESS = """\
# RFP response of a small engineering firm (not part of the default library).
process: rfp-response
title:
  en: RFP response
  de: Ausschreibungsantwort
version: 1
record: rfp
description: Answer public requests for proposal on time and only where worthwhile.
guideline:
  responsible: bid_lead
  status: approved
  classification: internal
  goal: Answer worthwhile RFPs on time
  scope: Public sector tenders
  inputs: [RFP documents]
  outputs: [Submitted bid, Award or rejection letter]
  notes:
    - Never contact the contracting authority outside the portal.
roles:
  bid_lead:
    title: Bid Lead
    tasks: [Decide bid or no bid, Own the submission]
  writer:
    title: Proposal Writer
  legal:
    title: Legal Counsel
  ceo:
    title: Chief Executive
fields:
  deadline:
    type: date
    title: Submission deadline
    required: true
  lots:
    type: integer
  portal:
    type: url
stages:
  - id: intake
    title: Intake
    probability: 5
    max_days: 5
    activities:
      - id: read_rfp
        title: Read the RFP documents
        responsible: writer
        required: true
    gate:
      decision: Do we bid?
      decided_by: bid_lead
      requires:
        fields: [deadline, portal]
      on_no: Decline politely through the portal.
  - id: drafting
    title: Drafting
    probability: 25
    activities:
      - id: write_answer
        title: Write the answers
        responsible: writer
        required: true
      - id: legal_review
        title: Review the terms and conditions
        responsible: legal
        consulted: [bid_lead]
        required: true
  - id: submission
    title: Submission
    probability: 40
    activities:
      - id: submit
        title: Upload the bid to the portal
        responsible: bid_lead
        required: true
        requires:
          approvals: [bid_release]
  - id: awarded
    outcome: won
    probability: 100
    activities:
      - id: award_letter
        title: File the award letter
        responsible: bid_lead
    requires:
      activities: [award_letter]
  - id: rejected
    outcome: lost
    probability: 0
approvals:
  bid_release:
    title: Release of the bid
    role: ceo
rights:
  override: [ceo]
"""


@pytest.fixture
def cli(capsys, monkeypatch):
    return lambda *args: run_cli(capsys, monkeypatch, *args)


def test_it_validates_on_its_own() -> None:
    definition = parse_valid(RFP_PROCESS, "rfp-response.yaml").definition
    assert [stage.id for stage in definition.stages] == ["intake", "drafting", "submission", "awarded", "rejected"]


def test_it_loads_and_a_record_runs_to_won(cli, tmp_path) -> None:
    path = tmp_path / "rfp-response.yaml"
    path.write_text(RFP_PROCESS, encoding="utf-8")

    def ok(*args):
        result = cli(*args)
        assert result.code == 0, result
        return result

    assert "rfp-response v1, 5 stages" in ok("process", "validate", path).out
    assert ok("process", "load", path).out.strip() == f"{path}: rfp-response v1 added (approved)"
    listed = {row["id"]: row for row in ok("process", "list", "--json").json()}
    assert listed["rfp-response"]["record"] == "rfp"

    for name, role in (("lead", "bid_lead"), ("writer", "writer"), ("counsel", "legal"), ("boss", "ceo")):
        ok("user", "add", name, "--role", role)

    missing = cli("record", "create", "rfp-response", "--title", "City bridge", "--as", "lead")
    assert missing.code == 1 and "deadline" in missing.err, missing
    record = ok("record", "create", "rfp-response", "--title", "City bridge", "--field", "deadline=2030-05-15",
                "--field", "lots=2", "--field", "amount=80000", "--as", "lead", "--json").json()
    assert (record["process"], record["stage"], record["probability"]) == ("rfp-response", "intake", 5)
    assert record["fields"] == {"deadline": "2030-05-15", "lots": 2}
    rid = record["id"]

    early = cli("record", "move", rid, "drafting", "--as", "lead", "--json")
    assert early.code == 3, early
    assert [item["id"] for item in early.json()["unmet"]] == ["read_rfp", "portal"]
    ok("record", "do", rid, "read_rfp", "--as", "writer")
    ok("record", "set", rid, "portal=https://tenders.example.org/4711", "--as", "lead")
    not_a_mover = cli("record", "move", rid, "drafting", "--as", "writer")
    assert not_a_mover.code == 4, not_a_mover
    moved = ok("record", "move", rid, "drafting", "--as", "lead", "--json").json()
    assert moved["decisions"]["intake"]["role"] == "bid_lead"

    ok("record", "do", rid, "write_answer", "--as", "writer")
    ok("record", "do", rid, "legal_review", "--as", "counsel")
    ok("record", "move", rid, "submission", "--as", "lead")

    assert cli("record", "do", rid, "submit", "--as", "lead").code == 3
    assert cli("record", "approve", rid, "bid_release", "--as", "lead").code == 4
    ok("record", "approve", rid, "bid_release", "--as", "boss")
    ok("record", "do", rid, "submit", "--as", "lead")

    award = cli("record", "move", rid, "awarded", "--as", "lead", "--json")
    assert award.code == 3, award
    assert [item["id"] for item in award.json()["unmet"]] == ["award_letter"]
    ok("record", "do", rid, "award_letter", "--as", "lead")
    won = ok("record", "move", rid, "awarded", "--as", "lead", "--json").json()
    assert (won["stage"], won["outcome"], won["probability"], won["process_version"]) == ("awarded", "won", 100, 1)

    assert ok("audit", "verify").out.startswith("ok: ")
