"""``salesflow process validate`` refuses a "billion laughs" at once, in a real process with bounded memory.

The command runs as a subprocess so that its peak memory (``ru_maxrss`` of that one child) can be
read; an address-space limit stops a regression from eating the machine, and a generous time-out
only guards against a hang (speed targets live in benchmarks/).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.process.yaml_bombs import RECURSIVE_MAPPING, nested_aliases

ROOT = Path(__file__).resolve().parents[2]
MAX_RSS_MB = 200


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4 * 1024**3, 4 * 1024**3))


def run_validate(path: Path, tmp_path: Path) -> tuple[int, str, float]:
    """Exit code, standard error and peak memory (MB) of ``salesflow process validate PATH``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "salesflow.settings"}
    out_path, err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        child = subprocess.Popen([sys.executable, "-m", "salesflow.cli", "process", "validate", str(path)],
                                 stdout=out, stderr=err, env=env, cwd=tmp_path, preexec_fn=_limit_address_space)
    guard = threading.Timer(60, child.kill)  # a hang, not a speed target
    guard.start()
    try:
        _pid, status, usage = os.wait4(child.pid, 0)  # the rusage of this one child
    finally:
        guard.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, err_path.read_text(), usage.ru_maxrss / 1024


@pytest.mark.parametrize("text", [nested_aliases(), RECURSIVE_MAPPING], ids=["nested", "recursive"])
def test_alias_bomb_is_refused_with_file_line_and_small_memory(text: str, tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(text, encoding="utf-8")
    code, err, peak_mb = run_validate(path, tmp_path)
    assert code == 1, err
    assert f"{path}:" in err and "YAML refused" in err
    assert "Traceback" not in err
    assert peak_mb < MAX_RSS_MB, f"peak memory {peak_mb:.0f} MB"


@pytest.mark.parametrize("text", [nested_aliases(), RECURSIVE_MAPPING], ids=["nested", "recursive"])
def test_process_load_refuses_it_and_changes_nothing(cli, text: str, tmp_path: Path) -> None:
    from salesflow.records.models import Event, ProcessVersion

    path = tmp_path / "laughs.yaml"
    path.write_text(text, encoding="utf-8")
    before = (ProcessVersion.objects.count(), Event.objects.count())
    result = cli("process", "load", path)
    assert result.code == 1, result
    assert f"{path}:" in result.err and "YAML refused" in result.err
    assert (ProcessVersion.objects.count(), Event.objects.count()) == before
