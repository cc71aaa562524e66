"""Fixtures of the quote tests: the default library's staff, a small product catalogue, an opportunity in Proposal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import cli, staff  # noqa: F401 - the ``cli`` and ``staff`` fixtures
from tests.cli.run import CliResult

CATALOGUE = """sku,name,name_de,unit,price,currency
LIC-PRO,CRM licence Pro (user/year),CRM-Lizenz Pro (Nutzer/Jahr),user,1200.00,EUR
SRV-DAY,Consulting day,Beratungstag,day,1400,EUR
HW-GW,Gateway appliance,Gateway-Appliance,pcs,5000,EUR
"""


@pytest.fixture
def catalogue(cli: Callable[..., CliResult], staff: dict[str, str], tmp_path: Path) -> Path:  # noqa: F811
    """Three products imported by Sales Support (who keeps the catalogue in the default library)."""
    file = tmp_path / "products.csv"
    file.write_text(CATALOGUE, encoding="utf-8")
    result = cli("product", "import", file, "--as", "support", "--json")
    assert result.code == 0, result
    return file


@pytest.fixture
def proposal(cli: Callable[..., CliResult], catalogue: Path) -> int:  # noqa: F811
    """An opportunity of the KAM in the Proposal stage (moved there by the Head of Sales with an override)."""
    created = cli("record", "create", "opportunity-management", "--title", "Gateway roll-out", "--as", "kam",
                  "--json")
    assert created.code == 0, created
    rid = created.json()["id"]
    moved = cli("record", "move", rid, "proposal", "--as", "head", "--override", "test set-up", "--json")
    assert moved.code == 0, moved
    return rid


def quote(cli: Callable[..., CliResult], *args: Any) -> Any:  # noqa: F811
    """``salesflow quote ARGS… --json`` that must succeed; its JSON."""
    result = cli("quote", *args, "--json")
    assert result.code == 0, result
    return result.json()
