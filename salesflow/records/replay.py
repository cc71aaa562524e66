"""Records and documents checked against the event log (``audit verify``).

`check_records` replays every record's events (`salesflow.engine.replay`) and compares the result
with the stored record: stage, outcome, owner, title, amount, currency, close date,
classification, probability override, field values, done activities, decisions, approvals,
delegations and named members. `check_documents` compares every stored document's bytes with
the SHA-256 its ``document_added`` event recorded.

Both read in bounded slices: records by id range with their events through the (record, seq)
index, documents one slice of ids at a time, so memory stays flat for imports of millions of events.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max, Min

from salesflow.engine.replay import (
    Difference,
    EventFacts,
    ReplayedRecord,
    StageFacts,
    StoredRecord,
    apply,
    differences,
)
from salesflow.records.models import Document, Event, ProcessVersion, Record

#: Records replayed per slice (their events are read with one query).
SLICE = 2000
#: Problems listed at most (the count goes on).
MAX_LISTED = 100

_EVENT_COLUMNS = ("seq", "record_id", "kind", "from_stage", "to_stage", "activity", "approval", "actor_id",
                  "actor_name", "role", "payload", "process_version")
_RECORD_COLUMNS = ("id", "stage", "outcome", "owner_id", "title", "amount", "currency", "close_date",
                   "classification", "probability_override", "values", "progress", "process_version_id")


@dataclass
class IntegrityReport:
    """What `check_records` / `check_documents` found."""

    checked: int = 0
    problems: list[str] = field(default_factory=list)
    details: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing disagrees."""
        return self.count == 0

    def add(self, message: str, detail: dict[str, Any]) -> None:
        """Count a problem (listing the first `MAX_LISTED`)."""
        self.count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(message)
            self.details.append(detail)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready result."""
        return {"ok": self.ok, "checked": self.checked, "problems": self.count, "listed": self.details}


class _Versions:
    """Per process version (cached): `StageFacts` per stage and the default classification."""

    def __init__(self) -> None:
        self._facts: dict[int, tuple[dict[str, StageFacts], str]] = {}
        rows = ProcessVersion.objects.values_list("id", "process_id", "version")
        self._numbers = {pk: number for pk, _process, number in rows}
        self._ids = {(process, number): pk for pk, process, number in rows}

    def number(self, version_id: int) -> int | None:
        """The version number of a version id."""
        return self._numbers.get(version_id)

    def id_of(self, process_id: int, number: int | None, default: int) -> int:
        """The id of a process's version by number (``default`` when unknown): a migrated record was
        created under an earlier version than the one it runs under now."""
        return self._ids.get((process_id, number), default) if number is not None else default

    def facts(self, version_id: int) -> tuple[dict[str, StageFacts], str]:
        found = self._facts.get(version_id)
        if found is None:
            from salesflow.records.services import definition_of

            definition = definition_of(ProcessVersion.objects.get(pk=version_id))
            stages = {stage.id: StageFacts(stage.outcome.value if stage.outcome else "", stage.probability)
                      for stage in definition.stages}
            found = self._facts[version_id] = (stages, definition.guideline.classification.value)
        return found


def _id_slices(model: Any, size: int) -> Iterator[tuple[int, int]]:
    bounds = model.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return
    start = bounds["low"]
    while start <= bounds["high"]:
        yield start, start + size
        start += size


def _events_of(low: int, high: int) -> Iterator[EventFacts]:
    rows = (Event.objects.filter(record_id__gte=low, record_id__lt=high).order_by("record_id", "seq")
            .values_list(*_EVENT_COLUMNS))
    for row in rows.iterator(chunk_size=5000):
        yield EventFacts(*row)


def replay_slice(low: int, high: int, versions: _Versions | None = None) -> dict[int, ReplayedRecord]:
    """The replayed state of every record with an id in [low, high) that has events."""
    versions = versions or _Versions()
    version_of = {pk: (process_id, version_id) for pk, process_id, version_id in
                  Record.objects.filter(id__gte=low, id__lt=high).values_list("id", "process_id", "process_version_id")}
    states: dict[int, ReplayedRecord] = {}
    for event in _events_of(low, high):
        state = states.get(event.record_id)
        if state is None:
            state = states[event.record_id] = ReplayedRecord(event.record_id)
        found = version_of.get(event.record_id)
        finder = None
        if found is not None and event.kind == "record_created":
            finder = versions.facts(versions.id_of(found[0], event.process_version, found[1]))[0].get
        apply(state, event, finder)
    return states


def replay_record(record_id: int) -> ReplayedRecord:
    """One record's state from its events."""
    return replay_slice(record_id, record_id + 1).get(record_id) or ReplayedRecord(record_id)


def _stored(row: tuple[Any, ...], members: frozenset[str], version_number: int | None = None) -> StoredRecord:
    (pk, stage, outcome, owner_id, title, amount, currency, close_date, classification, override, values,
     progress, _version) = row
    if isinstance(close_date, datetime.date):
        close_date = close_date.isoformat()
    if amount is not None and not isinstance(amount, Decimal):
        amount = Decimal(str(amount))
    return StoredRecord(pk, stage, outcome or "", owner_id, title or "", amount, currency or "",
                        close_date or None, classification, override, values or {}, progress or {}, members,
                        version_number)


