"""Linking records by hand, starting linked records, and contract documents in versions."""

from __future__ import annotations

from typing import Any

import pytest

from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.records import services
from salesflow.records.chain import do_add_document, do_link_records, do_unlink_records, links_of
from salesflow.records.models import Document, Event, Record, RecordLink


def _opportunity(people: dict[str, Any], **fields: Any) -> Record:
    return services.do_create_record("t-opp", people["kam"], {"title": "Storage", **fields})


def test_a_contract_starts_linked_from_an_opportunity(chain: dict[str, Any]) -> None:
    opportunity = _opportunity(chain)
    contract = services.do_create_record("t-contract", chain["kam"], {"title": "Contract"}, link_from=opportunity.pk)
    link = RecordLink.objects.get()
    assert (link.source_id, link.target_id, link.kind, link.handoff) == (opportunity.pk, contract.pk, "contract", "")
    assert Event.objects.filter(record=opportunity, kind="link_added", payload__target=contract.pk).exists()


def test_only_processes_named_in_linked_from_may_start_a_linked_record(chain: dict[str, Any]) -> None:
    order = services.do_create_record("t-order", chain["kam"], {"title": "Order"})
    with pytest.raises(BadInput, match="started from t-opp, not from t-order"):
        services.do_create_record("t-contract", chain["kam"], {"title": "Contract"}, link_from=order.pk)
    assert Record.objects.filter(process__key="t-contract").count() == 0


def test_links_set_by_hand_can_be_removed_hand_offs_cannot(chain: dict[str, Any]) -> None:
    kam = chain["kam"]
    first, second = _opportunity(chain), _opportunity(chain, title="Other")
    do_link_records(first.pk, second.pk, kam, "follow_up")
    with pytest.raises(Conflict):
        do_link_records(second.pk, first.pk, kam)
    assert [(link.kind, link.direction, link.record.pk) for link in links_of(second, kam)] == [
        ("follow_up", "in", first.pk)]
    do_unlink_records(first.pk, second.pk, kam)
    assert not RecordLink.objects.exists()
    assert Event.objects.filter(kind="link_removed").count() == 2


def test_links_to_records_the_user_may_not_see_stay_hidden(chain: dict[str, Any]) -> None:
    kam, other = chain["kam"], chain["kam2"]
    public = _opportunity(chain)
    secret = services.do_create_record("t-opp", kam, {"title": "Secret", "classification": "strictly_confidential"})
    do_link_records(public.pk, secret.pk, kam)
    assert links_of(public, other) == []
    with pytest.raises(services.NotFound):
        do_link_records(public.pk, secret.pk, other)


def test_documents_are_versioned_by_name_and_logged(chain: dict[str, Any]) -> None:
    contract = services.do_create_record("t-contract", chain["kam"], {"title": "Contract"})
    first = do_add_document(contract.pk, chain["kam"], "contract.pdf", b"%PDF-1 draft", "application/pdf")
    second = do_add_document(contract.pk, chain["kam"], "contract.pdf", b"%PDF-1 signed", "application/pdf",
                             note="signed")
    assert (first.version, second.version) == (1, 2)
    with pytest.raises(Conflict, match="same content"):
        do_add_document(contract.pk, chain["kam"], "contract.pdf", b"%PDF-1 signed")
    events = Event.objects.filter(record=contract, kind="document_added").order_by("seq")
    assert [event.payload["version"] for event in events] == [1, 2]
    assert events[1].payload["sha256"] == second.sha256


def test_documents_need_the_edit_right_and_content(chain: dict[str, Any]) -> None:
    contract = services.do_create_record("t-contract", chain["kam"], {"title": "Contract"})
    with pytest.raises(NotPermitted):
        do_add_document(contract.pk, chain["kam2"], "x.pdf", b"data")
    with pytest.raises(NotPermitted):
        do_add_document(contract.pk, chain["auditor"], "x.pdf", b"data")
    with pytest.raises(BadInput, match="empty"):
        do_add_document(contract.pk, chain["kam"], "x.pdf", b"")
    assert not Document.objects.exists()
