"""Fixtures of the CLI tests: a ``cli`` callable running ``salesflow`` in-process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli.run import CliResult, run_cli


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: None) -> Callable[..., CliResult]:
    """``cli("record", "show", 1)`` runs ``salesflow record show 1`` and returns its `CliResult`."""

    def call(*args: Any) -> CliResult:
        return run_cli(capsys, monkeypatch, *args)

    return call


@pytest.fixture
def staff(cli: Callable[..., CliResult]) -> dict[str, str]:
    """One user per role of the default library, added through ``salesflow user add``."""
    people = {"head": "head_of_sales", "kam": "kam", "kam2": "kam", "support": "sales_support",
              "bid": "bid_manager", "director": "managing_director"}
    for name, role in people.items():
        result = cli("user", "add", name, "--role", role, "--first-name", name.capitalize())
        assert result.code == 0, result
    return people
