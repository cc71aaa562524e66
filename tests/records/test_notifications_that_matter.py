"""Owners and members are told of decisions, approvals, refusals, delegations, overrides and hand-offs on
their records — by someone else; nobody is told of their own action."""

from __future__ import annotations

from typing import Any

import pytest

from salesflow.records import services
from salesflow.records.models import Notification

pytestmark = pytest.mark.django_db


def told(user: Any, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=kind).order_by("id"))


def test_a_decision_by_the_head_of_sales_tells_the_owner_and_the_members(people, record) -> None:
    services.do_set_members(record.pk, people["kam"], ["mate"], [])
    services.do_decide(record.pk, people["head"], "no", "budget unclear")
    for name in ("kam", "mate"):
        [note] = told(people[name], "decision_made")
        assert note.text("en") == ("Battery storage – Alpen Solar: Helena Hoffmann decided “Is the opportunity "
                                   "qualified?”: no: budget unclear")
        assert "hat entschieden „Ist die Opportunity qualifiziert?“: nein" in note.text("de")
    assert told(people["head"], "decision_made") == []
    assert told(people["kam2"], "decision_made") == []


def test_an_approval_tells_the_owner_not_the_approver(people, record) -> None:
    services.do_approve(record.pk, people["head"], "offer")
    [note] = told(people["kam"], "approval_granted")
    assert note.text("en").endswith("Helena Hoffmann approved Offer approval (competence catalog) for 120,000 EUR")
    assert note.text("de").endswith("hat Angebotsfreigabe (Kompetenzkatalog) über 120.000 EUR genehmigt")
    assert told(people["head"], "approval_granted") == []


def test_a_delegation_tells_the_owner_and_the_delegate(people, record) -> None:
    services.do_delegate(record.pk, people["head"], "mate")
    assert len(told(people["kam"], "delegated")) == 1
    [note] = told(people["mate"], "delegated")
    assert ("delegated the decisions (Qualification, Requirement Analysis / Solution Design, "
            "Negotiation / Review) to Mia Lang") in note.text("en")
    services.do_delegate(record.pk, people["head"], None)
    assert "widerrufen" in told(people["kam"], "delegation_revoked")[0].text("de")


def test_an_override_tells_the_owner_with_the_reason(people, record) -> None:
    services.do_move(record.pk, people["head"], "solution_design", override_reason="Known customer, framework deal")
    [note] = told(people["kam"], "gate_overridden")
    assert note.text("en").endswith("Helena Hoffmann overrode the gate (to Requirement Analysis / Solution Design) — "
                                    "reason: "
                                    "Known customer, framework deal")
    # The implicit "yes" of a decider's move is a decision the owner hears of too (if it was taken).
    assert told(people["head"], "gate_overridden") == []


def test_the_owners_own_actions_notify_nobody_of_them(people, record) -> None:
    services.do_set_fields(record.pk, people["kam"], {"amount": "30000"})
    services.do_approve(record.pk, people["kam"], "offer")
    assert not Notification.objects.filter(kind="approval_granted").exists()


def test_a_hand_off_tells_the_owner(people, record) -> None:
    for stage in ("solution_design", "proposal", "negotiation"):
        services.do_move(record.pk, people["head"], stage, override_reason="test walk")
    services.do_move(record.pk, people["head"], "won", override_reason="signed")
    notes = told(people["kam"], "handoff_sent")
    assert notes, "the owner hears of the hand-offs of the won deal"
    assert all("Helena Hoffmann handed over" in note.text("en") for note in notes)
    assert all("hat übergeben" in note.text("de") for note in notes)


def test_inactive_members_and_members_without_roles_are_not_told_and_the_owner_once(people, record) -> None:
    """The owner and members are read in one statement (`recipients.owner_and_members`), active or not:
    the inactive member and the member who no longer holds a role (sees no record) are left out, and the
    owner who is also a member is told once."""
    services.do_set_members(record.pk, people["kam"], ["mate", "kam2", "kam"], [])
    type(people["kam2"]).objects.filter(pk=people["kam2"].pk).update(is_active=False)
    people["mate"].roles.clear()
    services.do_decide(record.pk, people["head"], "no", "budget unclear")
    assert len(told(people["kam"], "decision_made")) == 1
    assert told(people["kam2"], "decision_made") == []
    assert told(people["mate"], "decision_made") == []
