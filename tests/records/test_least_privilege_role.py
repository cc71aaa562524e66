"""The README's least-privilege PostgreSQL role (section "The database refuses to rewrite history"), run as
written: the application role may read and append events but neither change, delete nor truncate them."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.pg_plugin import current_backend

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(current_backend() != "postgresql", reason="a PostgreSQL role")]
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_statements() -> list[str]:
    """The SQL statements of the README's role block, for this test database."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### The database refuses to rewrite history", 1)[1]
    block = re.search(r"```sql\n(.*?)```", section, re.S).group(1)
    sql = "\n".join(line for line in block.splitlines() if not line.strip().startswith("--"))
    sql = sql.replace("ON DATABASE salesflow", f'ON DATABASE "{connection.settings_dict["NAME"]}"')
    return [statement.strip() for statement in sql.split(";") if statement.strip()]


def as_app_role() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(host=settings["HOST"], port=settings["PORT"] or None, dbname=settings["NAME"],
                           user="salesflow_app", password="change-me", autocommit=True)


def test_the_application_role_may_only_read_and_append_events(record) -> None:
    statements = readme_statements()
    assert any(statement.startswith("REVOKE UPDATE, DELETE, TRUNCATE ON records_event") for statement in statements)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    try:
        with as_app_role() as app, app.cursor() as cursor:
            cursor.execute("SELECT max(seq) FROM records_event")
            last = cursor.fetchone()[0]
            cursor.execute("INSERT INTO records_event (seq, record_id, process, process_version, kind, from_stage, "
                           "to_stage, activity, approval, actor_id, actor_name, role, at, payload, imported, prev_hash, "
                           "hash) SELECT seq + 1, record_id, process, process_version, kind, from_stage, to_stage, "
                           "activity, approval, actor_id, actor_name, role, at, payload, imported, hash, hash "
                           "FROM records_event WHERE seq = %s", [last])
            cursor.execute("UPDATE records_chainhead SET seq = seq")  # the rest of the app's tables stay writable
            for sql in ("UPDATE records_event SET actor_name = 'Mallory'", "DELETE FROM records_event",
                        "TRUNCATE records_event", "UPDATE records_databaseidentity SET uuid = 'forged'"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                    cursor.execute(sql)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP OWNED BY salesflow_app")
            cursor.execute("DROP ROLE salesflow_app")
