"""Fixtures of the activity-log tests: a small team, an account with a contact, an opportunity of it,
a strictly confidential record the second KAM may not see, and sample .eml / .ics files."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from salesflow.accounts.models import Account, Contact
from salesflow.people.services import do_add_user
from salesflow.records import services

PASSWORD = "activity-test-password-1"

EML = (b"From: Anna Kunde <anna@nordwind.example>\r\nTo: Kai Becker <kai@salesflow.example>\r\n"
       b"Cc: Otto Einkauf <otto@nordwind.example>\r\nSubject: Questions on the offer\r\n"
       b"Date: Tue, 01 Dec 2026 10:15:00 +0100\r\nMessage-ID: <offer-1@nordwind.example>\r\n"
       b"Content-Type: text/plain; charset=utf-8\r\n\r\nHello Kai,\r\ncan you do 5 % off? Gr\xc3\xbc\xc3\x9fe\r\n")

ICS = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Salesflow//EN\r\nBEGIN:VEVENT\r\n"
       b"UID:workshop-7@nordwind.example\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20261203T100000Z\r\n"
       b"DTEND:20261203T113000Z\r\nSUMMARY:Requirements workshop\r\nDESCRIPTION:Scope and data sources\r\n"
       b"ORGANIZER;CN=Anna Kunde:mailto:anna@nordwind.example\r\n"
       b"ATTENDEE;CN=Kai Becker:mailto:kai@salesflow.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


@pytest.fixture
def team(db: Any) -> dict[str, Any]:
    """Head of Sales, two KAMs of different teams, an auditor."""
    return {
        "head": do_add_user("head", ["head_of_sales"], ["North", "South"], password=PASSWORD,
                            first_name="Helena", last_name="Hoffmann"),
        "kam": do_add_user("kam", ["kam"], ["North"], password=PASSWORD, first_name="Kai", last_name="Becker"),
        "kam2": do_add_user("kam2", ["kam"], ["South"], password=PASSWORD, first_name="Lena", last_name="Wolf"),
        "auditor": do_add_user("auditor", ["auditor"], [], password=PASSWORD, first_name="Arne"),
    }


@pytest.fixture
def account(db: Any) -> Account:
    """Nordwind Energie with one contact (Anna Kunde)."""
    found = Account.objects.create(name="Nordwind Energie", created_at=timezone.now())
    Contact.objects.create(account=found, first_name="Anna", last_name="Kunde", email="anna@nordwind.example",
                           created_at=timezone.now())
    return found


@pytest.fixture
def opportunity(team: dict[str, Any], account: Account) -> Any:
    """An internal opportunity of the account, owned by the KAM."""
    return services.do_create_record("opportunity-management", team["kam"], {
        "title": "Grid monitoring", "account": "Nordwind Energie", "amount": "120000"}, customer_id=account.pk)


@pytest.fixture
def secret(team: dict[str, Any], account: Account) -> Any:
    """A strictly confidential opportunity of the same account: the second KAM may not see it."""
    return services.do_create_record("opportunity-management", team["kam"], {
        "title": "Secret takeover bid", "account": "Nordwind Energie", "amount": "900000",
        "classification": "strictly_confidential"}, customer_id=account.pk)
