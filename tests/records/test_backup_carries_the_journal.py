"""When the installation keeps a checkpoint journal (``salesflow.records.checkpoints.journal_path``), the
backup carries it — copied before the database snapshot — and a restore puts it at the target's journal
path, keeping a journal already there aside."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

from tests.records.backup_support import REPO, new_database  # noqa: F401 - the fixture

#: Runs ``salesflow ARGS`` with a checkpoints module whose journal is the file named by $JOURNAL.
RUNNER = """
import os, sys, types
from pathlib import Path
module = types.ModuleType("salesflow.records.checkpoints")
module.journal_path = lambda: Path(os.environ["JOURNAL"])
sys.modules["salesflow.records.checkpoints"] = module
from salesflow.cli import main
main(sys.argv[1:])
"""


def _run(database, journal: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**database.env(), "JOURNAL": str(journal)}
    return subprocess.run([sys.executable, "-c", RUNNER, *args], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)


def test_the_journal_travels_with_the_backup(new_database, tmp_path: Path) -> None:  # noqa: F811
    source, target = new_database("source"), new_database("target")
    assert source.cli("migrate", "-v0").returncode == 0
    journal = tmp_path / "source.checkpoints"
    journal.write_text('{"seq": 6, "hash": "abc"}\n', encoding="utf-8")
    backup_file = tmp_path / "with-journal.tar"
    written = _run(source, journal, "backup", str(backup_file), "--json")
    assert written.returncode == 0, written.stderr
    parts = {part["name"]: part for part in json.loads(written.stdout)["parts"]}
    assert parts["checkpoints.journal"]["size"] == journal.stat().st_size
    with tarfile.open(backup_file) as archive:
        assert archive.extractfile("checkpoints.journal").read() == journal.read_bytes()

    target_journal = tmp_path / "target.checkpoints"
    target_journal.write_text('{"seq": 1, "hash": "fresh"}\n', encoding="utf-8")
    restored = _run(target, target_journal, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert target_journal.read_bytes() == journal.read_bytes()
    kept = [item for item in tmp_path.iterdir() if item.name.startswith("target.checkpoints.before-restore-")]
    assert [item.read_text(encoding="utf-8") for item in kept] == ['{"seq": 1, "hash": "fresh"}\n']


def test_without_a_journal_module_the_backup_has_database_and_manifest_only(new_database, tmp_path: Path) -> None:  # noqa: F811
    source = new_database("source")
    assert source.cli("migrate", "-v0").returncode == 0
    written = source.cli("backup", str(tmp_path / "plain.tar"), "--json")
    assert written.returncode == 0, written.stderr
    names = [part["name"] for part in json.loads(written.stdout)["parts"]]
    has_module = (REPO / "salesflow" / "records" / "checkpoints.py").exists()
    assert names[0].startswith("database.") and (has_module or names == names[:1])
