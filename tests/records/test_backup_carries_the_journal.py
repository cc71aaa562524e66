"""The backup carries the database's checkpoint journal (``salesflow.records.checkpoints.journal_path``),
copied before the database snapshot, and a restore puts it at the target's journal path, keeping a
journal already there aside."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

from tests.records.backup_support import REPO, new_database  # noqa: F401 - the fixture


def _run(database, journal: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``salesflow ARGS`` against ``database`` with ``journal`` as its checkpoint journal."""
    env = {**database.env(), "SALESFLOW_CHECKPOINT_JOURNAL": str(journal)}
    return subprocess.run([sys.executable, "-m", "salesflow.cli", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=False)


def test_the_journal_travels_with_the_backup(new_database, tmp_path: Path) -> None:  # noqa: F811
    source, target = new_database("source"), new_database("target")
    assert source.cli("migrate", "-v0").returncode == 0
    journal = tmp_path / "source.checkpoints"
    assert _run(source, journal, "audit", "checkpoint").returncode == 0
    signed = journal.read_bytes()
    assert signed
    backup_file = tmp_path / "with-journal.tar"
    written = _run(source, journal, "backup", str(backup_file), "--json")
    assert written.returncode == 0, written.stderr
    parts = {part["name"]: part for part in json.loads(written.stdout)["parts"]}
    assert parts["checkpoints.journal"]["size"] == len(signed)
    with tarfile.open(backup_file) as archive:
        assert archive.extractfile("checkpoints.journal").read() == signed

    target_journal = tmp_path / "target.checkpoints"
    target_journal.write_text('{"seq": 1, "hash": "fresh"}\n', encoding="utf-8")
    restored = _run(target, target_journal, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert target_journal.read_bytes() == signed
    kept = [item for item in tmp_path.iterdir() if item.name.startswith("target.checkpoints.before-restore-")]
    assert [item.read_text(encoding="utf-8") for item in kept] == ['{"seq": 1, "hash": "fresh"}\n']


def test_a_database_without_checkpoints_is_backed_up_without_a_journal(new_database, tmp_path: Path) -> None:  # noqa: F811
    source = new_database("source")
    assert source.cli("migrate", "-v0").returncode == 0
    written = _run(source, tmp_path / "none-yet.checkpoints", "backup", str(tmp_path / "plain.tar"), "--json")
    assert written.returncode == 0, written.stderr
    names = [part["name"] for part in json.loads(written.stdout)["parts"]]
    assert len(names) == 1 and names[0].startswith("database.")
