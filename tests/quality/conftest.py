"""Fixtures of the checklist and assessment tests: a checklist written outside the project, people, subjects."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.cli.conftest import cli  # noqa: F401 - the ``cli`` fixture
from tests.cli.run import CliResult

#: A checklist as someone outside the project would write it, using only the keys of the format.
STORE_VISIT = """\
checklist: store-visit
title: {en: Store visit of a partner, de: Filialbesuch beim Partner}
version: 1
subject: partner
responsible: sales_quality
pass_mark: 80
sections:
  - id: welcome
    title: Welcome
    questions:
      - {id: greeted, text: "Greeted within two minutes", type: yes_no, weight: 2}
      - {id: needs, text: "Asked about the customer's needs", type: yes_no_partial, weight: 3}
      - {id: product, text: "Knowledge of the product", type: scale, scale: 5, weight: 3, na: true}
      - {id: wrong_price, text: "Quoted only the published price", type: yes_no, weight: 1, critical: true}
  - id: shop
    title: {en: Shop, de: Laden}
    questions:
      - {id: tidy, text: {en: Shop is tidy, de: Laden ist ordentlich}, type: scale, scale: 4, weight: 1.5}
      - {id: brochures, text: Brochures on display, type: yes_no, weight: 2, na: true}
"""

#: A minimal nonconformity process of someone else's library (the default library's is ``nonconformity``).
NONCONFORMITY_PROCESS = """\
process: store-finding
record: nonconformity
version: 1
title: {en: Nonconformity, de: Nichtkonformität}
guideline:
  responsible: quality_lead
  status: approved
  classification: internal
roles:
  quality_lead: {title: {en: Quality lead, de: Qualitätsleitung}}
fields:
  description: {type: text, required: true}
stages:
  - id: reported
    title: {en: Reported, de: Gemeldet}
    probability: 0
  - id: closed
    title: {en: Closed, de: Geschlossen}
    probability: 100
    outcome: won
"""


@pytest.fixture
def store_visit_file(tmp_path: Path) -> Path:
    """The outside checklist as a file."""
    path = tmp_path / "store-visit.yaml"
    path.write_text(STORE_VISIT, encoding="utf-8")
    return path


@pytest.fixture
def people(cli: Callable[..., CliResult]) -> dict[str, str]:  # noqa: F811
    """An assessor (sales_quality), a key account manager and a head of sales, added through the CLI."""
    roles = {"quinn": "sales_quality", "kim": "kam", "hans": "head_of_sales"}
    for name, role in roles.items():
        result = cli("user", "add", name, "--role", role, "--first-name", name.capitalize())
        assert result.code == 0, result
    return roles


@pytest.fixture
def partner(db: None) -> Any:
    """A partner account."""
    from salesflow.accounts.models import Account

    return Account.objects.create(name="Fachhandel Nord GmbH", created_at=timezone.now(), kind=Account.PARTNER)


@pytest.fixture
def answers_file(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Write an answers JSON file."""

    def write(answers: dict[str, Any], name: str = "answers.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(answers), encoding="utf-8")
        return path

    return write
