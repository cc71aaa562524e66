"""``salesflow backup`` while a process appends events, then ``salesflow restore`` into an empty database:
every write acknowledged before the backup started is there, and ``audit verify`` passes (SQLite and
PostgreSQL: the PostgreSQL pass runs it against the test plugin's real server)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.records.backup_support import REPO, new_database  # noqa: F401 - the fixture


def _start_load(database, pause: float = 0.0) -> tuple[subprocess.Popen[str], list[str]]:
    process = subprocess.Popen([sys.executable, "-m", "tests.records.backup_load", str(pause)], env=database.env(),
                               cwd=REPO,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    return process, lines


def _acks(lines: list[str]) -> dict[int, int]:
    acked: dict[int, int] = {}
    for line in list(lines):
        if line.startswith("ack "):
            _ack, record, version = line.split()
            acked[int(record)] = int(version)
    return acked


def _wait_for(lines: list[str], count: int, process: subprocess.Popen[str], limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while len(_acks(lines)) < count:
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, f"the load acknowledged only {len(_acks(lines))} writes"
        time.sleep(0.05)


def test_backup_during_writes_restores_every_acknowledged_write(new_database, tmp_path: Path) -> None:  # noqa: F811
    source, target = new_database("source"), new_database("target")
    for database in (source, target):
        migrated = database.cli("migrate", "-v0")
        assert migrated.returncode == 0, migrated.stderr
    process, lines = _start_load(source)
    try:
        _wait_for(lines, 15, process)
        acknowledged = _acks(lines)  # every write acknowledged before the backup starts
        backup_file = tmp_path / "salesflow-backup.tar"
        written = source.cli("backup", str(backup_file), "--json")
        assert written.returncode == 0, written.stderr
        _wait_for(lines, len(_acks(lines)) + 3, process)  # the load went on while and after the backup ran
    finally:
        process.stdin.close()
        process.wait(timeout=60)
    manifest = json.loads(written.stdout)
    assert [part["name"] for part in manifest["parts"]][0] in ("database.sqlite3", "database.pgdump")
    assert not [item for item in tmp_path.iterdir() if item.name.startswith(".")], "temporary files left behind"

    restored = target.cli("restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert "audit verify ok" in restored.stdout
    versions = dict(target.query("SELECT id, version FROM records_record"))
    missing = {record: version for record, version in acknowledged.items() if versions.get(record, 0) < version}
    assert not missing, f"acknowledged writes missing after restore: {missing}"
    head = target.query("SELECT seq FROM records_chainhead")[0][0]
    assert head >= manifest["chain_head"]["seq"] > 0
    kinds = [row[0] for row in target.query("SELECT kind FROM records_event ORDER BY seq DESC LIMIT 1")]
    assert kinds == ["backup_restored"]
    assert source.query("SELECT count(*) FROM records_event WHERE kind = 'backup_written'")[0][0] == 1
    again = target.cli("audit", "verify")
    assert again.returncode == 0, again.stderr
