"""Lock and load a record for an action: one statement whose SQL is built once, not compiled per action.

Every domain action starts by locking its record together with its process and process version (the
engine needs the process key, the acknowledgement rule and the version's id and number). That is the
statement ``Record.objects.select_for_update().select_related("process", "process_version")`` runs
(``FOR UPDATE`` over the joined rows where the database has row locks; SQLite's write transaction is
the lock there), without the version's YAML and parsed JSON (the definition is cached by version id).
Compiling that query is most of an action's ORM cost, so the statement is prepared once per database
connection and its rows are turned into model instances with Django's own converters and
``Model.from_db`` — the same instances, with the same values, the queryset returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Field, Model

from salesflow.records.models import Process, ProcessVersion, Record

#: Version columns an action never reads (the parsed definition is cached by version id).
SKIPPED_VERSION_COLUMNS = frozenset({"definition", "source"})


@dataclass(frozen=True)
class Part:
    """One model's columns in the statement: its fields (in model order) and their converters."""

    model: type[Model]
    fields: tuple[Field, ...]
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # (index, converters, column expression)


@dataclass(frozen=True)
class _Plan:
    sql: str
    parts: tuple[Part, ...]


_plans: dict[tuple[str, str], _Plan] = {}


def columns_of(model: type[Model], alias: str, connection: Any, skip: frozenset[str] = frozenset()) -> Part:
    """The columns of ``model`` (except ``skip``) as selected under ``alias``, with their converters."""
    fields = tuple(field for field in model._meta.concrete_fields if field.name not in skip)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(alias)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, tuple(found), column))
    return Part(model, fields, tuple(field.attname for field in fields), tuple(converters))


def _plan(connection: Any) -> _Plan:
    key = (connection.alias, connection.vendor)
    plan = _plans.get(key)
    if plan is None:
        quote = connection.ops.quote_name
        parts = (columns_of(Record, "r", connection), columns_of(Process, "p", connection),
                 columns_of(ProcessVersion, "v", connection, SKIPPED_VERSION_COLUMNS))
        columns = ", ".join(f"{alias}.{quote(field.column)}"
                            for alias, part in zip("rpv", parts, strict=True) for field in part.fields)
        record_meta = Record._meta
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        sql = (f"SELECT {columns} FROM {quote(record_meta.db_table)} r"
               f" INNER JOIN {quote(Process._meta.db_table)} p"
               f" ON p.{quote(Process._meta.pk.column)} = r.{quote(record_meta.get_field('process').column)}"
               f" INNER JOIN {quote(ProcessVersion._meta.db_table)} v"
               f" ON v.{quote(ProcessVersion._meta.pk.column)} = r.{quote(record_meta.get_field('process_version').column)}"
               f" WHERE r.{quote(record_meta.pk.column)} = %s{lock}")
        plan = _plans[key] = _Plan(sql, parts)
    return plan


def instance_from_row(part: Part, row: list[Any], connection: Any) -> Model:
    """The model instance of ``part``'s columns in ``row`` (converted as the ORM converts them)."""
    for index, converters, column in part.converters:
        value = row[index]
        for converter in converters:
            value = converter(value, column, connection)
        row[index] = value
    return part.model.from_db(connection.alias, part.attnames, row)


def lock_record(record_id: int) -> Record | None:
    """The record with its process and process version, locked until the transaction ends (None: no such record).

    Must run inside ``transaction.atomic()``, as ``select_for_update`` must.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock_record must run inside transaction.atomic()")
    plan = _plan(connection)
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, [int(record_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    instances = []
    start = 0
    for part in plan.parts:
        end = start + len(part.fields)
        instances.append(instance_from_row(part, list(row[start:end]), connection))
        start = end
    record, process, version = instances
    record.process = process
    record.process_version = version
    return record
