"""Exports of records and events (CSV, Excel, Parquet) under the access rules, each logged.

Who exports decides what is exported: with a user (``--as`` on the CLI) only the records that user
may see (`salesflow.people.access`) and their events; without one (the CLI run by an operator with
database access) every record — the admin context. Every export appends a ``security.export``
event (ISO 27001 A.8.15): who, what, how many rows, which filters, to which file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from salesflow.engine import actions
from salesflow.people import access
from salesflow.people.security import log_security_event
from salesflow.process.model import ProcessDefinition
from salesflow.records.models import Event, ProcessVersion, Record
from salesflow.records.queries import RecordFilter, apply_filter
from salesflow.records.services import definition_of

from .tables import Column, format_for, write_table

User = get_user_model()

#: Built-in record columns, in export order.
RECORD_COLUMNS = [
    Column("id", "int"), Column("process"), Column("process_version", "int"), Column("title"), Column("stage"),
    Column("owner"), Column("account"), Column("amount", "decimal"), Column("currency"), Column("close_date", "date"),
    Column("classification"), Column("probability", "int"), Column("probability_override", "int"),
    Column("outcome"), Column("created_at", "datetime"), Column("updated_at", "datetime"),
    Column("stage_entered_at", "datetime"), Column("closed_at", "datetime"),
]
EVENT_COLUMNS = [
    Column("seq", "int"), Column("at", "datetime"), Column("record", "int"), Column("process"),
    Column("process_version", "int"), Column("kind"), Column("from_stage"), Column("to_stage"), Column("activity"),
    Column("approval"), Column("actor", "int"), Column("actor_name"), Column("role"), Column("imported", "bool"),
    Column("payload", "json"), Column("prev_hash"), Column("hash"),
]
_FIELD_KINDS = {"money": "decimal", "integer": "int", "date": "date", "boolean": "bool"}


def select_records(user: Any | None, flt: RecordFilter | None = None) -> QuerySet:
    """The records an export covers: visible to ``user`` (None: all — the admin context), filtered."""
    query = Record.objects.select_related("process", "process_version", "owner").defer(
        "process_version__definition", "process_version__source", "process__title")
    if user is not None:
        query = access.visible_records(user, query)
    return apply_filter(query, flt)


def filter_is_empty(flt: RecordFilter | None) -> bool:
    """True when the filter selects every record."""
    if flt is None:
        return True
    return all(getattr(flt, item.name) in (None, "") for item in dataclasses.fields(flt) if item.name != "sort")


class _Definitions:
    """Process definitions by version id (cached for the export)."""

    def __init__(self) -> None:
        self.cache: dict[int, ProcessDefinition] = {}

    def get(self, version: ProcessVersion) -> ProcessDefinition:
        definition = self.cache.get(version.pk)
        if definition is None:
            definition = self.cache[version.pk] = definition_of(version)
        return definition


def declared_fields(query: QuerySet) -> list[tuple[str, str]]:
    """The declared fields (name, type) of every process version in ``query``, in declaration order."""
    fields: dict[str, str] = {}
    builtin = {column.name for column in RECORD_COLUMNS}
    version_ids = query.order_by().values_list("process_version", flat=True).distinct()
    for version in ProcessVersion.objects.filter(pk__in=version_ids).order_by("pk"):
        for name, declared in definition_of(version).fields.items():
            if name not in builtin:
                fields.setdefault(name, declared.type.value)
    return list(fields.items())


def record_table(query: QuerySet) -> tuple[list[Column], Iterator[list[Any]]]:
    """Columns and rows of a records export (declared fields after the built-in columns)."""
    fields = declared_fields(query)
    columns = RECORD_COLUMNS + [Column(name, _FIELD_KINDS.get(kind, "text")) for name, kind in fields]
    user_fields = {name for name, kind in fields if kind == "user"}
    usernames = dict(User.objects.values_list("pk", "username")) if user_fields else {}
    definitions = _Definitions()

    def rows() -> Iterator[list[Any]]:
        for record in query.iterator(chunk_size=2000):
            definition = definitions.get(record.process_version)
            probability = actions.effective_probability(definition, record.to_state())
            row = [record.pk, record.process.key, record.process_version.version, record.title, record.stage,
                   record.owner.username if record.owner else None, record.account or None, record.amount,
                   record.currency, record.close_date, record.classification, probability,
                   record.probability_override, record.outcome or None, record.created_at, record.updated_at,
                   record.stage_entered_at, record.closed_at]
            for name, _ in fields:
                value = record.values.get(name)
                if name in user_fields and value is not None:
                    value = usernames.get(value, value)
                row.append(value)
            yield row

    return columns, rows()


def event_query(user: Any | None, flt: RecordFilter | None = None) -> QuerySet:
    """The events an export covers: those of the selected records (admin context, no filter: every event)."""
    if user is None and filter_is_empty(flt):
        return Event.objects.order_by("seq")
    records = select_records(user, flt).order_by().values("pk")
    return Event.objects.filter(record_id__in=records).order_by("seq")


def event_table(query: QuerySet, user: Any | None = None) -> tuple[list[Column], Iterator[list[Any]]]:
    """Columns and rows of an events export (payloads as ``user`` may read them: no hidden record named)."""
    from salesflow.records.redaction import for_reader

    def rows() -> Iterator[list[Any]]:
        for event in for_reader(query.iterator(chunk_size=5000), user):
            yield [event.seq, event.at, event.record_id, event.process or None, event.process_version, event.kind,
                   event.from_stage or None, event.to_stage or None, event.activity or None, event.approval or None,
                   event.actor_id, event.actor_name, event.role or None, event.imported, event.payload,
                   event.prev_hash, event.hash]

    return EVENT_COLUMNS, rows()


def _filters(flt: RecordFilter | None) -> dict[str, Any]:
    if flt is None:
        return {}
    return {item.name: str(getattr(flt, item.name)) for item in dataclasses.fields(flt)
            if getattr(flt, item.name) not in (None, "") and item.name != "sort"}


def export(what: str, path: str | Path, fmt: str | None = None, *, user: Any | None = None,
           flt: RecordFilter | None = None, request: Any | None = None) -> int:
    """Export ``records`` or ``events`` to a file; logs a ``security.export`` event. Returns the row count."""
    fmt = format_for(path, fmt)
    if what == "records":
        columns, rows = record_table(select_records(user, flt))
    elif what == "events":
        columns, rows = event_table(event_query(user, flt), user)
    else:
        raise ValueError(f"unknown export {what!r} (records, events)")
    count = write_table(path, fmt, columns, rows)
    log_security_event("export", user, name="cli (admin context)", request=request, what=what, format=fmt,
                       rows=count, file=Path(path).name, filters=_filters(flt),
                       context="user" if user is not None else "unrestricted")
    return count
