"""A record's amount follows its current quote: a direct edit of it (CLI, API, web) is refused with a clear
message and changes nothing; the rule is the process's ``quotes.fixed_fields`` (YAML)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from salesflow.people.models import User
from salesflow.people.tokens import create_token
from tests.quotes.conftest import quote

pytestmark = pytest.mark.django_db


def test_direct_amount_edit_is_refused_while_a_quote_is_current(cli, proposal) -> None:
    # without a quote the amount is the record's own
    assert cli("record", "set", proposal, "amount=1000", "--as", "head").code == 0
    created = quote(cli, "create", proposal, "--line", "SRV-DAY:5", "--as", "kam")
    number, before = created["number"], cli("record", "show", proposal, "--json").json()
    assert before["amount"] == "7000.00"

    refused = cli("record", "set", proposal, "amount=9000", "--as", "head", "--json")
    assert refused.code == 5, refused
    message = refused.json()["message"]
    assert "amount" in message and number in message and "version 1" in message and "revise the quote" in message
    other_currency = cli("record", "set", proposal, "currency=USD", "--as", "head")
    assert other_currency.code == 5, other_currency
    # other fields stay editable; the same amount is no change of it
    assert cli("record", "set", proposal, "budget=80000", "amount=7000.00", "--as", "head").code == 0

    head = User.objects.get(username="head")
    api = Client(headers={"Authorization": f"Bearer {create_token(head, 'tests')[1]}"})
    answer = api.patch(f"/api/records/{proposal}", json.dumps({"fields": {"amount": "9000"}}),
                       content_type="application/json")
    assert answer.status_code == 409, answer.content
    assert "revise the quote" in answer.json()["detail"]

    web = Client()
    web.force_login(head)
    form = web.get(f"/records/{proposal}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    amount_input = re.search(r'<input[^>]*name="amount"[^>]*>', form).group(0)
    assert "disabled" in amount_input and "Vom aktuellen Angebot vorgegeben" in form
    # the read-only amount is not sent: other fields are saved
    saved = web.post(f"/records/{proposal}/fields/", {"title": before["title"], "classification": "internal",
                                                      "owner": "kam", "budget": "85000"})
    assert saved.status_code == 302, saved.content.decode()[:500]
    page = web.post(f"/records/{proposal}/fields/", {"amount": "9000", "title": before["title"], "classification": "internal", "currency": "EUR",
                                                   "owner": "kam", "budget": "85000"},
                    HTTP_ACCEPT_LANGUAGE="de", follow=True)
    assert "das Angebot überarbeiten" in page.content.decode()

    after = cli("record", "show", proposal, "--json").json()
    assert (after["amount"], after["currency"]) == ("7000.00", "EUR")
    # revising the quote is the way: the amount follows
    quote(cli, "revise", created["id"], "--line", "SRV-DAY:6", "--as", "kam")
    assert cli("record", "show", proposal, "--json").json()["amount"] == "8400.00"
