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
    written = source.cli("backup", str(backup_file), "--verify")
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
    assert source.cli("shell", "-c", "from salesflow.people.services import do_add_user; "
                                     "do_add_user('kam', ['kam'], [])").returncode == 0
    into_itself = source.cli("backup", str(tmp_path / "b.tar"), "--verify-into", source.url)
    assert into_itself.returncode == 1, into_itself.stderr
    assert "the restore drill failed: the database is not empty (1 users)" in into_itself.stderr
    assert source.query("SELECT count(*) FROM records_event WHERE kind = 'backup_verified'") == [(0,)]


def test_the_restore_drill_leaves_the_live_checkpoint_journal_as_it_was(new_database, tmp_path: Path) -> None:  # noqa: F811
    """The drill's scratch database has the live database's identity; its restore must not put the backup's
    (older) journal where the live one is."""
    source = new_database("source")
    assert source.cli("migrate", "-v0").returncode == 0
    seeded = source.cli("shell", "-c", "from salesflow.people.services import do_add_user; do_add_user('kam', ['kam'], [])")
    assert seeded.returncode == 0, seeded.stderr
    assert source.cli("audit", "checkpoint").returncode == 0
    backup_file = tmp_path / "nightly.tar"
    assert source.cli("backup", str(backup_file)).returncode == 0
    assert source.cli("audit", "checkpoint").returncode == 0  # newer than the backup
    journal = Path(json.loads(source.cli("audit", "checkpoint", "--json").stdout)["journal"])
    before = journal.read_bytes()
    drilled = source.cli("backup", str(tmp_path / "second.tar"), "--verify")
    assert drilled.returncode == 0, drilled.stderr
    assert journal.read_bytes().startswith(before)
    assert not list(journal.parent.glob(journal.name + ".before-restore-*"))
    verified = source.cli("audit", "verify")
    assert verified.returncode == 0, verified.stderr + verified.stdout
