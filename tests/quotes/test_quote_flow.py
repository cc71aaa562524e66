"""Issue 19's Done-when path: a 20 % quote, who may approve it, a revision needing approval again, the offer PDF,
sending it (SHA-256 in the chain), the customer's acceptance and the order with the same lines."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader

from tests.quotes.conftest import quote

pytestmark = pytest.mark.django_db


def test_quote_discount_approval_revision_pdf_send_and_order(cli, proposal, tmp_path) -> None:
    created = quote(cli, "create", proposal, "--line", "LIC-PRO:50:20", "--line", "SRV-DAY:5", "--as", "kam")
    assert created["version"] == 1
    assert created["total"] == "55000.00"  # 50 × 1200 × 0.8 + 5 × 1400
    assert created["max_discount_percent"] == "20.00"
    record = cli("record", "show", proposal, "--json").json()
    assert record["amount"] == "55000.00"

    refused = cli("record", "approve", proposal, "offer", "--as", "kam", "--json")
    assert refused.code == 4, refused
    assert "discount of 20" in refused.json()["message"]
    assert cli("record", "approve", proposal, "offer", "--as", "head").code == 0
    assert quote(cli, "show", created["id"], "--as", "kam")["approved"] is True

    revised = quote(cli, "revise", created["id"], "--line", "LIC-PRO:50:15", "--line", "SRV-DAY:5", "--as", "kam")
    assert revised["version"] == 2
    assert revised["approved"] is False
    record = cli("record", "show", proposal, "--json").json()
    assert record["amount"] == "58000.00"
    assert "offer" not in record["approvals"]
    sending = cli("record", "do", proposal, "send_offer", "--as", "kam")
    assert sending.code == 3, sending  # the current version is not approved
    assert cli("record", "approve", proposal, "offer", "--as", "kam").code == 4
    assert cli("record", "approve", proposal, "offer", "--as", "head").code == 0

    pdf = tmp_path / "offer.pdf"
    assert cli("quote", "pdf", created["id"], "-o", pdf, "--language", "de", "--as", "kam").code == 0
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    for expected in ("LIC-PRO", "SRV-DAY", "CRM-Lizenz Pro", "Beratungstag", "58.000,00", "69.020,00", "Version 2",
                     "Angebot"):
        assert expected in text, (expected, text)

    sent = cli("record", "do", proposal, "send_offer", "--as", "kam")
    assert sent.code == 0, sent
    events = cli("record", "events", proposal, "--json").json()
    done = [event for event in events if event["kind"] == "activity_done" and event["activity"] == "send_offer"][-1]
    documents = [event for event in events if event["kind"] == "document_added"]
    assert done["payload"]["quote_version"] == 2
    assert done["payload"]["document_sha256"] == documents[-1]["payload"]["sha256"]
    from salesflow.records.models import Document

    stored = Document.objects.get(pk=documents[-1]["payload"]["document"])
    assert hashlib.sha256(bytes(stored.content)).hexdigest() == done["payload"]["document_sha256"]

    accepted = quote(cli, "accept", created["id"], "--as", "kam")
    assert accepted["status"] == "accepted"
    assert cli("record", "move", proposal, "won", "--as", "head", "--override", "signed").code == 0
    links = cli("record", "links", proposal, "--json").json()
    order_id = next(link["record"] for link in links["links"] if link["handoff"] == "create_order")
    lines = cli("order", "lines", order_id, "--format", "json", "--as", "head")
    assert lines.code == 0, lines
    data = lines.json()
    assert [(line["sku"], line["quantity"], line["discount_percent"], line["line_total"]) for line in data["lines"]] \
        == [("LIC-PRO", "50", "15", "51000.00"), ("SRV-DAY", "5", "0", "7000.00")]
    assert data["amount"] == "58000.00"

    changed = cli("order", "change-line", order_id, "2", "--quantity", "6", "--reason", "one more day",
                  "--as", "head")
    assert changed.code == 0, changed
    order_events = [event["kind"] for event in cli("record", "events", order_id, "--json").json()]
    assert "order_lines_created" in order_events and "order_line_changed" in order_events
    assert cli("record", "show", order_id, "--json").json()["amount"] == "59400.00"
    csv_text = cli("order", "lines", order_id, "--as", "head").out
    assert csv_text.splitlines()[0].startswith("order,position,sku")
    assert cli("audit", "verify").code == 0


def test_rejection_needs_a_reason_and_is_recorded(cli, proposal) -> None:
    created = quote(cli, "create", proposal, "--line", "HW-GW:2:5", "--as", "kam")
    assert cli("record", "approve", proposal, "offer", "--as", "kam").code == 0
    assert cli("record", "do", proposal, "send_offer", "--as", "kam").code == 0
    assert cli("quote", "reject", created["id"], "--reason", "", "--as", "kam").code == 1
    rejected = quote(cli, "reject", created["id"], "--reason", "Price too high", "--as", "kam")
    assert rejected["status"] == "rejected" and rejected["status_reason"] == "Price too high"
    kinds = [event["kind"] for event in cli("record", "events", proposal, "--json").json()]
    assert "quote_rejected" in kinds


def test_quote_only_in_the_proposal_stage_and_bad_lines_named(cli, catalogue) -> None:
    rid = cli("record", "create", "opportunity-management", "--title", "Early", "--as", "kam", "--json").json()["id"]
    early = cli("quote", "create", rid, "--line", "LIC-PRO:1", "--as", "kam")
    assert early.code == 5 and "proposal" in early.err
    bad = cli("quote", "create", rid, "--line", "LIC-PRO:x", "--as", "kam")
    assert bad.code == 1 and "LIC-PRO:x" in bad.err and "Traceback" not in bad.err
    unknown = cli("quote", "create", rid, "--line", "NOPE:1", "--as", "kam")
    assert unknown.code == 1 and "NOPE" in unknown.err
