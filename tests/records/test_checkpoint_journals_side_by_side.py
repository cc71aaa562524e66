"""Two SQLite databases on one machine, each with its default journal beside its file: their checkpoints
never meet — each verifies against its own, and replacing one database's file is noticed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def salesflow(database: Path, key: Path, *args: str) -> subprocess.CompletedProcess:
    env = {key_: value for key_, value in os.environ.items() if not key_.startswith("SALESFLOW_")}
    env.update(DATABASE_URL=f"sqlite:///{database}", PYTHONPATH=str(REPO), SALESFLOW_CHECKPOINT_KEY_FILE=str(key),
               DJANGO_SETTINGS_MODULE="salesflow.settings")
    return subprocess.run([sys.executable, "-m", "salesflow.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def test_two_databases_keep_their_own_journals(tmp_path, checkpoint_key_file) -> None:
    first, second = tmp_path / "a" / "one.sqlite3", tmp_path / "b" / "two.sqlite3"
    for database in (first, second):
        database.parent.mkdir()
        assert salesflow(database, checkpoint_key_file, "migrate", "-v0").returncode == 0
        result = salesflow(database, checkpoint_key_file, "audit", "checkpoint", "--json")
        assert result.returncode == 0, result.stderr
        assert result.stdout and json.loads(result.stdout)["journal"] == f"{database}.checkpoints.jsonl"
    journals = [json.loads(Path(f"{database}.checkpoints.jsonl").read_text()) for database in (first, second)]
    assert journals[0]["database"] != journals[1]["database"]
    for database in (first, second):
        result = salesflow(database, checkpoint_key_file, "audit", "verify")
        assert result.returncode == 0, result.stderr
        assert "checkpoints: 1 verified" in result.stdout
    shutil.copy(second, first)  # one database's file replaced by another's: the journal beside it objects
    result = salesflow(first, checkpoint_key_file, "audit", "verify")
    assert result.returncode == 1
    assert "the identity was changed or the database replaced" in result.stderr
