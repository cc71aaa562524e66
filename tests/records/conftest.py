"""Fixtures of the service and event-log tests: people with roles and teams, and a CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from salesflow.people.services import do_add_user
from salesflow.records import services
from tests.cli.run import CliResult, run_cli

#: user name → (first name, last name, roles, teams)
PEOPLE: dict[str, tuple[str, str, list[str], list[str]]] = {
    "head": ("Helena", "Hoffmann", ["head_of_sales"], []),
    "kam": ("Kai", "Becker", ["kam"], ["North"]),
    "mate": ("Mia", "Lang", ["kam"], ["North"]),
    "kam2": ("Lena", "Wolf", ["kam"], ["South"]),
    "support": ("Sara", "Yilmaz", ["sales_support"], ["South"]),
    "bid": ("Bernd", "Maier", ["bid_manager"], []),
    "director": ("Dana", "Richter", ["managing_director"], []),
    "auditor": ("Arne", "Krüger", ["auditor"], []),
}


def add_people() -> dict[str, Any]:
    """Create `PEOPLE` in the current database."""
    return {name: do_add_user(name, roles, teams, first_name=first, last_name=last)
            for name, (first, last, roles, teams) in PEOPLE.items()}


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    """The users of `PEOPLE`, by user name."""
    return add_people()


@pytest.fixture
def record(people: dict[str, Any]) -> Any:
    """An internal opportunity owned by ``kam`` with an amount of 120 000."""
    return services.do_create_record("opportunity-management", people["kam"],
                                     {"title": "Battery storage – Alpen Solar", "amount": "120000"})


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Run ``salesflow …`` in-process."""
    return lambda *args: run_cli(capsys, monkeypatch, *args)


@pytest.fixture
def chain(people: dict[str, Any]) -> dict[str, Any]:
    """The chained test processes (t-lead → t-opp → t-order, t-contract) loaded, with `people`."""
    from tests.records.chain_processes import load_chain

    load_chain()
    return people
