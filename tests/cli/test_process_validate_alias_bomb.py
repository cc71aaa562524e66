"""``salesflow process validate`` refuses a "billion laughs" at once, in a real process with bounded memory.

The command runs in a fresh Python process whose peak memory is read from ``/proc/self/status``
(``VmHWM``, the high-water mark of that process's own memory; ``ru_maxrss`` of a forked child also
counts the test process it was forked from). An address-space limit stops a regression from eating
the machine, and a generous time-out only guards against a hang (speed targets live in benchmarks/).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.process.yaml_bombs import RECURSIVE_MAPPING, nested_aliases

ROOT = Path(__file__).resolve().parents[2]
MAX_RSS_MB = 200
#: ``salesflow process validate PATH`` as the console script runs it, then the process's own peak memory.
RUN_AND_MEASURE = """
import sys
from salesflow.cli import main
code = 0
try:
    main(["process", "validate", sys.argv[1]])
except SystemExit as exit_:
    code = exit_.code if isinstance(exit_.code, int) else 1
with open("/proc/self/status") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
sys.stderr.write(f"\\nPEAK_KB {peak}\\n")
sys.exit(code)
"""


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (4 * 1024**3, 4 * 1024**3))


def run_validate(path: Path, tmp_path: Path) -> tuple[int, str, float]:
    """Exit code, standard error and peak memory (MB) of ``salesflow process validate PATH``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "salesflow.settings"}
    try:
        done = subprocess.run([sys.executable, "-c", RUN_AND_MEASURE, str(path)], capture_output=True, text=True,
                              env=env, cwd=tmp_path, preexec_fn=_limit_address_space, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("process validate did not finish within 60 s")  # a hang, not a speed target
    peak = re.search(r"PEAK_KB (\d+)", done.stderr)
    assert peak, done.stderr
    return done.returncode, done.stderr, int(peak.group(1)) / 1024


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
