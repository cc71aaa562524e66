"""Fixtures of the forecast submission tests: the people of the records tests and an in-process CLI."""

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
    """``cli("forecast", "rollup")`` runs ``salesflow forecast rollup`` in-process."""
    return lambda *args: run_cli(capsys, monkeypatch, *args)
