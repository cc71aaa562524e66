"""The append-only event log: one global SHA-256 hash chain over every event.

``hash = SHA-256(prev_hash + canonical JSON of every other field)``. `append` must run inside the
transaction that writes the change the events describe; it locks the chain head so the sequence
stays gapless and the chain unbroken under concurrent writers. `verify` recomputes the chain.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from salesflow.engine.state import EventDraft
from salesflow.records import writing
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
    connection = transaction.get_connection()
    head = getattr(connection, _HEAD_HINT, None)
    if head is not None:
        # Optimistic: hash onto the head this connection last wrote, then move the head only if it is
        # still exactly that (seq and hash) — one statement instead of lock + update. The hint is never
        # trusted: any other writer, a rollback or an edit of the head makes the update miss.
        events, new_head = _chain(drafts, head, actor, at, record_id, process, process_version, imported)
        with connection.cursor() as cursor:
            cursor.execute(_head_sql(connection, "advance"), [*new_head, *head])
            advanced = cursor.rowcount == 1
        if advanced:
            writing.insert(events)
            setattr(connection, _HEAD_HINT, new_head)
            return events
    head = lock_head(connection)
    events, new_head = _chain(drafts, head, actor, at, record_id, process, process_version, imported)
    writing.insert(events)
    with connection.cursor() as cursor:
        cursor.execute(_head_sql(connection, "update"), list(new_head))
    setattr(connection, _HEAD_HINT, new_head)
    return events


#: The attribute of a database connection that holds the chain head (seq, hash) it last wrote: a hint.
_HEAD_HINT = "_salesflow_chain_head"


def _chain(drafts: Sequence[EventDraft], head: tuple[int, str], actor: Actorship, at: datetime.datetime,
           record_id: int | None, process: str, process_version: int | None,
           imported: bool) -> tuple[list[Event], tuple[int, str]]:
    """The events of ``drafts`` hashed onto ``head``, and the head after them."""
    seq, prev = head
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
    return events, (seq, prev)


def _head_sql(connection: Any, which: str) -> str:
    """The statements on the chain head, as plain SQL (they run on every append: no ORM compiling).

    ``lock``: read the head, locked until the transaction ends (``FOR UPDATE`` where the database
    has row locks, as ``select_for_update`` does; SQLite's write transaction is the lock there).
    ``update``: store the new head. ``advance``: store the new head only if the head is still the given
    (seq, hash) — the row is locked by the update itself, and a changed head updates nothing.
    """
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    if which == "lock":
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        return f"SELECT seq, hash FROM {table} WHERE id = 1{lock}"
    if which == "advance":
        return f"UPDATE {table} SET seq = %s, hash = %s WHERE id = 1 AND seq = %s AND hash = %s"
    return f"UPDATE {table} SET seq = %s, hash = %s WHERE id = 1"


def lock_head(connection: Any) -> tuple[int, str]:
    """Lock the chain head and return its (seq, hash); creates the head row on first use."""
    with connection.cursor() as cursor:
        cursor.execute(_head_sql(connection, "lock"))
        row = cursor.fetchone()
        if row is None:
            ChainHead.objects.get_or_create(pk=1)
            cursor.execute(_head_sql(connection, "lock"))
            row = cursor.fetchone()
    return int(row[0]), str(row[1])


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


#: The columns `verify` reads, in the order it unpacks them.
_VERIFY_COLUMNS = ("seq", "record_id", "process", "process_version", "kind", "from_stage", "to_stage", "activity",
                   "approval", "actor_id", "actor_name", "role", "at", "payload", "imported", "prev_hash", "hash")


def _rows_in_order(batch: int = 5000, until: int | None = None) -> Iterator[tuple[Any, ...]]:
    """Every event (up to seq ``until``) as a tuple of `_VERIFY_COLUMNS`, in chain order (keyset pages)."""
    last = 0
    query = Event.objects.all() if until is None else Event.objects.filter(seq__lte=until)
    while True:
        chunk = list(query.filter(seq__gt=last).order_by("seq").values_list(*_VERIFY_COLUMNS)[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1][0]


def verify() -> Verification:
    """Re-compute every hash; name the first event whose content or link does not match."""
    # The head first: events appended while verifying (the application keeps running) lie after it.
    head = ChainHead.objects.filter(pk=1).first()
    prev = GENESIS
    expected_seq = 0
    checked = 0
    for (seq, record, process, process_version, kind, from_stage, to_stage, activity, approval, actor, actor_name,
         role, at, payload, imported, prev_hash, digest) in _rows_in_order(until=head.seq if head is not None else None):
        expected_seq += 1
        if seq != expected_seq:
            return Verification(False, checked, expected_seq - 1, prev, expected_seq,
                                f"event {expected_seq} is missing (next is {seq})")
        if prev_hash != prev:
            return Verification(False, checked, seq, prev, seq,
                                f"event {seq} does not link to event {seq - 1} (prev_hash differs)")
        # exactly `hashed_fields(event)`, built from the row's values
        fields = {"seq": seq, "record": record, "process": process, "process_version": process_version,
                  "kind": kind, "from_stage": from_stage, "to_stage": to_stage, "activity": activity,
                  "approval": approval, "actor": actor, "actor_name": actor_name, "role": role,
                  "at": timestamp_text(at), "payload": canonical_value(payload), "imported": bool(imported)}
        if event_hash(prev, fields) != digest:
            return Verification(False, checked, seq, prev, seq,
                                f"event {seq} ({kind}) was altered: its content does not match its hash")
        prev = digest
        checked += 1
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
    seq, prev = lock_head(connection)
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
    setattr(connection, _HEAD_HINT, (seq, prev))
    return list(rows)


# --- the fast bulk path (large imports) -----------------------------------------------------------

_encode_text = json.encoder.encode_basestring  # what canonical_json uses for text (ensure_ascii=False)

#: `canonical_json(hashed_fields(event))` as a template (keys in sorted order); see `BulkChain.add`.
_HASHED_TEMPLATE = ('{"activity":%s,"actor":%s,"actor_name":%s,"approval":%s,"at":"%sZ","from_stage":%s,'
                    '"imported":%s,"kind":%s,"payload":%s,"process":%s,"process_version":%s,"record":%s,"role":%s,'
                    '"seq":%d,"to_stage":%s}')


def instant_db_value(connection: Any) -> Any:
    """A function turning an instant text (`salesflow.interop.parsing.instant_text`) into what Django
    would store for a DateTimeField on ``connection``."""
    from django.db.models import DateTimeField

    vendor = connection.vendor
    zone = getattr(connection, "timezone", datetime.UTC)
    if vendor == "sqlite" and zone.utcoffset(None) in (None, datetime.timedelta(0)):
        def sqlite(text: str) -> str:  # str() of the naive UTC datetime, as Django's SQLite backend stores it
            return f"{text[:10]} {text[11:19]}" if text.endswith(".000000") else f"{text[:10]} {text[11:]}"
        return sqlite
    if vendor == "postgresql":
        return lambda text: f"{text[:10]} {text[11:]}+00:00"
    field = DateTimeField()

    def generic(text: str) -> Any:
        return field.get_db_prep_save(datetime.datetime.fromisoformat(text + "+00:00"), connection)
    return generic


class BulkChain:
    """Appends very many events to the chain (importers): the fast path of `append_many`.

    Inside the caller's transaction: locks the chain head once, takes events as plain values (the
    payload already as its canonical JSON, times as `parsing.instant_text`), hashes them exactly as
    `append` does (``verify`` recomputes the same hashes) and inserts them in batches; `close`
    moves the chain head. The hashed text is built from a template instead of a dict per event.
    """

    def __init__(self, batch_size: int = 5000,
                 insert: Callable[[str, Sequence[str], list[tuple[Any, ...]]], None] | None = None) -> None:
        """``insert(table, columns, rows)`` writes a batch (default `insert_rows`; importers may pass one that
        writes in a background thread)."""
        connection = transaction.get_connection()
        if not connection.in_atomic_block:
            raise RuntimeError("eventlog.BulkChain must run inside transaction.atomic()")
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            ChainHead.objects.get_or_create(pk=1)
            head = ChainHead.objects.select_for_update().get(pk=1)
        self.seq: int = head.seq
        self.prev: str = head.hash
        self.start_seq = self.head_seq = head.seq
        self.batch_size = batch_size
        meta = Event._meta
        self.table = meta.db_table
        self.columns = [meta.get_field(name.removesuffix("_id")).column for name in _EVENT_COLUMNS]
        self.db_instant = instant_db_value(connection)
        self.rows: list[tuple[Any, ...]] = []
        self.insert = insert or insert_rows
        self._texts: dict[str, str] = {"": '""'}

    @property
    def count(self) -> int:
        """Events added so far."""
        return self.seq - self.start_seq

    def text(self, value: str) -> str:
        """The JSON of a text (cached: stage names, kinds, actor names repeat)."""
        encoded = self._texts.get(value)
        if encoded is None:
            if len(self._texts) > 100000:
                self._texts = {"": '""'}
            encoded = self._texts[value] = _encode_text(value)
        return encoded

    def add(self, record_id: int | None, kind: str, at: str, actor_id: int | None, actor_name: str, process: str,
            process_version: int | None, payload_json: str, *, from_stage: str = "", to_stage: str = "",
            activity: str = "", approval: str = "", role: str = "", imported: bool = False) -> None:
        """Append one event. ``at``: a `parsing.instant_text`; ``payload_json``: the payload's `canonical_json`
        (of a payload `canonical_value` leaves unchanged)."""
        self.seq += 1
        actor_name = actor_name[:150]
        known, text = self._texts.get, self.text
        hashed = _HASHED_TEMPLATE % (
            known(activity) or text(activity), "null" if actor_id is None else int(actor_id),
            known(actor_name) or text(actor_name), known(approval) or text(approval), at,
            known(from_stage) or text(from_stage), "true" if imported else "false", known(kind) or text(kind),
            payload_json, known(process) or text(process), "null" if process_version is None else int(process_version),
            "null" if record_id is None else int(record_id), known(role) or text(role), self.seq,
            known(to_stage) or text(to_stage))
        prev = self.prev
        self.prev = digest = hashlib.sha256((prev + hashed).encode("utf-8")).hexdigest()
        self.rows.append((self.seq, record_id, process, process_version, kind, from_stage, to_stage, activity,
                          approval, actor_id, actor_name, role, self.db_instant(at), payload_json, imported, prev,
                          digest))
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Insert the events added so far."""
        if self.rows:
            self.insert(self.table, self.columns, self.rows)
            self.rows = []

    def close(self) -> None:
        """Insert what is left and move the chain head."""
        self.flush()
        if self.seq != self.head_seq:
            ChainHead.objects.filter(pk=1).update(seq=self.seq, hash=self.prev)
            self.head_seq = self.seq
