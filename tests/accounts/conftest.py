"""Fixtures of the account tests: accounts, won / lost opportunities and leads created through the ORM."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from salesflow.accounts.models import Account, Contact
from salesflow.records.models import Process, ProcessVersion, Record
from tests.cli.run import CliResult, run_cli
from tests.records.conftest import add_people

OPPORTUNITY_PROCESS = "opportunity-management"
LEAD_PROCESS = "test-lead-management"


def at(day: str, time: str = "12:00") -> datetime.datetime:
    """An aware date-time in the current time zone from ``"2025-03-01"`` and ``"12:00"``."""
    return timezone.make_aware(datetime.datetime.fromisoformat(f"{day}T{time}"))


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    """The users of tests.records.conftest.PEOPLE, by user name."""
    return add_people()


@pytest.fixture
def make_account(db: None) -> Callable[..., Account]:
    """``make_account("ACME GmbH", domain="acme.com")`` → a saved Account."""

    def make(name: str, domain: str = "") -> Account:
        return Account.objects.create(name=name, domain=domain, created_at=timezone.now())

    return make


@pytest.fixture
def make_contact(db: None) -> Callable[..., Contact]:
    """``make_contact(account, "jo@acme.com")`` → a saved Contact."""

    def make(account: Account | None, email: str, last_name: str = "Doe") -> Contact:
        return Contact.objects.create(account=account, email=email, last_name=last_name, created_at=timezone.now())

    return make


def _version(process: Process) -> ProcessVersion:
    version = process.current_version()
    assert version is not None, f"{process.key} has no approved version"
    return version


@pytest.fixture
def lead_process(db: None) -> Process:
    """A process running ``lead`` records (a copy of the opportunity definition under another key)."""
    source = _version(Process.objects.get(key=OPPORTUNITY_PROCESS))
    process = Process.objects.create(key=LEAD_PROCESS, title={"en": "Leads"}, record_type="lead")
    ProcessVersion.objects.create(process=process, version=1, source=source.source, definition=source.definition,
                                  sha256=source.sha256, status="approved")
    return process


@pytest.fixture
def deal(db: None) -> Callable[..., Record]:
    """``deal(account, "120000", "won", "2025-03-01")`` → an opportunity record closed with that outcome.

    ``outcome`` "" leaves it open (closed_at None). ``process`` may name another process.
    """

    def make(customer: Account | None, amount: str | None, outcome: str = "won", closed: str | None = None,
             process: Process | None = None, time: str = "12:00", **extra: Any) -> Record:
        process = process or Process.objects.get(key=OPPORTUNITY_PROCESS)
        version = _version(process)
        closed_at = at(closed, time) if closed else None
        created = (closed_at or timezone.now()) - datetime.timedelta(days=30)
        stage = {"won": "won", "lost": "lost"}.get(outcome, "qualification")
        return Record.objects.create(
            process=process, process_version=version, title=f"Deal {customer.name if customer else '-'}",
            stage=stage, customer=customer, account=customer.name if customer else "",
            amount=Decimal(amount) if amount is not None else None, outcome=outcome, closed_at=closed_at,
            created_at=created, updated_at=closed_at or created, stage_entered_at=closed_at or created, **extra)

    return make


@pytest.fixture
def lead(lead_process: Process) -> Callable[..., Record]:
    """``lead("Umbrella Corp", "jo@umbrella.com")`` → an open lead record with values company / email."""

    def make(company: str, email: str = "", **extra: Any) -> Record:
        now = timezone.now()
        return Record.objects.create(
            process=lead_process, process_version=_version(lead_process), title=f"Lead {company}",
            stage="qualification", values={"company": company, "email": email}, created_at=now, updated_at=now,
            stage_entered_at=now, **extra)

    return make


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: None) -> Callable[..., CliResult]:
    """``cli("accounts", "list")`` runs ``salesflow accounts list`` in-process."""
    return lambda *args: run_cli(capsys, monkeypatch, *args)
