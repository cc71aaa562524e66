"""A backup cut off half-way or with a changed part is never restored, and a database that holds data is
never overwritten: each is refused with a message naming the file or the data, and nothing is changed."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from tests.records.backup_support import Databases


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory: pytest.TempPathFactory):
    """A source database with one user, its backup, and an empty (migrated) target; shared by the tests,
    which each leave them unchanged."""
    tmp_path = tmp_path_factory.mktemp("backup")
    new_database = Databases(tmp_path)
    source = new_database("source")
    assert source.cli("migrate", "-v0").returncode == 0
    seeded = source.cli("shell", "-c", "from salesflow.people.services import do_add_user; "
                                       "do_add_user('kam', ['kam'], [])")
    assert seeded.returncode == 0, seeded.stderr
    backup_file = tmp_path / "backup.tar"
    written = source.cli("backup", str(backup_file))
    assert written.returncode == 0, written.stderr
    assert f"backup written to {backup_file}" in written.stdout
    target = new_database("target")
    assert target.cli("migrate", "-v0").returncode == 0
    yield source, target, backup_file
    new_database.drop()


def _rewrite(original: Path, target: Path, change) -> None:
    """Copy a backup archive member by member, letting ``change(name, bytes)`` alter the content."""
    with tarfile.open(original) as source, tarfile.open(target, "w") as copy:
        for member in source.getmembers():
            content = change(member.name, source.extractfile(member).read())
            member.size = len(content)
            copy.addfile(member, io.BytesIO(content))


def test_a_cut_off_backup_is_refused(backed_up, tmp_path: Path) -> None:
    _source, target, backup_file = backed_up
    cut = tmp_path / "cut.tar"
    cut.write_bytes(backup_file.read_bytes()[: backup_file.stat().st_size // 2])
    result = target.cli("restore", str(cut))
    assert result.returncode == 1
    assert f"{cut}: the archive is damaged or cut off" in result.stderr
    assert target.query("SELECT count(*) FROM people_user") == [(0,)]


def test_a_part_that_differs_from_the_manifest_is_refused(backed_up, tmp_path: Path) -> None:
    _source, target, backup_file = backed_up
    forged = tmp_path / "forged.tar"

    def flip(name: str, content: bytes) -> bytes:
        if name.startswith("database."):
            middle = len(content) // 2
            return content[:middle] + bytes([content[middle] ^ 0xFF]) + content[middle + 1:]
        return content

    _rewrite(backup_file, forged, flip)
    result = target.cli("restore", str(forged))
    assert result.returncode == 1
    assert "does not match its SHA-256 in the manifest" in result.stderr
    assert target.query("SELECT count(*) FROM people_user") == [(0,)]


def test_a_part_missing_from_the_archive_is_refused(backed_up, tmp_path: Path) -> None:
    _source, target, backup_file = backed_up
    incomplete = tmp_path / "incomplete.tar"
    with tarfile.open(backup_file) as source, tarfile.open(incomplete, "w") as copy:
        manifest = source.getmember("manifest.json")
        copy.addfile(manifest, source.extractfile(manifest))
    result = target.cli("restore", str(incomplete))
    assert result.returncode == 1
    assert "is missing (the backup is incomplete)" in result.stderr


def test_a_database_holding_data_is_not_overwritten(backed_up) -> None:
    source, _target, backup_file = backed_up
    before = source.query("SELECT count(*) FROM records_event")
    result = source.cli("restore", str(backup_file))
    assert result.returncode == 5
    assert "the database is not empty (1 users): restore only into an empty database" in result.stderr
    assert source.query("SELECT count(*) FROM records_event") == before


def test_the_manifest_lists_each_part_with_size_and_sha256(backed_up) -> None:
    import hashlib

    _source, _target, backup_file = backed_up
    with tarfile.open(backup_file) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        for part in manifest["parts"]:
            content = archive.extractfile(part["name"]).read()
            assert (len(content), hashlib.sha256(content).hexdigest()) == (part["size"], part["sha256"])
    assert manifest["format"] == "salesflow-backup/1"
    assert manifest["chain_head"]["seq"] > 0
