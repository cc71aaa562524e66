"""Duplicate detection against accounts (name, domain, contacts' e-mail domains) and lead records."""

from __future__ import annotations

from typing import Any

import pytest

from salesflow.accounts.duplicates import Match, find_duplicates


def found(matches: list[Match]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(match.kind, match.label, match.matched_on) for match in matches]


@pytest.fixture
def acme(make_account: Any) -> Any:
    return make_account("ACME GmbH", domain="https://www.acme.com/")


@pytest.mark.parametrize("name", ["Acme", "ACME GmbH", "acme gmbh.", "Acme, Inc.", "  ACME  ltd "])
def test_name_variants_match(acme: Any, name: str) -> None:
    matches = find_duplicates(name)

    assert found(matches) == [("account", "ACME GmbH", ("name",))]
    assert matches[0].target_id == acme.pk and matches[0].link == f"account:{acme.pk}"


@pytest.mark.parametrize("name", ["Acme Solar", "Acmes", "", "GmbH"])
def test_other_names_do_not_match(acme: Any, name: str) -> None:
    assert find_duplicates(name) == []


def test_accents_and_ampersand(make_account: Any) -> None:
    make_account("Müller & Söhne AG")

    assert found(find_duplicates("Muller and Sohne")) == [("account", "Müller & Söhne AG", ("name",))]


def test_domain_of_the_account(acme: Any) -> None:
    assert found(find_duplicates("Road Runner Ltd", "wile@acme.com")) == [("account", "ACME GmbH", ("domain",))]
    assert find_duplicates("Road Runner Ltd", "wile@acme.com.au") == []


def test_domain_of_a_contact(make_account: Any, make_contact: Any) -> None:
    initech = make_account("Initech")
    make_contact(initech, "bill@initech.de")

    matches = find_duplicates("Somebody Else", "peter@INITECH.de")

    assert found(matches) == [("account", "Initech", ("domain",))]
    assert matches[0].domain == "initech.de"


def test_name_and_domain_match_first(acme: Any, make_account: Any, make_contact: Any) -> None:
    other = make_account("Wile E. Coyote")
    make_contact(other, "wile@acme.com")

    assert found(find_duplicates("Acme", "jo@acme.com")) == [
        ("account", "ACME GmbH", ("name", "domain")), ("account", "Wile E. Coyote", ("domain",))]


def test_free_mail_domains_are_ignored(make_account: Any, make_contact: Any, lead: Any) -> None:
    private = make_account("Private Person Consulting", domain="gmail.com")
    make_contact(private, "someone@gmail.com")
    lead("Another One", "other@gmail.com")

    assert find_duplicates("Unrelated Company", "me@gmail.com") == []
    assert find_duplicates("Unrelated Company", "me@web.de") == []


def test_leads_by_name_and_domain(lead: Any, deal: Any, make_account: Any) -> None:
    umbrella = lead("Umbrella Corp", "alice@umbrella.com")
    lead("Unrelated", "bob@example.org")
    customer = make_account("Cyberdyne")
    opportunity = deal(customer, "100", "")  # not a lead
    opportunity.values = {"company": "Umbrella", "email": "x@umbrella.com"}
    opportunity.save()

    by_name = find_duplicates("Umbrella Corporation")
    by_domain = find_duplicates("Someone", "carol@umbrella.com")

    assert found(by_name) == [("lead", "Umbrella Corp", ("name",))]
    assert by_name[0].target_id == umbrella.pk and by_name[0].link == f"record:{umbrella.pk}"
    assert found(by_domain) == [("lead", "Umbrella Corp", ("domain",))]
    assert by_domain[0].to_data()["stage"] == umbrella.stage


def test_the_lead_being_edited_is_excluded(lead: Any) -> None:
    umbrella = lead("Umbrella Corp", "alice@umbrella.com")
    twin = lead("UMBRELLA corp.", "")

    assert [match.target_id for match in find_duplicates("Umbrella", exclude_record_id=umbrella.pk)] == [twin.pk]
    assert [match.target_id for match in find_duplicates("Umbrella")] == [twin.pk, umbrella.pk]  # newest first


def test_accounts_before_leads(acme: Any, lead: Any) -> None:
    lead("Acme", "")

    assert [match.kind for match in find_duplicates("acme")] == ["account", "lead"]


def test_leads_the_user_may_not_see_are_left_out(lead: Any, people: dict[str, Any]) -> None:
    lead("Stealth Ltd", "", owner=people["kam"], classification="strictly_confidential")

    assert find_duplicates("Stealth", user=people["kam2"]) == []
    assert len(find_duplicates("Stealth", user=people["kam"])) == 1
    assert len(find_duplicates("Stealth")) == 1
