"""The account pages: the list (segment, won revenue, customer status, open pipeline, record count, filters,
sort), the account page (contacts, account plans, records by process, the account timeline), starting an
account plan — and that records a user may not see are neither shown nor counted anywhere."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from salesflow.accounts.models import Account, Contact
from salesflow.accounts.segmentation import do_segment_accounts
from salesflow.records import services
from salesflow.records.models import Record
from salesflow.web.views import accounts as account_views

pytestmark = pytest.mark.django_db


def _close(record: Record, outcome: str, days_ago: int) -> Record:
    """Close a record directly (the gates of the opportunity process are not what these tests are about)."""
    closed = timezone.now() - datetime.timedelta(days=days_ago)
    Record.objects.filter(pk=record.pk).update(outcome=outcome, stage=outcome, closed_at=closed)
    return Record.objects.get(pk=record.pk)


@pytest.fixture
def world(people: dict[str, Any]) -> dict[str, Any]:
    """ACME (contacts; KAM North's deals, plan and contract; KAM South's confidential and strictly
    confidential deals) and Beta AG (only a strictly confidential deal of KAM South)."""
    kam, kam2 = people["kam"], people["kam2"]
    now = timezone.now()
    acme = Account.objects.create(name="ACME GmbH", domain="acme.example", created_at=now)
    beta = Account.objects.create(name="Beta AG", domain="beta.example", created_at=now)
    Contact.objects.create(account=acme, first_name="Jo", last_name="Doe", email="jo@acme.example",
                           title="Head of Purchasing", created_at=now)

    def create(process: str, owner: Any, customer: Account, **values: Any) -> Record:
        return services.do_create_record(process, owner, values, customer_id=customer.pk)

    won = _close(create("opportunity-management", kam, acme, title="Grid sensors", amount="1000"), "won", 10)
    open_deal = create("opportunity-management", kam, acme, title="Grid storage", amount="500")
    today = timezone.localdate()
    plan = create("account-management", kam, acme, title="ACME plan", strategy="cross_selling",
                  target_revenue="5000", period_start=(today - datetime.timedelta(days=30)).isoformat(),
                  period_end=(today + datetime.timedelta(days=30)).isoformat())
    served = services.do_create_record("opportunity-management", kam, {"title": "Cross-sell meters",
                                                                       "amount": "1000"}, link_from=plan.pk)
    served = _close(served, "won", 3)
    contract = create("contract-management", kam, acme, title="ACME frame contract", end_date="2027-12-31",
                      notice_period_days="90")
    secret = create("opportunity-management", kam2, acme, title="Secret merger", amount="9000",
                    classification="strictly_confidential")
    confidential = _close(create("opportunity-management", kam2, acme, title="South deal", amount="7000",
                                 classification="confidential"), "won", 5)
    hidden_beta = create("opportunity-management", kam2, beta, title="Hidden beta deal", amount="3000",
                         classification="strictly_confidential")
    return {**people, "acme": acme, "beta": beta, "won": won, "open": open_deal, "plan": plan, "served": served,
            "contract": contract, "secret": secret, "confidential": confidential, "hidden_beta": hidden_beta}


def _rows(response: Any) -> dict[str, Any]:
    return {account.name: account for account in response.context["accounts"]}


# --- the list ------------------------------------------------------------------------------------

def test_list_counts_only_the_records_the_user_may_see(world, client_for) -> None:
    response = client_for(world["kam"]).get(reverse("customers"))
    assert response.status_code == 200
    rows = _rows(response)
    assert list(rows) == ["ACME GmbH", "Beta AG"]
    acme, beta = rows["ACME GmbH"], rows["Beta AG"]
    # KAM North: own won deals 1000 + 1000; open 500; 5 records (not South's confidential or strictly confidential)
    assert (acme.won_revenue, acme.open_pipeline, acme.record_count) == (Decimal("2000"), Decimal("500"), 5)
    assert acme.existing_customer is True
    assert (beta.won_revenue, beta.open_pipeline, beta.record_count) == (0, 0, 0)
    html = response.content.decode()
    assert f'href="{reverse("customer", args=[world["acme"].pk])}"' in html
    assert "9,000" not in html and "3,000" not in html

    head = _rows(client_for(world["head"]).get(reverse("customers")))["ACME GmbH"]
    # Head of Sales also sees South's confidential deal (7000), never the strictly confidential one
    assert (head.won_revenue, head.open_pipeline, head.record_count) == (Decimal("9000"), Decimal("500"), 6)
    owner = _rows(client_for(world["kam2"]).get(reverse("customers")))["ACME GmbH"]
    assert (owner.open_pipeline, owner.record_count) == (Decimal("9500"), 7)


def test_filters_search_and_sort(world, client_for) -> None:
    do_segment_accounts(world["head"])
    client = client_for(world["kam"])
    assert list(_rows(client.get(reverse("customers"), {"q": "acme"}))) == ["ACME GmbH"]
    assert list(_rows(client.get(reverse("customers"), {"q": "beta.example"}))) == ["Beta AG"]
    segment = Account.objects.get(name="ACME GmbH").segment
    assert segment == "A"
    # ACME's segment counts South's confidential won deal, hidden from KAM North: withheld from him
    assert list(_rows(client.get(reverse("customers"), {"segment": "A"}))) == []
    assert list(_rows(client.get(reverse("customers"), {"segment": "none"}))) == ["ACME GmbH"]
    assert list(_rows(client_for(world["head"]).get(reverse("customers"), {"segment": "A"}))) == ["ACME GmbH"]
    assert list(_rows(client.get(reverse("customers"), {"segment": "C"}))) == ["Beta AG"]
    assert list(_rows(client.get(reverse("customers"), {"customer": "new"}))) == ["Beta AG"]
    assert [name for name in _rows(client.get(reverse("customers"), {"sort": "-name"}))] == ["Beta AG", "ACME GmbH"]
    assert [name for name in _rows(client.get(reverse("customers"), {"sort": "records"}))] == ["Beta AG", "ACME GmbH"]
    assert [name for name in _rows(client.get(reverse("customers"), {"sort": "-pipeline"}))] == [
        "ACME GmbH", "Beta AG"]


def test_htmx_filtering_answers_the_results_only(world, client_for) -> None:
    response = client_for(world["kam"]).get(reverse("customers"), {"q": "beta"},
                                            headers={"HX-Request": "true", "HX-Target": "account-results"})
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="account-results"')
    assert "Beta AG" in html and "ACME GmbH" not in html


def test_bad_filters_are_named_and_answered_400(world, client_for) -> None:
    response = client_for(world["kam"]).get(reverse("customers"), {"segment": "X"})
    assert response.status_code == 400
    assert "segment: one of A, B, C or none expected" in response.content.decode()
    response = client_for(world["kam"]).get(reverse("customers"), {"sort": "revenue"})
    assert response.status_code == 400 and "sort: one of" in response.content.decode()
    german = client_for(world["kam"]).get(reverse("customers"), {"segment": "X"}, HTTP_ACCEPT_LANGUAGE="de")
    assert german.status_code == 400 and "Segment: A, B, C oder keines wird erwartet" in german.content.decode()


def test_navigation_has_accounts_in_english_and_german(world, client_for) -> None:
    client = client_for(world["kam"])
    html = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("customers")}">Accounts</a>' in html
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    html = client.get(reverse("customers")).content.decode()
    assert f'<a href="{reverse("customers")}" aria-current="page">Kunden</a>' in html
    assert "Offene Pipeline" in html and "Bestandskunde" in html


def test_pages_need_sign_in_and_a_role(world, client) -> None:
    response = client.get(reverse("customers"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    from salesflow.people.services import do_add_user

    nobody = do_add_user("nobody", [], [], password="x-password-1")
    client.force_login(nobody)
    assert client.get(reverse("customers")).status_code == 403
    assert client.get(reverse("customer", args=[world["acme"].pk])).status_code == 403


# --- the account page ----------------------------------------------------------------------------

def test_account_page_shows_contacts_plans_records_and_dates(world, client_for) -> None:
    response = client_for(world["kam"]).get(reverse("customer", args=[world["acme"].pk]))
    assert response.status_code == 200
    context = response.context
    assert [contact.email for contact in context["contacts"]] == ["jo@acme.example"]
    [plan] = context["plans"]
    assert plan["strategy"] == "Cross-selling" and plan["target"] == Decimal("5000")
    # won in the plan period: the deal closed 10 days ago and the plan's own one (3 days ago)
    assert plan["won"] == Decimal("2000.00") and plan["reached"] == 40
    assert [item["id"] for item in plan["opportunities"]] == [world["served"].pk]
    groups = {group["key"]: [row["id"] for row in group["rows"]] for group in context["groups"]}
    assert list(groups) == ["opportunity-management", "contract-management", "account-management"]
    assert set(groups["opportunity-management"]) == {world["won"].pk, world["open"].pk, world["served"].pk}
    contract = next(group for group in context["groups"] if group["key"] == "contract-management")["rows"][0]
    assert [(item["label"], item["date"]) for item in contract["dates"]] == [
        ("End date", datetime.date(2027, 12, 31)), ("Notice date", datetime.date(2027, 10, 2))]
    html = response.content.decode()
    assert "Head of Purchasing" in html and "ACME frame contract" in html and "Account timeline" in html


def test_hidden_records_are_neither_shown_nor_counted_on_the_account_page(world, client_for) -> None:
    response = client_for(world["kam"]).get(reverse("customer", args=[world["acme"].pk]))
    html = response.content.decode()
    hidden = {world["secret"].pk, world["confidential"].pk}
    shown = {row["id"] for group in response.context["groups"] for row in group["rows"]}
    assert not shown & hidden and response.context["record_total"] == 5
    assert not {entry["record_id"] for entry in response.context["timeline"]} & hidden
    assert "Secret merger" not in html and "South deal" not in html and "9,000" not in html
    # an account with nothing visible is shown by name only
    beta = client_for(world["kam"]).get(reverse("customer", args=[world["beta"].pk]))
    assert beta.status_code == 200 and "Beta AG" in beta.content.decode()
    assert beta.context["groups"] == [] and beta.context["timeline"] == [] and beta.context["record_total"] == 0
    assert "Hidden beta deal" not in beta.content.decode()
    owner = client_for(world["kam2"]).get(reverse("customer", args=[world["beta"].pk]))
    assert "Hidden beta deal" in owner.content.decode()


def test_account_timeline_is_newest_first_paged_and_in_sentences(world, client_for, monkeypatch) -> None:
    monkeypatch.setattr(account_views, "EVENTS_PAGE_SIZE", 3)
    services.do_set_fields(world["open"].pk, world["kam"], {"amount": "650"})
    client = client_for(world["kam"])
    first = client.get(reverse("customer", args=[world["acme"].pk]))
    entries = first.context["timeline"]
    assert len(entries) == 3 and entries[0]["text"] == "Amount: 500 EUR → 650 EUR"
    assert entries[0]["record_id"] == world["open"].pk
    seqs = [entry["seq"] for entry in entries]
    assert seqs == sorted(seqs, reverse=True)
    second = client.get(reverse("customer", args=[world["acme"].pk]), {"events": 2},
                        headers={"HX-Request": "true", "HX-Target": "account-timeline"})
    html = second.content.decode()
    assert html.startswith('<section class="panel" id="account-timeline"')
    assert max(entry["seq"] for entry in second.context["timeline"]) < min(seqs)
    assert "Created in" in html


def test_unknown_account_is_not_found(world, client_for) -> None:
    assert client_for(world["kam"]).get(reverse("customer", args=[999999])).status_code == 404


def test_record_page_links_to_its_account(world, client_for) -> None:
    html = client_for(world["kam"]).get(reverse("record", args=[world["won"].pk])).content.decode()
    assert f'<a href="{reverse("customer", args=[world["acme"].pk])}">ACME GmbH</a>' in html


# --- starting an account plan --------------------------------------------------------------------

def test_start_an_account_plan_for_the_account(world, client_for) -> None:
    client = client_for(world["kam"])
    page = client.get(reverse("customer", args=[world["acme"].pk]))
    assert reverse("customer_plan_create", args=[world["acme"].pk]) in page.content.decode()
    form = client.get(reverse("customer_plan_create", args=[world["acme"].pk]))
    assert form.status_code == 200 and "account" not in form.context["form"].fields
    response = client.post(reverse("customer_plan_create", args=[world["acme"].pk]), {
        "process": "account-management", "title": "ACME 2031", "strategy": "stabilisation", "target_revenue": "80000",
        "currency": "EUR", "classification": "internal", "owner": "kam"})
    assert response.status_code == 302
    plan = Record.objects.get(title="ACME 2031")
    assert response["Location"] == reverse("record", args=[plan.pk])
    assert (plan.process.key, plan.customer_id, plan.account, plan.values["strategy"]) == (
        "account-management", world["acme"].pk, "ACME GmbH", "stabilisation")


def test_an_account_plan_without_strategy_is_refused_and_nothing_is_created(world, client_for) -> None:
    before = Record.objects.count()
    response = client_for(world["kam"]).post(reverse("customer_plan_create", args=[world["acme"].pk]), {
        "process": "account-management", "title": "No strategy", "target_revenue": "lots", "currency": "EUR",
        "classification": "internal", "owner": "kam"})
    assert response.status_code == 400 and Record.objects.count() == before
    assert response.context["form"].errors["strategy"]
    response = client_for(world["kam"]).post(reverse("customer_plan_create", args=[world["acme"].pk]), {
        "process": "account-management", "title": "Bad target", "strategy": "cross_selling", "target_revenue": "lots",
        "currency": "EUR", "classification": "internal", "owner": "kam"})
    assert response.status_code == 400 and Record.objects.count() == before
    assert "target_revenue" in response.context["form"].errors


def test_an_auditor_reads_accounts_but_starts_nothing(world, client_for) -> None:
    client = client_for(world["auditor"])
    page = client.get(reverse("customer", args=[world["acme"].pk]))
    assert page.status_code == 200 and page.context["plan_processes"] == []
    assert reverse("customer_plan_create", args=[world["acme"].pk]) not in page.content.decode()
    before = Record.objects.count()
    refused = client.post(reverse("customer_plan_create", args=[world["acme"].pk]), {
        "process": "account-management", "title": "Audit plan", "strategy": "stabilisation"})
    assert refused.status_code == 403 and Record.objects.count() == before
