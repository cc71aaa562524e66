"""Creating a lead shows possible duplicates (existing accounts and leads) first: while typing (htmx)
and as a confirmation step on submit ("create anyway")."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from salesflow.accounts.models import Account
from salesflow.records import services
from salesflow.records.models import Record
from tests.records.chain_processes import load_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(people: dict[str, Any]) -> dict[str, Any]:
    """The chained test processes (t-lead hands over with an account found by company and e-mail)."""
    load_chain()
    Account(name="Alpen Solar AG", domain="alpen-solar.example", created_at=services.now()).save()
    return people


def _lead_form(**values: str) -> dict[str, str]:
    return {"process": "t-lead", "title": "New lead", "currency": "EUR", "classification": "internal",
            "owner": "kam", **values}


def test_the_company_and_e_mail_inputs_ask_for_duplicates(chain, client_for) -> None:
    page = client_for(chain["kam"]).get(reverse("record_create") + "?process=t-lead")
    html = page.content.decode()
    assert html.count(f'hx-post="{reverse("record_duplicates")}"') == 2
    assert 'id="duplicates"' in html


def test_the_htmx_check_lists_accounts_and_visible_leads(chain, client_for) -> None:
    kam = chain["kam"]
    other_lead = services.do_create_record("t-lead", kam, {"title": "Earlier lead", "company": "Alpen Solar",
                                                           "email": "max@alpen-solar.example"})
    client = client_for(kam)
    response = client.post(reverse("record_duplicates"), {"process": "t-lead", "company": "alpen solar gmbh"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    account = Account.objects.get(name="Alpen Solar AG")
    assert f'Account: <a href="{reverse("customer", args=[account.pk])}">Alpen Solar AG</a>' in html
    assert "same company name" in html
    assert f'href="/records/{other_lead.pk}/"' in html
    by_mail = client.post(reverse("record_duplicates"), {"process": "t-lead", "email": "jo@alpen-solar.example"})
    assert "same e-mail domain alpen-solar.example" in by_mail.content.decode()
    nothing = client.post(reverse("record_duplicates"), {"process": "t-lead", "company": "Other Corp",
                                                         "email": "jo@gmail.com"})
    assert nothing.content.decode().strip() == ""


def test_leads_others_may_not_see_are_not_listed(chain, client_for) -> None:
    services.do_create_record("t-lead", chain["kam"], {"title": "Secret lead", "company": "Hidden Ventures",
                                                       "classification": "strictly_confidential"})
    response = client_for(chain["kam2"]).post(reverse("record_duplicates"),
                                              {"process": "t-lead", "company": "Hidden Ventures"})
    assert "Secret" not in response.content.decode() and "Hidden Ventures" not in response.content.decode()


def test_submitting_a_duplicate_asks_for_confirmation_then_creates(chain, client_for) -> None:
    client = client_for(chain["kam"])
    form = _lead_form(company="Alpen Solar GmbH", email="eva@alpen-solar.example")
    response = client.post(reverse("record_create"), form)
    assert response.status_code == 200 and response.context["confirm_duplicates"]
    html = response.content.decode()
    assert "Possible duplicates" in html and "Create anyway" in html
    assert not Record.objects.filter(process__key="t-lead").exists()

    fingerprint = response.context["fingerprint"]
    changed = client.post(reverse("record_create"), {**form, "company": "Alpen Solar Holding",
                                                     "email": "x@alpen-solar.example",
                                                     "duplicates_confirmed": fingerprint})
    assert changed.status_code == 200 and changed.context["confirm_duplicates"]
    assert not Record.objects.filter(process__key="t-lead").exists()

    created = client.post(reverse("record_create"), {**form, "duplicates_confirmed": fingerprint})
    assert created.status_code == 302
    assert Record.objects.get(process__key="t-lead").values["company"] == "Alpen Solar GmbH"


def test_a_lead_without_duplicates_is_created_at_once(chain, client_for) -> None:
    response = client_for(chain["kam"]).post(reverse("record_create"),
                                             _lead_form(company="Brandneu GmbH", email="a@brandneu.example"))
    assert response.status_code == 302 and Record.objects.filter(process__key="t-lead").count() == 1


def test_processes_without_an_account_hand_off_have_no_duplicate_check(chain, client_for) -> None:
    page = client_for(chain["kam"]).get(reverse("record_create") + "?process=t-opp")
    assert reverse("record_duplicates") not in page.content.decode()
