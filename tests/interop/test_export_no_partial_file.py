"""A failed export leaves no file behind and an existing file untouched; the reason names record, column and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesflow.interop.atomic import atomic_target
from salesflow.records import services
from salesflow.records.models import Record
from tests.records.conftest import add_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def misfit(db: None) -> int:
    """A contract whose whole-number field holds a text (e.g. from an old import): Parquet cannot type it."""
    people = add_people()
    contract = services.do_create_record("contract-management", people["kam"], {"title": "Frame contract"})
    for number in range(3):  # a few good rows first, so the writer is mid-file when it meets the misfit
        services.do_create_record("contract-management", people["kam"], {
            "title": f"Good {number}", "notice_period_days": "30"})
    Record.objects.filter(pk=contract.pk).update(values={**contract.values, "notice_period_days": "ninety"})
    return contract.pk


def test_parquet_export_refuses_a_misfit_and_writes_nothing(cli, misfit: int, tmp_path: Path) -> None:
    target = tmp_path / "r.parquet"
    result = cli("export", "records", "-o", target)
    assert result.code == 1, result
    assert f"id {misfit}, column notice_period_days: 'ninety' is not a whole number" in result.err
    assert "Traceback" not in result.err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_previous_file(cli, misfit: int, tmp_path: Path) -> None:
    target = tmp_path / "r.parquet"
    target.write_bytes(b"yesterday's export")
    assert cli("export", "records", "-o", target).code == 1
    assert target.read_bytes() == b"yesterday's export"
    assert [path.name for path in tmp_path.iterdir()] == ["r.parquet"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_text_formats_still_export_the_misfit_as_written(cli, misfit: int, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"r.{fmt}"
    assert cli("export", "records", "-o", target).code == 0
    assert target.stat().st_size > 0


def test_atomic_target_removes_the_temporary_file_on_any_failure(tmp_path: Path) -> None:
    target = tmp_path / "log.xes"
    with pytest.raises(KeyboardInterrupt), atomic_target(target) as temporary:
        temporary.write_text("<log>half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    with atomic_target(target) as temporary:
        temporary.write_text("<log/>")
    assert target.read_text() == "<log/>" and [path.name for path in tmp_path.iterdir()] == ["log.xes"]
