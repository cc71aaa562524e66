"""Fixtures of the currency tests: the people of the records tests and a CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli.run import CliResult, run_cli
from tests.records.conftest import add_people


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    """The users of `tests.records.conftest.PEOPLE`, by user name."""
    return add_people()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: None) -> Callable[..., CliResult]:
    """``cli("currency", "rate", "list")`` runs ``salesflow currency rate list`` in-process."""
    return lambda *args: run_cli(capsys, monkeypatch, *args)


def pytest_configure(config: pytest.Config) -> None:
    # ibis 12 calls DuckDB's fetch_arrow_table(), deprecated since DuckDB 1.4: noise, not a failure.
    config.addinivalue_line("filterwarnings", "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning")