def _members(low: int, high: int) -> dict[int, set[str]]:
    through = Record.members.through
    found: dict[int, set[str]] = {}
    for record_id, username in through.objects.filter(record_id__gte=low, record_id__lt=high).values_list(
            "record_id", "user__username"):
        found.setdefault(record_id, set()).add(username)
    return found


def _compare(row: tuple[Any, ...], members: frozenset[str], state: ReplayedRecord, versions: _Versions,
             users: set[int], usernames: set[str]) -> list[Difference]:
    state.members &= usernames  # a deleted user leaves the record's members with the user
    return differences(_stored(row, members, versions.number(row[-1])), state, default_classification=versions.facts(row[-1])[1],
                       known_users=users)


def _recheck(record_id: int, versions: _Versions, users: set[int], usernames: set[str],
             attempts: int = 3) -> list[Difference]:
    """Compare one record again, its row read before and after its events: the application may have
    written it between the slice's reads (a write changes row and events in one transaction and raises
    the version), so a difference counts only when the version held still while the events were read."""
    found: list[Difference] = []
    for _attempt in range(attempts):
        before = Record.objects.filter(pk=record_id).values_list("version", flat=True).first()
        state = replay_record(record_id)
        row = Record.objects.filter(pk=record_id).values_list(*_RECORD_COLUMNS, "version").first()
        if row is None:
            return [] if before is None and not state.created else [
                Difference(record_id, "record", "missing", state.stage or "a record")]
        found = _compare(row[:-1], frozenset(_members(record_id, record_id + 1).get(record_id, ())), state,
                         versions, users, usernames)
        if row[-1] == before:
            return found
    return found


def check_records(progress: Callable[[int], None] | None = None) -> IntegrityReport:
    """Replay every record's events and compare with the stored record; one problem per differing field.

    Safe while the application writes: a record that differs is compared again on its own (`_recheck`)
    before it is reported, so a write landing between two reads is not taken for tampering.
    """
    report = IntegrityReport()
    versions = _Versions()
    users = set(get_user_model().objects.values_list("id", flat=True))
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    for low, high in _id_slices(Record, SLICE):
        states = replay_slice(low, high, versions)
        members = _members(low, high)
        rows = Record.objects.filter(id__gte=low, id__lt=high).order_by("id").values_list(*_RECORD_COLUMNS)
        suspects: list[int] = []
        for row in rows.iterator(chunk_size=SLICE):
            record_id = row[0]
            state = states.pop(record_id, None) or ReplayedRecord(record_id)
            if _compare(row, frozenset(members.get(record_id, ())), state, versions, users, usernames):
                suspects.append(record_id)
            report.checked += 1
        suspects.extend(states)  # events of a record not read (gone, or created since the rows were read)
        for record_id in sorted(suspects):
            for difference in _recheck(record_id, versions, users, usernames):
                message = (f"record {record_id}: its events describe a record that is not in the database"
                           if difference.field == "record" else difference.message())
                report.add(message, difference.to_data())
        if progress:
            progress(report.checked)
    return report


def check_documents() -> IntegrityReport:
    """Compare every document's bytes (and its stored SHA-256) with the SHA-256 its event recorded."""
    report = IntegrityReport()
    # The documents first, then the events: a document and its event are written in one transaction, so
    # every document listed has its event among those read after (safe while the application writes).
    documents = list(Document.objects.order_by("id").values_list("id", "record_id", "name", "version", "sha256"))
    recorded: dict[int, tuple[int, str]] = {}
    rows = Event.objects.filter(kind="document_added").order_by("seq").values_list("seq", "payload")
    for seq, payload in rows.iterator(chunk_size=5000):
        if isinstance(payload, dict) and payload.get("document") is not None:
            recorded[int(payload["document"])] = (seq, str(payload.get("sha256", "")))
    listed = {row[0] for row in documents}
    for pk, record_id, name, version, sha256 in documents:
        report.checked += 1
        label = f"document {name} v{version} (id {pk}) of record {record_id}"
        event = recorded.pop(pk, None)
        if event is None:
            report.add(f"{label}: no document_added event records it",
                       {"document": pk, "record": record_id, "name": name, "problem": "no event"})
            continue
        content = Document.objects.filter(pk=pk).values_list("content", flat=True).first()
        digest = hashlib.sha256(bytes(content or b"")).hexdigest()
        if digest != event[1]:
            report.add(f"{label}: its bytes do not match the SHA-256 event {event[0]} recorded "
                       f"({digest[:12]}… instead of {event[1][:12]}…)",
                       {"document": pk, "record": record_id, "name": name, "problem": "content",
                        "seq": event[0], "recorded": event[1], "actual": digest})
        elif sha256 != event[1]:
            report.add(f"{label}: its stored SHA-256 differs from the one event {event[0]} recorded",
                       {"document": pk, "record": record_id, "name": name, "problem": "sha256 column",
                        "seq": event[0]})
    added_since = set(Document.objects.filter(pk__in=list(recorded)).values_list("pk", flat=True)) - listed
    for pk, (seq, _digest) in sorted(recorded.items()):
        if pk in added_since:
            continue
        report.add(f"document id {pk}: event {seq} records it, but it is not in the database",
                   {"document": pk, "problem": "missing", "seq": seq})
    return report
