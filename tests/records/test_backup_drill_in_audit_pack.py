"""``salesflow backup FILE --verify`` runs the restore drill (restore into an empty scratch database,
``audit verify`` there) and the audit pack shows the last backup and the last verified one."""

from __future__ import annotations

import datetime
import json
import zipfile
from pathlib import Path

from tests.records.backup_support import new_database  # noqa: F401 - the fixture


def test_restore_drill_is_logged_and_shown_in_the_audit_pack(new_database, tmp_path: Path) -> None:  # noqa: F811
    source = new_database("source")
    assert source.cli("migrate", "-v0").returncode == 0
    seeded = source.cli("shell", "-c", "from salesflow.people.services import do_add_user; "
                                       "from salesflow.records import services; "
                                       "kam = do_add_user('kam', ['kam'], []); "
                                       "services.do_create_record('opportunity-management', kam, "
                                       "{'title': 'Drill', 'amount': '5000'})")
    assert seeded.returncode == 0, seeded.stderr
    backup_file = tmp_path / "nightly.tar"
    args = ["backup", str(backup_file), "--verify"]
    if source.vendor == "postgresql":
        args += ["--verify-into", new_database("scratch").url]
    written = source.cli(*args)
    assert written.returncode == 0, written.stderr
    assert "restore drill ok: restored into an empty database, audit verify passed" in written.stdout

    today = datetime.date.today()
    pack = tmp_path / "pack.zip"
    packed = source.cli("audit", "pack", "--from", (today - datetime.timedelta(days=1)).isoformat(),
                        "--to", (today + datetime.timedelta(days=1)).isoformat(), "-o", str(pack))
    assert packed.returncode == 0, packed.stderr
    with zipfile.ZipFile(pack) as archive:
        backups = json.loads(archive.read("event-log/backups.json"))
        index = archive.read("index.html").decode()
    assert backups["backup_written"]["file"] == "nightly.tar"
    assert backups["verified"]["kind"] == "backup_verified"
    assert backups["verified"]["sha256"] == backups["backup_written"]["sha256"]
    assert backups["verified"]["verification"]["records"] == 1
    assert "restored into an empty database and passed" in index and "nightly.tar" in index


def test_a_drill_that_cannot_run_is_refused_without_a_traceback(new_database, tmp_path: Path) -> None:  # noqa: F811
    source = new_database("source")
    unmigrated = source.cli("backup", str(tmp_path / "a.tar"))
    assert unmigrated.returncode == 1 and "Traceback" not in unmigrated.stderr, unmigrated.stderr
    assert source.cli("migrate", "-v0").returncode == 0
    if source.vendor != "postgresql":
        written = source.cli("backup", str(tmp_path / "b.tar"), "--verify-into", "sqlite:///")
        assert written.returncode == 1, written.stderr
        assert "the restore drill failed" in written.stderr and "no database file name" in written.stderr
        return
    written = source.cli("backup", str(tmp_path / "b.tar"), "--verify")
    assert written.returncode == 1
    assert "--verify of a PostgreSQL backup needs --verify-into URL" in written.stderr
