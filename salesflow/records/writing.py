"""Write an action's rows with statements built once per database connection, not compiled per action.

Every domain action updates its record's changed columns and inserts its events. Through the ORM
(``record.save(update_fields=...)`` and ``Event.objects.bulk_create(events)``) compiling those two
statements cost more than running them. Here their SQL is built once per connection and column set
(per row count for inserts) and the values are prepared by each field's own ``get_db_prep_save``,
as the ORM prepares them: the same rows, the same values, the same errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Field, Model

_updates: dict[tuple[str, str, str, tuple[str, ...] | None], tuple[str, tuple[Field, ...]]] = {}
#: More rows than this go through ``bulk_create`` (which batches them); fewer use a statement kept per row count.
MAX_PREPARED_ROWS = 8

_inserts: dict[tuple[str, str, str, int], tuple[str, tuple[Field, ...]]] = {}


def _update_plan(connection: Any, model: type[Model], names: tuple[str, ...] | None) -> tuple[str, tuple[Field, ...]]:
    key = (connection.alias, connection.vendor, model._meta.label, names)
    plan = _updates.get(key)
    if plan is None:
        meta = model._meta
        wanted = set(names) if names is not None else None
        fields = tuple(field for field in meta.concrete_fields if not field.primary_key
                       and (wanted is None or field.name in wanted or field.attname in wanted))
        if wanted is not None and len(fields) != len(wanted):
            unknown = wanted - {field.name for field in fields} - {field.attname for field in fields}
            raise ValueError(f"{meta.label} has no columns {sorted(unknown)}")
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
        plan = _updates[key] = (sql, fields)
    return plan


def save_columns(instance: Model, names: Sequence[str] | None = None) -> None:
    """``instance.save(update_fields=names)`` (every column when None) for an existing row, inside a transaction.

    No signals are sent (as with ``QuerySet.update``): use it only for models nothing listens to.
    """
    if names is not None and not names:
        return
    connection = transaction.get_connection()
    sql, fields = _update_plan(connection, type(instance), tuple(names) if names is not None else None)
    params = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields]
    params.append(instance._meta.pk.get_db_prep_save(instance.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount == 0:
            raise DatabaseError(f"{instance._meta.label} {instance.pk}: no such row to update")


def _insert_plan(connection: Any, model: type[Model], rows: int) -> tuple[str, tuple[Field, ...]]:
    key = (connection.alias, connection.vendor, model._meta.label, rows)
    plan = _inserts.get(key)
    if plan is None:
        meta = model._meta
        if meta.auto_field is not None:
            raise ValueError(f"{meta.label} has a generated key: insert it through the ORM")
        fields = tuple(meta.concrete_fields)
        quote = connection.ops.quote_name
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)})"
               f" VALUES {', '.join([row] * rows)}")
        plan = _inserts[key] = (sql, fields)
    return plan


def insert(instances: Sequence[Model]) -> None:
    """``Model.objects.bulk_create(instances)`` for a few new rows of one model whose keys are set (no generated key)."""
    if not instances:
        return
    if len(instances) > MAX_PREPARED_ROWS:
        type(instances[0]).objects.bulk_create(instances)
        return
    connection = transaction.get_connection()
    sql, fields = _insert_plan(connection, type(instances[0]), len(instances))
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection)
              for instance in instances for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias
