"""Issue 17 point 2, in a real browser, in English and German: on the new-opportunity form a KAM types part of a
customer's name, creates a new account inline, then picks an existing account from the list instead; the
opportunity is linked to it and shows on the account page, where a contact is added; the Head of Sales then
merges a same-named duplicate into the account.

Selectors other flows may use: the search input ``#id_account`` (labelled "Account" / "Kunde"), the result list
``#account-options`` with one ``button.account-option`` per account (its text is the account's name), the
inline ``button.account-new``, the link shown once picked ``#account-picked``, the hidden ``input[name=customer]``.
Screenshots: account-picker-{lang}.png, account-page-{lang}.png, account-merge-{lang}.png (test-artifacts/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from salesflow.accounts.models import Account, Contact
from salesflow.accounts.services import do_create_account
from salesflow.people.services import do_add_user
from salesflow.records.models import Record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TEXTS = {
    "en": {"user": "Username", "password": "Password", "sign_in": "Sign in", "my_work": "My work",
           "account": "Account", "title": "Title", "create": "Create", "new": "New account “Polar Kälte”",
           "linked": "Linked to the account", "add_contact": "Add contact", "last_name": "Last name",
           "email": "E-mail", "added": "Added the contact.", "merge": "Merge a duplicate",
           "show": "Show what moves", "do_merge": "Merge and delete the duplicate", "merged": "into this account"},
    "de": {"user": "Benutzername", "password": "Passwort", "sign_in": "Anmelden", "my_work": "Meine Arbeit",
           "account": "Kunde", "title": "Titel", "create": "Anlegen", "new": "Neuer Kunde „Polar Kälte“",
           "linked": "Verknüpft mit dem Kunden", "add_contact": "Ansprechpartner hinzufügen", "last_name": "Nachname",
           "email": "E-Mail", "added": "Ansprechpartner hinzugefügt.", "merge": "Duplikat zusammenführen",
           "show": "Zeigen, was übergeht", "do_merge": "Zusammenführen und Duplikat löschen",
           "merged": "in diesen Kunden zusammengeführt"},
}


@pytest.mark.parametrize("language", ["en", "de"])
def test_pick_an_existing_account_and_see_the_opportunity_on_its_page(browser: Browser, live_server: Any,
                                                                      language: str) -> None:
    texts, base = TEXTS[language], live_server.url
    kam = do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker")
    nordwind = do_create_account(kam, "Nordwind Energie GmbH", "nordwind.de")
    do_create_account(kam, "Nordlicht Solar AG")
    duplicate = do_create_account(kam, "NORDWIND ENERGIE", allow_duplicate=True)
    do_add_user("head", ["head_of_sales"], ["North"], password=PASSWORD, first_name="Helena", last_name="Hoffmann")
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  locale="de-DE" if language == "de" else "en-GB")
    try:
        page = context.new_page()
        page.goto(base + "/accounts/login/")
        page.get_by_label(texts["user"]).fill("kam")
        page.get_by_label(texts["password"]).fill(PASSWORD)
        page.get_by_role("button", name=texts["sign_in"]).click()
        expect(page.get_by_role("heading", name=texts["my_work"])).to_be_visible()

        page.goto(base + "/records/new/?process=opportunity-management")
        page.get_by_label(texts["title"]).first.fill("Wind farm monitoring")
        search = page.get_by_label(texts["account"], exact=True)
        search.fill("Polar Kälte")
        page.locator("#account-options").get_by_role("button", name=texts["new"]).click()
        expect(page.locator("#account-picked")).to_contain_text("Polar Kälte")
        assert Account.objects.filter(name="Polar Kälte").exists()

        search.fill("nord")  # typing another name unlinks the new account and searches again
        options = page.locator("#account-options")
        expect(options.locator("button.account-option")).to_have_count(3)
        expect(page.locator("input[name=customer]")).to_have_value("")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"account-picker-{language}.png"), full_page=False)
        options.get_by_role("button", name="Nordwind Energie GmbH", exact=True).click()
        expect(page.locator("#account-picked")).to_contain_text(texts["linked"])
        expect(page.locator("#account-picked")).to_contain_text("Nordwind Energie GmbH")
        expect(search).to_have_value("Nordwind Energie GmbH")
        page.get_by_role("button", name=texts["create"], exact=True).click()
        expect(page.get_by_role("heading", name="Wind farm monitoring")).to_be_visible()
        record = Record.objects.get(title="Wind farm monitoring")
        assert record.customer_id == nordwind.pk

        page.goto(f"{base}/accounts/{nordwind.pk}/")
        expect(page.locator("#account-records")).to_contain_text("Wind farm monitoring")
        page.get_by_role("link", name=texts["add_contact"]).click()
        page.get_by_label(texts["last_name"]).fill("Berger")
        page.get_by_label(texts["email"]).fill("anna.kunde@nordwind.de")
        page.get_by_role("button", name=texts["add_contact"]).click()
        expect(page.locator(".messages")).to_contain_text(texts["added"])
        expect(page.locator("#contacts")).to_contain_text("anna.kunde@nordwind.de")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / f"account-page-{language}.png"), full_page=False)
        assert Contact.objects.get().account_id == nordwind.pk
    finally:
        context.close()
    _head_merges_the_duplicate(browser, base, texts, language, nordwind.pk, duplicate.pk)


def _head_merges_the_duplicate(browser: Browser, base: str, texts: dict[str, str], language: str, survivor: int,
                               duplicate: int) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  locale="de-DE" if language == "de" else "en-GB")
    try:
        page = context.new_page()
        page.goto(base + "/accounts/login/")
        page.get_by_label(texts["user"]).fill("head")
        page.get_by_label(texts["password"]).fill(PASSWORD)
        page.get_by_role("button", name=texts["sign_in"]).click()
        expect(page.get_by_role("heading", name=texts["my_work"])).to_be_visible()
        page.goto(f"{base}/accounts/{survivor}/")
        page.get_by_role("link", name=texts["merge"]).click()
        expect(page.locator(f"input[name=duplicate][value='{duplicate}']")).to_be_checked()
        page.get_by_role("button", name=texts["show"]).click()
        expect(page.locator(".merge-preview")).to_contain_text("NORDWIND ENERGIE")
        page.screenshot(path=str(ARTIFACTS / f"account-merge-{language}.png"), full_page=False)
        page.get_by_role("button", name=texts["do_merge"]).click()
        expect(page.locator(".messages")).to_contain_text(texts["merged"])
        assert not Account.objects.filter(pk=duplicate).exists()
    finally:
        context.close()
