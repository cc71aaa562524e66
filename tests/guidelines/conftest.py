"""Fixtures of the guideline tests: people with the roles of document control, and process texts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from salesflow.people.services import do_add_user

LIBRARY_FILE = Path(__file__).resolve().parents[2] / "salesflow" / "library" / "opportunity-management.yaml"
PROCESS = "opportunity-management"
SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas" / "bpmn20"

#: Names of the seeds' company and person: the product is generic and never names them.
FORBIDDEN_NAMES = ("kiwigrid", "sebastian", "stange", "staen")


def library_text() -> str:
    """The default Opportunity Management process file."""
    return LIBRARY_FILE.read_text(encoding="utf-8")


#: The version the library ships (a fresh database holds it as approved); the tests propose the next ones.
CURRENT = int(re.search(r"(?m)^version: (\d+)$", library_text()).group(1))
NEXT = CURRENT + 1


def version_text(version: int, *, proposal_probability: int | None = None) -> str:
    """The library file as another version, optionally with another Proposal probability."""
    text = re.sub(r"(?m)^version: \d+$", f"version: {version}", library_text())
    if proposal_probability is not None:
        text = text.replace("    probability: 50\n", f"    probability: {proposal_probability}\n", 1)
    return text


@dataclass
class Cast:
    """The people of a document-control test."""

    author: object      # sales_ops: writes and submits versions
    head: object        # head_of_sales: the responsible role, approves
    head2: object       # another head_of_sales
    kam: object         # key account manager: reads guidelines, works records
    auditor: object


@pytest.fixture
def cast(db: object) -> Cast:
    return Cast(
        author=do_add_user("gl_author", ["sales_ops"], password="pw-gl-1", first_name="Quinn", last_name="Quality"),
        head=do_add_user("gl_head", ["head_of_sales"], password="pw-gl-1"),
        head2=do_add_user("gl_head2", ["head_of_sales"], password="pw-gl-1"),
        kam=do_add_user("gl_kam", ["kam"], ["North"], password="pw-gl-1"),
        auditor=do_add_user("gl_auditor", ["auditor"], password="pw-gl-1"),
    )
