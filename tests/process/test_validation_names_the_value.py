"""A schema refusal names the value it got: ``probability: … less than or equal to 100 (got 150)``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.run import run_cli
from tests.process.test_validate import changed, line_of, problems

LIBRARY_FILE = Path(__file__).resolve().parents[2] / "salesflow" / "library" / "opportunity-management.yaml"


@pytest.mark.parametrize(("old", "new", "needle", "message"), [
    ("    probability: 60\n", "    probability: 150\n", "150",
     "stages[1].probability: Input should be less than or equal to 100 (got 150)"),
    ("    probability: 60\n", "    probability: lots\n", "lots",
     "stages[1].probability: Input should be a valid integer, unable to parse string as an integer (got 'lots')"),
    ("version: 1\n", "version: [1, 2]\n", "version:", "version: Input should be a valid integer (got a list)"),
    ("    probability: 60\n", "    probability: " + "9" * 80 + "x\n", "999",
     "stages[1].probability: Input should be a valid integer, unable to parse string as an integer (got '"
     + "9" * 59 + "…)"),
], ids=["too-large", "text-for-number", "list-for-number", "long-value-shortened"])
def test_schema_messages_name_the_bad_value(old: str, new: str, needle: str, message: str) -> None:
    text = changed(old, new)
    assert problems(text) == [f"tiny.yaml:{line_of(text, needle)}: {message}"]


@pytest.fixture
def cli(capsys, monkeypatch, db):
    return lambda *args: run_cli(capsys, monkeypatch, *args)


def test_process_validate_prints_the_value(cli, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(LIBRARY_FILE.read_text(encoding="utf-8").replace("    probability: 50\n", "    probability: 150\n",
                                                                      1), encoding="utf-8")
    result = cli("process", "validate", path)
    assert result.code == 1
    assert "probability: Input should be less than or equal to 100 (got 150)" in result.err
