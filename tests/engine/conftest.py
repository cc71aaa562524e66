"""Fixtures of the engine tests (no database)."""

from __future__ import annotations

import pytest

from salesflow.process.model import ProcessDefinition
from tests.engine.walk import library


@pytest.fixture(scope="session")
def definition() -> ProcessDefinition:
    """The default library's opportunity-management process."""
    return library()
