"""Request an approval or a decision (the right people are notified) and refuse an approval with a reason
(the requester and the owner are told) — as services and on the command line."""

from __future__ import annotations

from typing import Any

import pytest

from salesflow.people.services import do_add_user
from salesflow.records import services
from salesflow.records.models import Event, Notification

pytestmark = pytest.mark.django_db


def told(user: Any, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=kind))


def test_an_approval_request_notifies_the_band_role_only(people, record) -> None:
    services.do_request_approval(record.pk, people["kam"], "offer", "customer needs it by Friday")
    [note] = told(people["head"], "approval_requested")
    assert note.text("en") == ("Battery storage – Alpen Solar: Kai Becker asks for your approval — Offer approval "
                               "(competence catalog) for 120,000 EUR: customer needs it by Friday")
    assert "bittet um Ihre Genehmigung" in note.text("de")
    # The director's higher band may approve too, but the band that applies is asked; KAMs are not asked.
    assert not Notification.objects.filter(kind="approval_requested").exclude(user=people["head"]).exists()
    event = Event.objects.get(record=record, kind="approval_requested")
    assert event.payload["asked"] == ["head_of_sales"] and event.actor_name == "Kai Becker"


def test_a_refusal_tells_the_requester_owner_and_members_the_reason(people, record) -> None:
    services.do_set_members(record.pk, people["kam"], ["mate"], [])
    services.do_request_approval(record.pk, people["kam"], "offer")
    services.do_refuse_approval(record.pk, people["head"], "offer", "Margin below 18 % — revise the price")
    for name in ("mate", "kam"):
        [note] = told(people[name], "approval_refused")
        assert note.text("en").endswith("Helena Hoffmann refused Offer approval (competence catalog) for 120,000 EUR"
                                        " — reason: Margin below 18 % — revise the price")
        assert "abgelehnt — Begründung: Margin below 18 %" in note.text("de")
    event = Event.objects.get(record=record, kind="approval_refused")
    assert event.payload["requested_by"] == people["kam"].pk and event.role == "head_of_sales"
    assert told(people["head"], "approval_refused") == [] and told(people["kam2"], "approval_refused") == []
    record.refresh_from_db()
    assert "offer" not in record.progress["approvals"]


def test_a_decision_request_goes_to_the_delegate_when_delegated(people, record) -> None:
    services.do_request_decision(record.pk, people["kam"])
    [note] = told(people["head"], "decision_requested")
    assert "asks for your decision — “Is the opportunity qualified?”" in note.text("en")
    services.do_delegate(record.pk, people["head"], "mate")
    services.do_request_decision(record.pk, people["kam"], "ready")
    assert len(told(people["mate"], "decision_requested")) == 1
    assert len(told(people["head"], "decision_requested")) == 1


def test_a_request_respects_need_to_know(people) -> None:
    other_head = do_add_user("head2", ["head_of_sales"], ["South"])
    secret = services.do_create_record("opportunity-management", people["kam"], {
        "title": "Secret", "amount": "120000", "classification": "strictly_confidential"})
    services.do_request_approval(secret.pk, people["kam"], "offer")
    assert told(other_head, "approval_requested") == []


def test_cli_request_refuse_and_request_decision(people, record, cli) -> None:
    result = cli("record", "request-approval", record.pk, "offer", "--as", "kam", "--note", "urgent")
    assert result.code == 0, result
    assert cli("record", "refuse", record.pk, "offer", "--as", "kam", "--reason", "x").code == 4
    assert cli("record", "refuse", record.pk, "offer", "--as", "head", "--reason", " ").code == 1
    result = cli("record", "refuse", record.pk, "offer", "--as", "head", "--reason", "Price too low", "--json")
    assert result.code == 0, result
    assert result.json()["approvals"] == {}
    assert told(people["kam"], "approval_refused")
    assert cli("record", "request-decision", record.pk, "--as", "kam").code == 0
    assert cli("record", "request-decision", record.pk, "--as", "kam2").code in (4, 1)
    help_text = cli("record", "refuse", "--help").out
    assert "--reason" in help_text
