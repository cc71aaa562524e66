"""The Salesforce import checks foreign keys as it writes (PostgreSQL: not all at COMMIT) and leaves the
transaction's foreign keys deferred again, as Django expects."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from salesflow.interop.salesforce import import_salesforce
from salesflow.records.models import Record
from tests.interop.test_salesforce_history_split import export, history_rows

pytestmark = pytest.mark.django_db


def test_foreign_keys_are_deferred_again_after_an_import(tmp_path) -> None:
    import_salesforce(export(tmp_path / "export", history_rows(3), opportunities=3))
    record = Record.objects.first()
    with transaction.atomic():
        sid = transaction.savepoint()
        # Deferred: a dangling owner is only refused at COMMIT (checked now, it would raise here).
        Record.objects.filter(pk=record.pk).update(owner_id=10**9)
        transaction.savepoint_rollback(sid)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # and the import's own writes were checked
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
