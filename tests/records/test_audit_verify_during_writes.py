"""``salesflow audit verify`` while the application writes: records and documents changing between the
checker's reads are not reported as tampered (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.records.backup_support import new_database  # noqa: F401 - the fixture
from tests.records.test_backup_under_write_load import _acks, _start_load, _wait_for


def test_verify_under_write_load_reports_nothing(new_database) -> None:  # noqa: F811
    database = new_database("live")
    assert database.cli("migrate", "-v0").returncode == 0
    process, lines = _start_load(database, pause=0.02)  # steady: runs as long as the checks
    try:
        _wait_for(lines, 5, process)
        for _round in range(3):
            result = database.cli("audit", "verify")
            assert result.returncode == 0, result.stderr
            assert "records agree with their events" in result.stdout
        assert len(_acks(lines)) > 5 and process.poll() is None  # the load ran all along
    finally:
        process.stdin.close()
        process.wait(timeout=60)
