"""Give the database an identity and make the event log refuse to be rewritten.

- ``records_databaseidentity``: one row with a random UUID, stored now (when the database is
  created); checkpoints carry it (`salesflow.records.checkpoints`). A checkpoint journal left
  beside an SQLite file by an earlier database of the same name is moved aside (it belongs to that
  database, not to this one).
- Triggers refuse UPDATE and DELETE on ``records_event`` and ``records_databaseidentity``
  (SQLite, PostgreSQL) and TRUNCATE (PostgreSQL). An administrator can still drop them — the
  signed checkpoints outside the database are what detects such a rewrite.
"""

import datetime
import uuid
from pathlib import Path

from django.db import migrations, models

PROTECTED = ("records_event", "records_databaseidentity")

POSTGRES_INSTALL = [
    """CREATE OR REPLACE FUNCTION salesflow_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused';
END;
$$""",
] + [
    statement
    for table in PROTECTED
    for statement in (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION salesflow_refuse_rewrite()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION salesflow_refuse_rewrite()",
    )
]
POSTGRES_REMOVE = [
    statement
    for table in PROTECTED
    for statement in (f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                      f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
] + ["DROP FUNCTION IF EXISTS salesflow_refuse_rewrite()"]

SQLITE_INSTALL = [
    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
    for table in PROTECTED
    for operation in ("UPDATE", "DELETE")
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {table}_no_{operation}" for table in PROTECTED
                 for operation in ("update", "delete")]


def create_identity(apps, schema_editor):
    identity = apps.get_model("records", "DatabaseIdentity")
    if not identity.objects.exists():
        identity.objects.create(pk=1, uuid=str(uuid.uuid4()),
                                created_at=datetime.datetime.now(datetime.UTC))
    connection = schema_editor.connection
    name = str(connection.settings_dict.get("NAME") or "")
    if connection.vendor == "sqlite" and name and name != ":memory:" and not name.startswith("file:"):
        stale = Path(name + ".checkpoints.jsonl")
        if stale.exists():
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
            stale.rename(stale.with_name(f"{stale.name}.before-{stamp}"))


def install_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES_INSTALL, "sqlite": SQLITE_INSTALL}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, None)


def remove_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES_REMOVE, "sqlite": SQLITE_REMOVE}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, None)


class Migration(migrations.Migration):

    dependencies = [
        ("records", "0005_redundant_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="DatabaseIdentity",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("uuid", models.CharField(max_length=36, unique=True)),
                ("created_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(create_identity, migrations.RunPython.noop),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
