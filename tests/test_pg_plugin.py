"""The PostgreSQL pass really runs on PostgreSQL (tests.pg_plugin)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.pg_plugin import current_backend


@pytest.mark.django_db
def test_connection_vendor_matches_selected_backend() -> None:
    expected = current_backend()
    assert connection.vendor == expected
    if expected == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('server_encoding')")
            assert cursor.fetchone()[0] == "UTF8"
