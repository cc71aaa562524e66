"""A version goes draft → in review → approved by the responsible role (never its author); the old one becomes obsolete."""

from __future__ import annotations

import pytest

from salesflow.engine.errors import Conflict, NotPermitted
from salesflow.guidelines import services
from salesflow.records import eventlog
from salesflow.records import services as records
from salesflow.records.models import Event, ProcessVersion
from tests.guidelines.conftest import CURRENT, NEXT, PROCESS, version_text

pytestmark = pytest.mark.django_db


def _status(number: int) -> str:
    return ProcessVersion.objects.get(process__key=PROCESS, version=number).status


def test_draft_review_approval_obsoletes_the_previous_version(cast) -> None:
    old_record = records.do_create_record(PROCESS, cast.kam, {"title": "Started under v1"})
    assert old_record.process_version.version == CURRENT

    version = services.do_propose_version(version_text(NEXT, proposal_probability=55), cast.author, note="55 % in Proposal")
    assert (version.status, version.author_id, version.change_note) == ("draft", cast.author.pk, "55 % in Proposal")
    with pytest.raises(Conflict):
        services.do_approve_version(PROCESS, NEXT, cast.head)  # a draft is not approved before review

    services.do_submit_for_review(PROCESS, NEXT, cast.author)
    assert _status(NEXT) == "in_review"
    with pytest.raises(NotPermitted):
        services.do_approve_version(PROCESS, NEXT, cast.kam)  # not the responsible role
    assert _status(CURRENT) == "approved" and _status(NEXT) == "in_review"

    approved = services.do_approve_version(PROCESS, NEXT, cast.head)
    assert approved.status == "approved"
    assert approved.approver_id == cast.head.pk and approved.approved_at is not None
    assert approved.effective_date is not None
    v1 = ProcessVersion.objects.get(process__key=PROCESS, version=CURRENT)
    assert v1.status == "obsolete" and v1.obsoleted_at == approved.approved_at

    new_record = records.do_create_record(PROCESS, cast.kam, {"title": "Started under v2"})
    assert new_record.process_version.version == NEXT
    old_record.refresh_from_db()
    assert old_record.process_version.version == CURRENT
    records.do_complete_activity(old_record.pk, cast.kam, "risk_analysis")  # running records keep working on v1
    old_record.refresh_from_db()
    assert old_record.process_version.version == CURRENT
    assert records.definition_of(new_record.process_version).stage("proposal").probability == 55
    assert records.definition_of(old_record.process_version).stage("proposal").probability == 50


def test_the_author_cannot_approve_even_holding_the_responsible_role(cast) -> None:
    services.do_propose_version(version_text(NEXT), cast.head, note="by the head")
    services.do_submit_for_review(PROCESS, NEXT, cast.head)
    with pytest.raises(NotPermitted, match="cannot approve"):
        services.do_approve_version(PROCESS, NEXT, cast.head)
    assert _status(NEXT) == "in_review" and _status(CURRENT) == "approved"
    services.do_approve_version(PROCESS, NEXT, cast.head2)
    assert _status(NEXT) == "approved" and _status(CURRENT) == "obsolete"


def test_only_editing_roles_propose_and_the_reviewer_can_return_a_version(cast) -> None:
    with pytest.raises(NotPermitted):
        services.do_propose_version(version_text(NEXT), cast.kam)
    services.do_propose_version(version_text(NEXT), cast.author)
    services.do_submit_for_review(PROCESS, NEXT, cast.author)
    with pytest.raises(NotPermitted):
        services.do_return_to_draft(PROCESS, NEXT, cast.author, "fix it")
    returned = services.do_return_to_draft(PROCESS, NEXT, cast.head, "Name the time limit of the Proposal phase")
    assert returned.status == "draft" and returned.reviewer_id == cast.head.pk


def test_version_numbers_only_rise(cast) -> None:
    with pytest.raises(Conflict, match=f"version {NEXT}"):
        services.do_propose_version(version_text(CURRENT), cast.author)
    services.do_propose_version(version_text(NEXT + 1), cast.author)
    with pytest.raises(Conflict):
        services.do_propose_version(version_text(NEXT), cast.author)


def test_every_step_is_in_the_verified_event_chain(cast) -> None:
    services.do_propose_version(version_text(NEXT), cast.author)
    services.do_submit_for_review(PROCESS, NEXT, cast.author)
    services.do_approve_version(PROCESS, NEXT, cast.head)
    kinds = list(Event.objects.filter(process=PROCESS, process_version=NEXT).values_list("kind", flat=True))
    assert kinds == ["process_version_proposed", "process_version_submitted", "process_version_approved"]
    approval = Event.objects.get(process=PROCESS, process_version=NEXT, kind="process_version_approved")
    assert approval.payload["obsoleted"] == [CURRENT]
    assert "gl_kam" in approval.payload["asked_to_read"]
    assert eventlog.verify().ok
