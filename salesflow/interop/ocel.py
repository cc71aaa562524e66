"""Export the event log as OCEL 2.0 (object-centric event log): JSON or SQLite.

Objects: the records (object type = the process's record type, e.g. ``opportunity``), the
accounts they belong to (``account``) and the users who act or own (``user``). Every event is
linked to its record (qualifier ``record``), the record's account (``account``) and the user who
acted (``actor``); records are linked to their account and owner (object-to-object). Event
attributes are the event's stages, activity, approval, role, ``imported`` flag and payload (JSON).
"""

from __future__ import annotations

import datetime
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from salesflow.accounts.models import normalise_name
from salesflow.records.models import Event, Record
from salesflow.records.redaction import for_reader

from .exports import _filters, select_records
from .progress import Progress, silent

User = get_user_model()

EVENT_ATTRIBUTES = [("from_stage", "string"), ("to_stage", "string"), ("activity", "string"),
                    ("approval", "string"), ("role", "string"), ("process", "string"), ("imported", "boolean"),
                    ("payload", "string")]
RECORD_ATTRIBUTES = [("title", "string"), ("process", "string"), ("stage", "string"), ("outcome", "string"),
                     ("amount", "float"), ("currency", "string"), ("close_date", "time")]
EPOCH = "1970-01-01T00:00:00Z"


