"""Fixtures of the import/export tests: the CLI, shared test data, small export folders, database counts."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from salesflow.accounts.models import Account
from salesflow.interop.models import ExternalRef
from salesflow.people.models import User
from salesflow.records.models import ChainHead, Event, Record
from tests.cli.run import CliResult, run_cli

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def shared(relative: str) -> Path:
    """A file or folder of ../shared/data (relative to the repository root); skips the test if absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"shared test data {relative} not found at {path} (the tests read ../shared/data next to the repo)")
    return path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: None) -> Callable[..., CliResult]:
    """``cli("import", "salesforce", DIR)`` runs ``salesflow …`` in-process."""

    def call(*args: Any) -> CliResult:
        return run_cli(capsys, monkeypatch, *args)

    return call


def counts() -> dict[str, Any]:
    """What an import can write: rows per table and the chain head."""
    head = ChainHead.objects.filter(pk=1).first()
    return {"records": Record.objects.count(), "events": Event.objects.count(), "refs": ExternalRef.objects.count(),
            "accounts": Account.objects.count(), "users": User.objects.count(),
            "head": (head.seq, head.hash) if head else None}


def write_csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    """Write a CSV file (all cells quoted, like Salesforce's exports)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rows)
    return path


OPPORTUNITY_HEADER = ["Id", "Name", "StageName", "Amount", "Probability", "CloseDate", "Type", "ForecastCategoryName",
                      "OwnerId", "AccountId", "IsClosed", "IsWon", "CreatedDate", "LastModifiedDate", "CreatedById"]
HISTORY_HEADER = ["Id", "OpportunityId", "CreatedById", "CreatedDate", "StageName", "Amount", "Probability",
                  "CloseDate"]


def opportunity(id_: str, name: str, stage: str, amount: str = "1000", probability: str = "", close: str = "2025-06-30",
                type_: str = "New Customer", owner: str = "005U1", account: str = "001A1", closed: str = "",
                won: str = "", created: str = "2025-01-02 09:00:00", modified: str = "2025-03-01 10:00:00") -> list[str]:
    """One Opportunity.csv row (``OPPORTUNITY_HEADER`` order)."""
    return [id_, name, stage, amount, probability, close, type_, "", owner, account, closed, won, created, modified,
            owner]


@pytest.fixture
def sf_export(tmp_path: Path) -> Callable[..., Path]:
    """``sf_export(opportunities=[...], history=[...])`` writes a small Salesforce export folder."""

    def make(opportunities: list[list[str]], history: list[list[str]] | None = None, name: str = "export",
             accounts: list[list[str]] | None = None, users: list[list[str]] | None = None) -> Path:
        folder = tmp_path / name
        write_csv(folder / "Opportunity.csv", OPPORTUNITY_HEADER, opportunities)
        if history is not None:
            write_csv(folder / "OpportunityHistory.csv", HISTORY_HEADER, history)
        write_csv(folder / "Account.csv", ["Id", "Name", "Website"],
                  accounts if accounts is not None else [["001A1", "Acme GmbH", "https://www.acme.example/"]])
        write_csv(folder / "User.csv", ["Id", "Username", "FirstName", "LastName", "Email"],
                  users if users is not None else [["005U1", "kim@acme.example", "Kim", "Seller", "kim@acme.example"]])
        return folder

    return make
