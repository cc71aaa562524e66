"""The append-only event log: one global SHA-256 hash chain over every event.

``hash = SHA-256(prev_hash + canonical JSON of every other field)``. `append` must run inside the
transaction that writes the change the events describe; it locks the chain head so the sequence
stays gapless and the chain unbroken under concurrent writers. `verify` recomputes the chain.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from salesflow.engine.state import EventDraft
from salesflow.records.models import ChainHead, Event

GENESIS = "0" * 64


def canonical_value(value: Any) -> Any:
    """JSON-ready data with no floats or Decimals (numbers that are not integers become text)."""
    if isinstance(value, dict):
        return {str(key): canonical_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical_value(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def canonical_json(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def timestamp_text(at: datetime.datetime) -> str:
    """UTC timestamp with microseconds, as hashed."""
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 of the previous hash followed by the canonical serialisation of the event's fields."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def hashed_fields(event: Event) -> dict[str, Any]:
    """Every field of an event except the hashes, as hashed."""
    return {
        "seq": event.seq,
        "record": event.record_id,
        "process": event.process,
        "process_version": event.process_version,
        "kind": event.kind,
        "from_stage": event.from_stage,
        "to_stage": event.to_stage,
        "activity": event.activity,
        "approval": event.approval,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "role": event.role,
        "at": timestamp_text(event.at),
        "payload": canonical_value(event.payload),
        "imported": bool(event.imported),
    }


@dataclass
class Actorship:
    """Who an event is attributed to."""

    user_id: int | None
    name: str


def append(
    drafts: Sequence[EventDraft],
    *,
    actor: Actorship,
    at: datetime.datetime,
    record_id: int | None = None,
    process: str = "",
    process_version: int | None = None,
    imported: bool = False,
) -> list[Event]:
    """Append events to the chain (inside the caller's transaction) and return them."""
    if not drafts:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("eventlog.append must run inside transaction.atomic()")
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
    seq, prev = head.seq, head.hash
    events = []
    for draft in drafts:
        seq += 1
        event = Event(
            seq=seq, record_id=record_id, process=process, process_version=process_version, kind=draft.kind,
            from_stage=draft.from_stage, to_stage=draft.to_stage, activity=draft.activity, approval=draft.approval,
            actor_id=actor.user_id, actor_name=actor.name[:150], role=draft.role, at=at,
            payload=canonical_value(draft.payload), imported=imported, prev_hash=prev,
        )
        event.hash = event_hash(prev, hashed_fields(event))
        prev = event.hash
        events.append(event)
    Event.objects.bulk_create(events)
    ChainHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    return events


@dataclass
class Verification:
    """The result of re-computing the chain."""

    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""

    def to_data(self) -> dict[str, Any]:
        """JSON-ready result."""
        return {"ok": self.ok, "checked": self.checked, "head_seq": self.head_seq, "head_hash": self.head_hash,
                "broken_seq": self.broken_seq, "problem": self.problem}


def _events_in_order(batch: int = 5000) -> Iterator[Event]:
    last = 0
    while True:
        chunk = list(Event.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def verify() -> Verification:
    """Re-compute every hash; name the first event whose content or link does not match."""
    prev = GENESIS
    expected_seq = 0
    checked = 0
    for event in _events_in_order():
        expected_seq += 1
        if event.seq != expected_seq:
            return Verification(False, checked, expected_seq - 1, prev, expected_seq,
                                f"event {expected_seq} is missing (next is {event.seq})")
        if event.prev_hash != prev:
            return Verification(False, checked, event.seq, prev, event.seq,
                                f"event {event.seq} does not link to event {event.seq - 1} (prev_hash differs)")
        computed = event_hash(prev, hashed_fields(event))
        if computed != event.hash:
            return Verification(False, checked, event.seq, prev, event.seq,
                                f"event {event.seq} ({event.kind}) was altered: its content does not match its hash")
        prev = event.hash
        checked += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq != expected_seq or head.hash != prev):
        return Verification(False, checked, expected_seq, prev, head.seq,
                            f"the chain head says event {head.seq}, the log ends at {expected_seq}: events were removed")
    return Verification(True, checked, expected_seq, prev)


# --- bulk appends (importers) ---------------------------------------------------------------------

@dataclass(slots=True)
class EventRow:
    """An event to append in bulk (`append_many`); attribute names as on `Event`, so `hashed_fields` reads it."""

    record_id: int | None
    kind: str
    at: datetime.datetime
    actor_id: int | None = None
    actor_name: str = "system"
    process: str = ""
    process_version: int | None = None
    from_stage: str = ""
    to_stage: str = ""
    activity: str = ""
    approval: str = ""
    role: str = ""
    payload: dict[str, Any] | None = None
    imported: bool = False
    seq: int = 0
    prev_hash: str = ""
    hash: str = ""


_PAYLOAD_MARK = "\x00payload\x00"
_PAYLOAD_MARK_JSON = canonical_json(_PAYLOAD_MARK)

#: Event columns in the order `append_many` inserts them.
_EVENT_COLUMNS = ("seq", "record_id", "process", "process_version", "kind", "from_stage", "to_stage", "activity",
                  "approval", "actor_id", "actor_name", "role", "at", "payload", "imported", "prev_hash", "hash")


def insert_rows(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT many rows into ``table`` (database column names) in the current transaction.

    PostgreSQL gets ``COPY … FROM STDIN`` (one stream instead of a round trip per row); other
    databases ``executemany``. Values must already be prepared for the database.
    """
    if not rows:
        return
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        raw = getattr(cursor, "cursor", cursor)
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            with raw.copy(f"COPY {quote(table)} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {quote(table)} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})"
        cursor.executemany(sql, rows)


def append_many(rows: Sequence[EventRow], batch_size: int = 5000, canonical: bool = False) -> list[EventRow]:
    """Append many events at once (importers): the chain head is locked once, rows go in with bulk INSERTs.

    Must run inside the caller's transaction. Each row gets its ``seq``, ``prev_hash`` and ``hash``
    (exactly as `append` would compute them); the rows are returned in chain order. ``canonical``:
    the caller guarantees the payloads hold only text, integers, booleans, None, lists and dicts
    with text keys (`canonical_value` would not change them), which saves converting them.
    """
    if not rows:
        return []
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("eventlog.append_many must run inside transaction.atomic()")
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
    seq, prev = head.seq, head.hash
    meta = Event._meta
    columns = [meta.get_field(name.removesuffix("_id")).column for name in _EVENT_COLUMNS]
    at_field = meta.get_field("at")
    stamps: dict[datetime.datetime, tuple[Any, str]] = {}
    params = []
    for row in rows:
        seq += 1
        row.seq = seq
        row.payload = (row.payload or {}) if canonical else canonical_value(row.payload or {})
        row.actor_name = row.actor_name[:150]
        row.prev_hash = prev
        stamp = stamps.get(row.at)
        if stamp is None:
            if len(stamps) > 10000:
                stamps.clear()
            stamp = stamps[row.at] = (at_field.get_db_prep_save(row.at, connection), timestamp_text(row.at))
        payload_json = canonical_json(row.payload)
        # The canonical JSON of every field, with the payload's canonical JSON spliced in (keys are
        # sorted, so this is exactly canonical_json(hashed_fields(row)) — `verify` recomputes it).
        fields = {"seq": seq, "record": row.record_id, "process": row.process,
                  "process_version": row.process_version, "kind": row.kind, "from_stage": row.from_stage,
                  "to_stage": row.to_stage, "activity": row.activity, "approval": row.approval,
                  "actor": row.actor_id, "actor_name": row.actor_name, "role": row.role, "at": stamp[1],
                  "payload": _PAYLOAD_MARK, "imported": bool(row.imported)}
        text = canonical_json(fields).replace(_PAYLOAD_MARK_JSON, payload_json, 1)
        row.hash = prev = hashlib.sha256((prev + text).encode("utf-8")).hexdigest()
        params.append((seq, row.record_id, row.process, row.process_version, row.kind, row.from_stage,
                       row.to_stage, row.activity, row.approval, row.actor_id, row.actor_name, row.role,
                       stamp[0], payload_json, bool(row.imported), row.prev_hash, row.hash))
        if len(params) >= batch_size:
            insert_rows(meta.db_table, columns, params)
            params = []
    insert_rows(meta.db_table, columns, params)
    ChainHead.objects.filter(pk=1).update(seq=seq, hash=prev)
    return list(rows)