def _time(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def record_object_id(record_id: int) -> str:
    """The OCEL id of a record."""
    return f"record:{record_id}"


def account_object_id(name: str) -> str:
    """The OCEL id of an account (by its normalised name)."""
    return f"account:{normalise_name(name) or name.strip().lower()}"


def user_object_id(user_id: int) -> str:
    """The OCEL id of a user."""
    return f"user:{user_id}"


class _Collector:
    """Reads records and their events once; hands out OCEL objects and events."""

    def __init__(self, records: Any, user: Any | None = None) -> None:
        self.user = user
        self.records: list[Record] = list(records.select_related("process").order_by("pk"))
        self.record_type = {record.pk: record.process.record_type for record in self.records}
        self.accounts: dict[str, str] = {}
        self.user_ids: set[int] = set()
        for record in self.records:
            if record.account:
                self.accounts.setdefault(account_object_id(record.account), record.account)
            if record.owner_id:
                self.user_ids.add(record.owner_id)
        self.account_of = {record.pk: account_object_id(record.account) for record in self.records if record.account}

    def events(self) -> Iterator[Event]:
        """The records' events in chain order."""
        ids = [record.pk for record in self.records]
        for start in range(0, len(ids), 2000):
            part = ids[start:start + 2000]
            yield from for_reader(Event.objects.filter(record_id__in=part).order_by("seq").iterator(chunk_size=5000),
                                  self.user)

    def users(self) -> dict[int, str]:
        """Display names of every user involved (after `events` was consumed)."""
        return {user.pk: user.get_full_name() or user.username for user in User.objects.filter(pk__in=self.user_ids)}

    def relationships(self, event: Event) -> list[tuple[str, str]]:
        """(object id, qualifier) pairs of an event."""
        links = [(record_object_id(event.record_id), "record")]
        account = self.account_of.get(event.record_id)
        if account:
            links.append((account, "account"))
        if event.actor_id:
            self.user_ids.add(event.actor_id)
            links.append((user_object_id(event.actor_id), "actor"))
        return links


def _event_attributes(event: Event) -> dict[str, Any]:
    return {"from_stage": event.from_stage, "to_stage": event.to_stage, "activity": event.activity,
            "approval": event.approval, "role": event.role, "process": event.process, "imported": event.imported,
            "payload": json.dumps(event.payload, ensure_ascii=False, sort_keys=True)}


def _record_attributes(record: Record) -> dict[str, Any]:
    return {"title": record.title, "process": record.process.key, "stage": record.stage,
            "outcome": record.outcome, "amount": float(record.amount) if record.amount is not None else None,
            "currency": record.currency,
            "close_date": f"{record.close_date.isoformat()}T00:00:00Z" if record.close_date else None}


def write_ocel_json(path: Path, collector: _Collector, advance: Any) -> tuple[int, int]:
    """Write OCEL 2.0 JSON (events are streamed into the file)."""
    kinds: set[str] = set()
    event_count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"events": [')
        first = True
        for event in collector.events():
            kinds.add(event.kind)
            attributes = [{"name": name, "value": value} for name, value in _event_attributes(event).items()
                          if value not in ("", None)]
            item = {"id": f"event:{event.seq}", "type": event.kind, "time": _time(event.at),
                    "attributes": attributes,
                    "relationships": [{"objectId": object_id, "qualifier": qualifier}
                                      for object_id, qualifier in collector.relationships(event)]}
            out.write(("" if first else ",") + "\n" + json.dumps(item, ensure_ascii=False))
            first = False
            event_count += 1
            if event_count % 10000 == 0:
                advance(10000)
        out.write("\n],\n")
        objects: list[dict[str, Any]] = []
        for record in collector.records:
            relationships = []
            if record.account:
                relationships.append({"objectId": account_object_id(record.account), "qualifier": "account"})
            if record.owner_id:
                relationships.append({"objectId": user_object_id(record.owner_id), "qualifier": "owner"})
            objects.append({"id": record_object_id(record.pk), "type": collector.record_type[record.pk],
                            "attributes": [{"name": name, "time": EPOCH, "value": value}
                                           for name, value in _record_attributes(record).items()
                                           if value not in ("", None)],
                            "relationships": relationships})
        for object_id, name in sorted(collector.accounts.items()):
            objects.append({"id": object_id, "type": "account",
                            "attributes": [{"name": "name", "time": EPOCH, "value": name}]})
        for user_id, name in sorted(collector.users().items()):
            objects.append({"id": user_object_id(user_id), "type": "user",
                            "attributes": [{"name": "name", "time": EPOCH, "value": name}]})
        object_types = [{"name": kind, "attributes": [{"name": name, "type": kind_}
                                                      for name, kind_ in RECORD_ATTRIBUTES]}
                        for kind in sorted(set(collector.record_type.values()))]
        object_types.append({"name": "account", "attributes": [{"name": "name", "type": "string"}]})
        object_types.append({"name": "user", "attributes": [{"name": "name", "type": "string"}]})
        event_types = [{"name": kind, "attributes": [{"name": name, "type": kind_}
                                                     for name, kind_ in EVENT_ATTRIBUTES]} for kind in sorted(kinds)]
        out.write('"objects": ' + json.dumps(objects, ensure_ascii=False) + ",\n")
        out.write('"objectTypes": ' + json.dumps(object_types, ensure_ascii=False) + ",\n")
        out.write('"eventTypes": ' + json.dumps(event_types, ensure_ascii=False) + "\n}\n")
    return event_count, len(objects)


def _table_name(kind: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", kind.title()) or "Type"


def _sql_time(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def write_ocel_sqlite(path: Path, collector: _Collector, advance: Any) -> tuple[int, int]:
    """Write the OCEL 2.0 SQLite format (tables event, object, event_object, object_object, event_<Type> …)."""
    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    try:
        db.executescript("""
            CREATE TABLE event (ocel_id TEXT PRIMARY KEY, ocel_type TEXT);
            CREATE TABLE object (ocel_id TEXT PRIMARY KEY, ocel_type TEXT);
            CREATE TABLE event_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
            CREATE TABLE object_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
            CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, ocel_qualifier TEXT);
            CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT, ocel_qualifier TEXT);
        """)
        event_tables: dict[str, str] = {}
        columns = ", ".join(f'"{name}" {"INTEGER" if kind == "boolean" else "TEXT"}' for name, kind in EVENT_ATTRIBUTES)
        count = 0
        batch: dict[str, list[tuple[Any, ...]]] = {}
        links: list[tuple[str, str, str]] = []
        heads: list[tuple[str, str]] = []

        def flush() -> None:
            db.executemany("INSERT INTO event VALUES (?, ?)", heads)
            db.executemany("INSERT INTO event_object VALUES (?, ?, ?)", links)
            for kind, rows in batch.items():
                db.executemany(f'INSERT INTO "event_{event_tables[kind]}" VALUES '
                               f'({", ".join(["?"] * (len(EVENT_ATTRIBUTES) + 2))})', rows)
            heads.clear()
            links.clear()
            batch.clear()

        for event in collector.events():
            if event.kind not in event_tables:
                table = _table_name(event.kind)
                while table in event_tables.values():
                    table += "X"
                event_tables[event.kind] = table
                db.execute(f'CREATE TABLE "event_{table}" (ocel_id TEXT PRIMARY KEY, ocel_time TIMESTAMP, {columns})')
                db.execute("INSERT INTO event_map_type VALUES (?, ?)", (event.kind, table))
            event_id = f"event:{event.seq}"
            heads.append((event_id, event.kind))
            attributes = _event_attributes(event)
            batch.setdefault(event.kind, []).append((event_id, _sql_time(event.at), *[
                (int(value) if isinstance(value, bool) else (value or None)) for value in attributes.values()]))
            links.extend((event_id, object_id, qualifier) for object_id, qualifier in collector.relationships(event))
            count += 1
            if count % 10000 == 0:
                flush()
                advance(10000)
        flush()
        object_rows: dict[str, list[tuple[Any, ...]]] = {}
        relations = []
        for record in collector.records:
            kind = collector.record_type[record.pk]
            values = _record_attributes(record)
            object_rows.setdefault(kind, []).append((record_object_id(record.pk), "1970-01-01 00:00:00.000000", None,
                                                     *values.values()))
            if record.account:
                relations.append((record_object_id(record.pk), account_object_id(record.account), "account"))
            if record.owner_id:
                relations.append((record_object_id(record.pk), user_object_id(record.owner_id), "owner"))
        object_rows["account"] = [(object_id, "1970-01-01 00:00:00.000000", None, name)
                                  for object_id, name in sorted(collector.accounts.items())]
        object_rows["user"] = [(user_object_id(user_id), "1970-01-01 00:00:00.000000", None, name)
                               for user_id, name in sorted(collector.users().items())]
        objects = 0
        for kind, rows in object_rows.items():
            table = _table_name(kind)
            names = [name for name, _ in RECORD_ATTRIBUTES] if kind not in ("account", "user") else ["name"]
            db.execute(f'CREATE TABLE "object_{table}" (ocel_id TEXT, ocel_time TIMESTAMP, ocel_changed_field TEXT, '
                       + ", ".join(f'"{name}"' for name in names) + ")")
            db.execute("INSERT INTO object_map_type VALUES (?, ?)", (kind, table))
            db.executemany(f'INSERT INTO "object_{table}" VALUES ({", ".join(["?"] * (len(names) + 3))})', rows)
            db.executemany("INSERT INTO object VALUES (?, ?)", [(row[0], kind) for row in rows])
            objects += len(rows)
        db.executemany("INSERT INTO object_object VALUES (?, ?, ?)", relations)
        db.commit()
    finally:
        db.close()
    return count, objects


def export_ocel(path: str | Path, *, user: Any | None = None, flt: Any | None = None,
                progress: Progress | None = None) -> tuple[int, int]:
    """Export to OCEL 2.0 (``.json`` or ``.sqlite``/``.db``); returns (events, objects). Logs ``security.export``."""
    from salesflow.interop.atomic import atomic_target
    from salesflow.people.security import log_security_event

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".json", ".sqlite", ".sqlite3", ".db"):
        raise ValueError(f"OCEL 2.0 is written as .json or .sqlite, not {suffix or 'no extension'}")
    collector = _Collector(select_records(user, flt), user)
    advance = (progress or silent)("writing OCEL", None)
    writer = write_ocel_json if suffix == ".json" else write_ocel_sqlite
    with atomic_target(target) as temporary:  # whole or not at all
        events, objects = writer(temporary, collector, advance)
    log_security_event("export", user, name="cli (admin context)", what="ocel", format=suffix.lstrip("."),
                       rows=events, objects=objects, file=target.name, filters=_filters(flt),
                       context="user" if user is not None else "unrestricted")
    return events, objects
