"""``python -m salesflow`` works like the console script."""

from __future__ import annotations

import subprocess
import sys


def test_python_dash_m_runs_the_command_line() -> None:
    result = subprocess.run([sys.executable, "-m", "salesflow", "help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "process" in result.stdout and "audit" in result.stdout

