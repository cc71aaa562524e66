"""`BackgroundInserts` writes every row in order (multi-row statements on SQLite, COPY on PostgreSQL),
reports the first failure, and leaves the interpreter's switch interval as it found it."""

from __future__ import annotations

import sys

import pytest
from django.db import connection
from django.utils import timezone

from salesflow.interop import engine
from salesflow.interop.engine import BackgroundInserts, ImportSummary, ImportWriter
from salesflow.interop.models import ExternalRef

pytestmark = pytest.mark.django_db

COLUMNS = ["system", "kind", "external_id", "local_id", "fingerprint", "data", "imported_at"]


def ref_rows(count: int, start: int = 0) -> list[tuple[object, ...]]:
    """Ready ExternalRef rows (texts with quotes and non-ASCII, as the database takes them)."""
    at = ExternalRef._meta.get_field("imported_at").get_db_prep_save(timezone.now(), connection)
    return [("test", "record", f"id-{number}", number, "O'Brien ü", f'{{"n": {number}}}', at)
            for number in range(start, start + count)]


def test_every_row_goes_in_across_statement_and_batch_ends(monkeypatch) -> None:
    monkeypatch.setattr(engine, "MULTI_ROW", 3)  # statements of 3 rows: 7 rows need a short last one
    inserts = BackgroundInserts()
    inserts.insert(ExternalRef._meta.db_table, COLUMNS, ref_rows(7))
    inserts.insert(ExternalRef._meta.db_table, COLUMNS, ref_rows(1, start=7))
    inserts.insert(ExternalRef._meta.db_table, COLUMNS, [])
    inserts.close()
    stored = list(ExternalRef.objects.order_by("id").values_list("external_id", "local_id", "fingerprint", "data"))
    assert stored == [(f"id-{number}", number, "O'Brien ü", {"n": number}) for number in range(8)]


def test_the_first_failure_is_raised_by_close(monkeypatch) -> None:
    monkeypatch.setattr(engine, "MULTI_ROW", 2)
    inserts = BackgroundInserts()
    inserts.insert(ExternalRef._meta.db_table, COLUMNS, ref_rows(3) + ref_rows(1))  # id-0 twice
    with pytest.raises(connection.Database.IntegrityError):  # the driver's own: the rows bypass Django
        inserts.close()


def test_the_switch_interval_is_set_back() -> None:
    before = sys.getswitchinterval()
    inserts = BackgroundInserts()
    if connection.vendor == "postgresql":  # COPY: short hand-overs while the inserts run
        assert sys.getswitchinterval() == engine.COPY_SWITCH_INTERVAL
    else:
        assert sys.getswitchinterval() == before
    inserts.close()
    assert sys.getswitchinterval() == before


def test_has_refs_tells_a_first_import_from_a_later_one() -> None:
    writer = ImportWriter("test", "opportunity-management", ImportSummary("test", "opportunity-management"))
    assert not writer.has_refs("record")
    writer.insert_refs("record", [("id-1", 1, "", {})])
    assert writer.has_refs("record")
    assert not writer.has_refs("account")
