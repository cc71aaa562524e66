"""Fixtures of the version-migration tests: people, running opportunities under v2 and a v3 to move them to.

Version 3 is the shipped Opportunity Management file with stage ``negotiation`` renamed ``closing`` and
the Proposal probability raised to 60 %; it is loaded through ``salesflow process load --approved-by``
(the document-control path), like a real new version.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from salesflow.people.services import do_add_user
from salesflow.records import services
from tests.cli.run import CliResult, run_cli

LIBRARY_FILE = Path(__file__).resolve().parents[2] / "salesflow" / "library" / "opportunity-management.yaml"
PROCESS = "opportunity-management"
CURRENT = int(re.search(r"(?m)^version: (\d+)$", LIBRARY_FILE.read_text(encoding="utf-8")).group(1))
TARGET = CURRENT + 1


def target_text() -> str:
    """The next version: ``negotiation`` renamed ``closing``, Proposal at 60 %."""
    text = LIBRARY_FILE.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^version: \d+$", f"version: {TARGET}", text)
    text = text.replace("  - id: negotiation\n", "  - id: closing\n", 1)
    return text.replace("    probability: 50\n", "    probability: 60\n", 1)


@dataclass
class Setup:
    """People and records of a migration test."""

    head: Any
    ops: Any
    kam: Any
    auditor: Any
    records: dict[str, Any]  # by stage: qualification, proposal, negotiation (running), lost (closed)
    target_file: Path


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: None) -> Callable[..., CliResult]:
    """``cli("process", "migrate", …)`` runs ``salesflow`` in-process."""
    return lambda *args: run_cli(capsys, monkeypatch, *args)


def make_setup(tmp_path: Path, load_target: bool = True) -> Setup:
    """Users, three running opportunities (qualification, proposal, negotiation) and a lost one; v3 loaded."""
    head = do_add_user("mg_head", ["head_of_sales"], ["North"], password="pw-mg-1", first_name="Hanna")
    ops = do_add_user("mg_ops", ["sales_ops"], password="pw-mg-1")
    kam = do_add_user("mg_kam", ["kam"], ["North"], password="pw-mg-1")
    auditor = do_add_user("mg_auditor", ["auditor"], password="pw-mg-1")
    records = {}
    for stage in ("qualification", "proposal", "negotiation", "lost"):
        record = services.do_create_record(PROCESS, kam, {"title": f"Deal in {stage}", "account": "Acme",
                                                          "amount": "12000"})
        if stage == "qualification":
            services.do_complete_activity(record.pk, kam, "risk_analysis")
        elif stage != "qualification":
            services.do_move(record.pk, head, stage, override_reason="test set-up")
        records[stage] = services.get_record(record.pk)
    target_file = tmp_path / f"opportunity-management-v{TARGET}.yaml"
    target_file.write_text(target_text(), encoding="utf-8")
    if load_target:
        from salesflow.process.validate import read_file

        services.do_load_process(read_file(target_file), ops, head)
    return Setup(head, ops, kam, auditor, records, target_file)


@pytest.fixture
def setup(db: None, tmp_path: Path) -> Setup:
    """See `make_setup`."""
    return make_setup(tmp_path)
