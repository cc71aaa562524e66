"""The event and record tables carry no index another index covers (every INSERT writes each one)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def index_columns(table: str) -> list[tuple[str, ...]]:
    """The column lists of the table's plain (non-unique, non-primary-key) indexes (not PostgreSQL's extra
    ``…_like`` pattern indexes of text columns, which serve LIKE)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return sorted(tuple(item["columns"]) for name, item in constraints.items()
                  if item["index"] and not item["unique"] and not item["primary_key"] and not name.endswith("_like"))


def test_no_index_is_a_prefix_of_another() -> None:
    for table in ("records_event", "records_record"):
        columns = index_columns(table)
        assert len(columns) == len(set(columns)), f"{table}: an index twice: {columns}"
        for short in columns:
            covering = [other for other in columns if other != short and other[:len(short)] == short]
            assert not covering, f"{table}: {short} is covered by {covering}"


def test_the_look_ups_keep_their_indexes() -> None:
    assert ("record_id", "seq") in index_columns("records_event")
    assert ("process_id", "stage") in index_columns("records_record")
    assert ("owner_id",) in index_columns("records_record")
