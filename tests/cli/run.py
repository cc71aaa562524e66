"""Run the ``salesflow`` command in-process, as a shell would, and capture exit code and output."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connections

from salesflow.cli import main


@dataclass
class CliResult:
    """Exit code and captured output of one ``salesflow`` call."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Standard output parsed as JSON."""
        return json.loads(self.out)

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout ---\n{self.out}\n--- stderr ---\n{self.err}"


def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: Any) -> CliResult:
    """``salesflow ARGS…`` through `salesflow.cli.main`; SystemExit becomes the exit code.

    Django closes every connection after a command; inside a test's transaction that would end the
    test's database session, so closing is switched off for the call.
    """
    capsys.readouterr()
    with monkeypatch.context() as patch:
        patch.setattr(connections, "close_all", lambda: None)
        try:
            main([str(arg) for arg in args])
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)
