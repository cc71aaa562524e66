"""The "Create Offer" guideline runs offers of their own (kind ``offer``) with the one quote engine: prepare,
quotation, review and approval under the competence catalog, send (document SHA-256), the customer's answer, and
the order with the quote's lines; the guideline is rendered in the list, its page and PDF in English and German."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from salesflow.people.models import User
from tests.quotes.conftest import quote

pytestmark = pytest.mark.django_db


def _ok(cli, *args) -> None:
    result = cli(*args)
    assert result.code == 0, result


def test_an_offer_runs_from_preparation_to_an_order_with_its_lines(cli, catalogue) -> None:
    created = cli("record", "create", "create-offer", "--title", "Spare gateways", "--as", "kam", "--json")
    assert created.code == 0, created
    rid = created.json()["id"]
    assert created.json()["stage"] == "preparation"
    offer = quote(cli, "create", rid, "--line", "HW-GW:4:20", "--as", "kam")
    assert (offer["total"], offer["max_discount_percent"]) == ("16000.00", "20.00")
    assert cli("record", "set", rid, "amount=1", "--as", "head").code == 5  # the quote sets the amount
    _ok(cli, "record", "do", rid, "prepare_offer", "--as", "kam")
    _ok(cli, "record", "move", rid, "quotation", "--as", "kam")
    _ok(cli, "record", "do", rid, "check_offer_data", "--as", "support")
    _ok(cli, "record", "move", rid, "review", "--as", "support")
    _ok(cli, "record", "do", rid, "review_offer", "--as", "head")
    assert cli("record", "approve", rid, "offer", "--as", "kam").code == 4  # 20 % is above the KAM's authority
    _ok(cli, "record", "approve", rid, "offer", "--as", "head")
    _ok(cli, "record", "move", rid, "approved", "--as", "head")
    assert cli("quote", "revise", offer["id"], "--line", "HW-GW:5:20", "--as", "kam").code != 0  # not after review
    _ok(cli, "record", "do", rid, "send_offer", "--as", "kam")
    _ok(cli, "record", "move", rid, "sent", "--as", "kam")
    assert quote(cli, "accept", offer["id"], "--as", "kam")["status"] == "accepted"
    _ok(cli, "record", "do", rid, "customer_answer", "--as", "kam")
    _ok(cli, "record", "move", rid, "accepted", "--as", "head")

    events = cli("record", "events", rid, "--json").json()
    sent = [event for event in events if event["kind"] == "activity_done" and event["activity"] == "send_offer"]
    assert len(sent[0]["payload"]["document_sha256"]) == 64
    links = cli("record", "links", rid, "--json").json()["links"]
    order_id = next(link["record"] for link in links if link["handoff"] == "create_order")
    lines = cli("order", "lines", order_id, "--format", "json", "--as", "head").json()
    assert [(line["sku"], line["quantity"], line["discount_percent"]) for line in lines["lines"]] == [
        ("HW-GW", "4", "20")]
    assert lines["amount"] == "16000.00"
    verified = cli("audit", "verify", "--json")
    assert verified.code == 0 and verified.json()["ok"] is True, verified


@pytest.mark.parametrize("language", ["en", "de"])
def test_create_offer_and_create_order_are_rendered_like_the_other_guidelines(cli, staff, language) -> None:
    web = Client()
    web.force_login(User.objects.get(username="kam"))
    index = web.get("/guidelines/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    offer_title, order_title, stage = {"en": ("Create Offer", "Create Order / Order Management", "Review and Approval"),
                                       "de": ("Angebot erstellen", "Bestellung anlegen / Auftragsabwicklung",
                                              "Prüfung und Freigabe")}[language]
    assert offer_title in index and order_title in index
    page = web.get("/guidelines/create-offer/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    text = page.content.decode()
    assert offer_title in text and stage in text and "<svg" in text
    pdf = web.get(f"/guidelines/create-offer/v1/pdf/?lang={language}", HTTP_ACCEPT_LANGUAGE=language)
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF", pdf
    content = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert offer_title in content and stage in content, content[:500]
