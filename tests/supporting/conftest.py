"""Fixtures of the supporting processes' tests: people of the quality roles, added through the CLI."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cli.conftest import cli  # noqa: F401 - the ``cli`` fixture
from tests.cli.run import CliResult


@pytest.fixture
def quality_people(cli: Callable[..., CliResult]) -> dict[str, str]:  # noqa: F811
    """Two quality auditors, a head of sales, a key account manager, a pre-sales engineer and an auditor."""
    roles = {"quinn": "sales_quality", "quirin": "sales_quality", "hans": "head_of_sales", "kim": "kam",
             "pete": "presales_engineer", "arne": "auditor"}
    for name, role in roles.items():
        result = cli("user", "add", name, "--role", role, "--first-name", name.capitalize())
        assert result.code == 0, result
    return roles
