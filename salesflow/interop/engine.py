"""The import engine every importer shares: users, accounts, records and events in bulk, idempotently.

Importers parse and validate their files first (collecting every problem), then call this
module inside one transaction. Every object of the source system is linked to ours through an
`ExternalRef` (system, kind, external id): a second import of the same data finds the links and
changes nothing; a newer export adds only what is new. Imported events are marked ``imported``
(they did not pass our gates) and carry the source's ids in their payload.
"""

from __future__ import annotations

import datetime
import json
import queue
import sqlite3
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from salesflow.accounts.models import Account, normalise_name
from salesflow.engine.errors import BadInput
from salesflow.interop.models import ExternalRef
from salesflow.interop.problems import Problem
from salesflow.process.graph import move_kind
from salesflow.process.model import Outcome, ProcessDefinition
from salesflow.records import eventlog
from salesflow.records.eventlog import EventRow
from salesflow.records.models import Process, ProcessVersion, Record
from salesflow.records.services import definition_of, get_process

User = get_user_model()

#: Rows per database round trip.
BATCH = 2000
#: Rows per multi-row INSERT statement on SQLite (`BackgroundInserts`).
MULTI_ROW = 1000
#: The interpreter's switch interval (seconds) while `BackgroundInserts` COPYs (PostgreSQL); Python's default: 0.005.
COPY_SWITCH_INTERVAL = 0.0005


class DryRunRollback(Exception):
    """Raised at the end of a dry run to roll the transaction back."""


# --- summary --------------------------------------------------------------------------------------

@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    system: str
    process: str
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)
    skipped: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, key: str, amount: int = 1) -> None:
        """Add to a counter (records_created, events, users_unchanged …)."""
        self.counts[key] += amount

    def to_data(self) -> dict[str, Any]:
        """JSON-ready summary."""
        data: dict[str, Any] = {"system": self.system, "process": self.process, "dry_run": self.dry_run}
        for kind in ("records", "accounts", "users"):
            data[kind] = {state: self.counts[f"{kind}_{state}"] for state in ("created", "updated", "unchanged")}
        data["events"] = self.counts["events"]
        data["rows_skipped"] = len({(item.file, item.row) for item in self.skipped})
        data["skipped"] = [item.to_data() for item in self.skipped]
        data["notes"] = list(self.notes)
        return data

    def lines(self, limit: int = 100) -> list[str]:
        """The summary as text lines."""
        head = f"{self.system} import into {self.process}" + (" (dry run: nothing written)" if self.dry_run else "")
        lines = [head]
        for kind in ("records", "accounts", "users"):
            created, updated, unchanged = (self.counts[f"{kind}_{state}"] for state in ("created", "updated",
                                                                                        "unchanged"))
            lines.append(f"  {kind + ':':<9} {created} created, {updated} updated, {unchanged} unchanged")
        lines.append(f"  events:   {self.counts['events']} added")
        if self.skipped:
            rows = len({(item.file, item.row) for item in self.skipped})
            lines.append(f"  skipped:  {rows} invalid row(s):")
            lines.extend(f"    {item}" for item in self.skipped[:limit])
            if len(self.skipped) > limit:
                lines.append(f"    … and {len(self.skipped) - limit} more")
        lines.extend(f"  note: {note}" for note in self.notes)
        return lines


# --- record states and the events between them ----------------------------------------------------

@dataclass(slots=True)
class Snapshot:
    """What an imported record looks like at one moment (stage, amount, close date, probability)."""

    stage: str
    amount: str | None = None
    close_date: str | None = None
    probability_override: int | None = None


def override_for(definition: ProcessDefinition, stage: str, probability: int | None) -> int | None:
    """An explicit probability becomes an override only where it differs from the stage's default."""
    if probability is None:
        return None
    return None if probability == definition.stage(stage).probability else probability


@dataclass
class EventContext:
    """Everything an imported event needs besides its content."""

    record_id: int
    at: datetime.datetime
    actor_id: int | None
    actor_name: str
    source: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StageFacts:
    """What events need to know of a stage (looked up once per stage, not per event)."""

    probability: int
    forecast_category: str
    outcome: str  # "" while open


class StageTable:
    """`StageFacts` per stage id and move directions per stage pair, cached for one definition."""

    def __init__(self, definition: ProcessDefinition) -> None:
        self.definition = definition
        self._facts: dict[str, StageFacts] = {}
        self._moves: dict[tuple[str, str], str] = {}

    def __getitem__(self, stage_id: str) -> StageFacts:
        facts = self._facts.get(stage_id)
        if facts is None:
            stage = self.definition.stage(stage_id)
            facts = self._facts[stage_id] = StageFacts(stage.probability,
                                                        stage.effective_forecast_category().value,
                                                        stage.outcome.value if stage.outcome else "")
        return facts

    def direction(self, old: str, new: str) -> str:
        """`move_kind` of a move, as text."""
        key = (old, new)
        kind = self._moves.get(key)
        if kind is None:
            kind = self._moves[key] = move_kind(self.definition, old, new).value
        return kind


#: One event of a transition: (kind, from_stage, to_stage, payload without "source").
Change = tuple[str, str, str, dict[str, Any]]


def transition_changes(stages: StageTable, old: Snapshot, new: Snapshot) -> list[Change]:
    """The events (without context) that take a record from ``old`` to ``new`` (empty when nothing changed)."""
    changes: list[Change] = []
    stage_changed = new.stage != old.stage
    if stage_changed:
        destination = stages[new.stage]
        old_probability = old.probability_override if old.probability_override is not None else \
            stages[old.stage].probability
        changes.append(("stage_changed", old.stage, new.stage, {
            "direction": stages.direction(old.stage, new.stage),
            "probability": destination.probability,
            "old_probability": old_probability,
            "forecast_category": destination.forecast_category,
        }))
        if destination.outcome:
            changes.append(("record_closed", old.stage, new.stage, {
                "outcome": destination.outcome, "amount": new.amount, "won": destination.outcome == Outcome.won.value}))
    if new.amount != old.amount:
        changes.append(("field_changed", new.stage, "", {"field": "amount", "old": old.amount, "new": new.amount}))
    if new.close_date != old.close_date:
        changes.append(("field_changed", new.stage, "", {"field": "close_date", "old": old.close_date,
                                                         "new": new.close_date}))
    previous_override = None if stage_changed else old.probability_override
    if new.probability_override != previous_override:
        stage = stages[new.stage]
        current = previous_override if previous_override is not None else stage.probability
        changes.append(("probability_overridden", new.stage, "", {
            "old": current,
            "new": new.probability_override if new.probability_override is not None else stage.probability,
            "stage_default": stage.probability, "override": new.probability_override,
            "reason": "imported",
        }))
    return changes


_stage_tables: dict[int, StageTable] = {}


def transition_events(definition: ProcessDefinition, process: str, version: int, old: Snapshot, new: Snapshot,
                      context: EventContext) -> list[EventRow]:
    """The imported events that take a record from ``old`` to ``new`` (empty when nothing changed)."""
    stages = _stage_tables.get(id(definition))
    if stages is None or stages.definition is not definition:
        _stage_tables.clear()
        stages = _stage_tables[id(definition)] = StageTable(definition)
    return [EventRow(record_id=context.record_id, kind=kind, at=context.at, actor_id=context.actor_id,
                     actor_name=context.actor_name, process=process, process_version=version,
                     payload={**payload, "source": context.source}, imported=True, from_stage=from_stage,
                     to_stage=to_stage)
            for kind, from_stage, to_stage, payload in transition_changes(stages, old, new)]


def created_event(process: str, version: int, state: Snapshot, values: dict[str, Any], owner_id: int | None,
                  probability: int, context: EventContext) -> EventRow:
    """The imported ``record_created`` event of a new record."""
    return EventRow(record_id=context.record_id, kind="record_created", at=context.at, actor_id=context.actor_id,
                    actor_name=context.actor_name, process=process, process_version=version, to_stage=state.stage,
                    payload={"values": values, "owner_id": owner_id, "probability": probability,
                             "source": context.source}, imported=True)


# --- the writer -----------------------------------------------------------------------------------

@dataclass
class UserSpec:
    """A user of the source system."""

    external_id: str
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""


@dataclass
class AccountSpec:
    """An account (company) of the source system."""

    external_id: str
    name: str
    domain: str = ""


@dataclass(slots=True)
class Actor:
    """A local user as events name them."""

    id: int | None
    name: str


SYSTEM_ACTOR = Actor(None, "import")


def reserve_ids(model: Any, count: int) -> list[int]:
    """``count`` new primary keys for ``model``, taken from its sequence (PostgreSQL) or after the
    highest id (SQLite, whose write lock the running transaction holds)."""
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, pk, count])
            return [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(pk)}), 0) FROM {quote(table)}")
        start = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(start, row[0] if row else 0)
        return list(range(start + 1, start + 1 + count))


def chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    """``items`` in slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


class ImportWriter:
    """Writes one import inside the caller's transaction: refs, users, accounts, records, events."""

    def __init__(self, system: str, process_key: str, summary: ImportSummary) -> None:
        self.system = system
        self.summary = summary
        self.process: Process = get_process(process_key)
        version = self.process.current_version()
        if version is None:
            raise BadInput(f"process {process_key} has no approved version: approve one before importing")
        self.version: ProcessVersion = version
        self.definition: ProcessDefinition = definition_of(version)
        self.now = timezone.now()
        self.stages = StageTable(self.definition)
        self._ref_time: Any = None
        #: How rows are INSERTed (`eventlog.insert_rows`, or a `BackgroundInserts`' ``insert``).
        self.insert = eventlog.insert_rows
        self._next_record_id: int | None = None
        self.pending_events: list[EventRow] = []

    # refs -----------------------------------------------------------------------------------------

    def existing_refs(self, kind: str, external_ids: Iterable[str]) -> dict[str, ExternalRef]:
        """The links already stored for these external ids."""
        found: dict[str, ExternalRef] = {}
        size = 5000 if connection.vendor == "postgresql" else 900
        for part in chunks(list(dict.fromkeys(external_ids)), size):
            for ref in ExternalRef.objects.filter(system=self.system, kind=kind, external_id__in=part).only(
                    "id", "external_id", "local_id", "fingerprint", "data"):
                found[ref.external_id] = ref
        return found

    def has_refs(self, kind: str) -> bool:
        """Whether any object of this kind was linked from this system (a first import links none: its
        parts need not look their ids up)."""
        return ExternalRef.objects.filter(system=self.system, kind=kind).exists()

    def known_external_ids(self, kind: str, external_ids: Iterable[str]) -> set[str]:
        """Which of these external ids are linked already (no model instances: for many ids)."""
        found: set[str] = set()
        size = 5000 if connection.vendor == "postgresql" else 900
        for part in chunks(list(dict.fromkeys(external_ids)), size):
            found.update(ExternalRef.objects.filter(system=self.system, kind=kind, external_id__in=part)
                         .values_list("external_id", flat=True))
        return found

    def insert_refs(self, kind: str, rows: list[tuple[str, int, str, dict[str, Any]]]) -> None:
        """Store new links ``(external id, local id, fingerprint, data)`` with bulk INSERTs."""
        if not rows:
            return
        at = self.ref_time
        self.insert_ref_rows([(self.system, kind, external_id[:255], local_id, fingerprint,
                               json_text(data) if data else "{}", at)
                              for external_id, local_id, fingerprint, data in rows])

    @property
    def ref_time(self) -> Any:
        """``imported_at`` of the refs of this import, ready for the database."""
        if self._ref_time is None:
            self._ref_time = ExternalRef._meta.get_field("imported_at").get_db_prep_save(self.now, connection)
        return self._ref_time

    def insert_ref_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """INSERT ready ref rows ``(system, kind, external id ≤ 255, local id, fingerprint, data JSON, ref_time)``."""
        meta = ExternalRef._meta
        names = ("system", "kind", "external_id", "local_id", "fingerprint", "data", "imported_at")
        columns = [meta.get_field(name).column for name in names]
        for part in chunks(rows, 10000):
            self.insert(meta.db_table, columns, part)

    # users ----------------------------------------------------------------------------------------

    def resolve_users(self, specs: list[UserSpec]) -> dict[str, Actor]:
        """Local users for source users: linked, created (inactive, no roles) or updated."""
        result: dict[str, Actor] = {}
        refs = self.existing_refs("user", [spec.external_id for spec in specs])
        local = {user.pk: user for user in User.objects.filter(pk__in=[ref.local_id for ref in refs.values()])}
        new_refs: list[tuple[str, int, str, dict[str, Any]]] = []
        for spec in specs:
            ref = refs.get(spec.external_id)
            user = local.get(ref.local_id) if ref else None
            if user is None:
                user = User.objects.filter(username=spec.username[:150]).first()
                if user is None:
                    user = User(username=spec.username[:150], first_name=spec.first_name[:150],
                                last_name=spec.last_name[:150], email=spec.email[:254], is_active=False)
                    user.set_unusable_password()
                    user.save()
                    self.summary.count("users_created")
                else:
                    self.summary.count("users_unchanged")  # an existing user of that name: linked
                if ref is None:
                    new_refs.append((spec.external_id, user.pk, "", {"username": spec.username}))
                else:
                    ref.local_id = user.pk
                    ref.save(update_fields=["local_id"])
            else:
                changed = False
                for name in ("first_name", "last_name", "email"):
                    value = getattr(spec, name)
                    if value and getattr(user, name) != value:
                        setattr(user, name, value)
                        changed = True
                if changed:
                    user.save(update_fields=["first_name", "last_name", "email"])
                    self.summary.count("users_updated")
                else:
                    self.summary.count("users_unchanged")
            result[spec.external_id] = Actor(user.pk, user.get_full_name() or user.username)
        self.insert_refs("user", new_refs)
        return result

    # accounts -------------------------------------------------------------------------------------

    def resolve_accounts(self, specs: list[AccountSpec]) -> dict[str, Account]:
        """Local accounts for source accounts: linked by ref, matched by normalised name, or created (in bulk)."""
        result: dict[str, Account] = {}
        refs = self.existing_refs("account", [spec.external_id for spec in specs])
        linked = {account.pk: account for part in chunks([ref.local_id for ref in refs.values()], 900)
                  for account in Account.objects.filter(pk__in=part)}
        changed: list[Account] = []
        unlinked: list[AccountSpec] = []
        for spec in specs:
            ref = refs.get(spec.external_id)
            account = linked.get(ref.local_id) if ref else None
            if account is None:
                unlinked.append(spec)
                continue
            if (spec.name and account.name != spec.name[:300]) or (spec.domain and account.domain != spec.domain[:253]):
                account.name = spec.name[:300] or account.name
                account.normalised_name = normalise_name(account.name)
                account.domain = spec.domain[:253] or account.domain
                changed.append(account)
                self.summary.count("accounts_updated")
            else:
                self.summary.count("accounts_unchanged")
            result[spec.external_id] = account
        if changed:
            Account.objects.bulk_update(changed, ["name", "normalised_name", "domain"], batch_size=500)
        keys = {spec.external_id: normalise_name(spec.name) for spec in unlinked}
        by_name: dict[str, Account] = {}
        for part in chunks(sorted({key for key in keys.values() if key}), 900):
            for account in Account.objects.filter(normalised_name__in=part).order_by("-id"):
                by_name[account.normalised_name] = account  # the oldest wins (ordered newest first)
        new_accounts: list[Account] = []
        for spec in unlinked:
            key = keys[spec.external_id]
            account = by_name.get(key) if key else None
            if account is None:
                account = Account(name=spec.name[:300], normalised_name=key, domain=spec.domain[:253],
                                  created_at=self.now)
                new_accounts.append(account)
                if key:
                    by_name[key] = account
                self.summary.count("accounts_created")
            else:
                self.summary.count("accounts_unchanged")
            result[spec.external_id] = account
        for part in chunks(new_accounts, 1000):
            Account.objects.bulk_create(part)
        self.insert_refs("account", [(spec.external_id, result[spec.external_id].pk, "", {}) for spec in unlinked])
        return result

    # records --------------------------------------------------------------------------------------

    def new_record(self, *, title: str, state: Snapshot, owner_id: int | None, account: str, currency: str,
                   values: dict[str, Any], created_at: datetime.datetime, updated_at: datetime.datetime,
                   stage_entered_at: datetime.datetime, classification: str | None = None,
                   customer_id: int | None = None) -> Record:
        """An unsaved record in its final state (saved in bulk by `save_records`); ``customer_id``: its account."""
        stage = self.definition.stage(state.stage)
        return Record(
            process=self.process, process_version=self.version, title=title[:2000], stage=state.stage,
            owner_id=owner_id, account=account[:2000], currency=currency or "EUR",
            amount=Decimal(state.amount) if state.amount is not None else None,
            close_date=datetime.date.fromisoformat(state.close_date) if state.close_date else None,
            classification=classification or self.definition.guideline.classification.value,
            probability_override=state.probability_override, values=values, progress={},
            outcome=stage.outcome.value if stage.outcome else "", version=1, created_at=created_at,
            updated_at=updated_at, stage_entered_at=stage_entered_at,
            closed_at=stage_entered_at if stage.outcome else None, customer_id=customer_id,
        )

    def link_customers(self, links: dict[int, int], source: dict[int, dict[str, Any]] | None = None) -> list[EventRow]:
        """Point existing records (id → account id) at their account where they point elsewhere or nowhere.
        Returns one imported ``customer_changed`` event for each (old and new account in its payload) to chain."""
        if not links:
            return []
        names = dict(Account.objects.filter(pk__in=set(links.values())).values_list("pk", "name"))
        rows: list[EventRow] = []
        for part in chunks(list(links), 900):
            for record in Record.objects.filter(pk__in=part).select_related("customer").only(
                    "pk", "stage", "customer__name", "customer_id"):
                new = links[record.pk]
                if record.customer_id == new or new not in names:
                    continue
                old = {"id": record.customer_id, "name": record.customer.name} if record.customer_id else None
                rows.append(EventRow(record_id=record.pk, kind="customer_changed", at=self.now,
                                     actor_id=SYSTEM_ACTOR.id, actor_name=SYSTEM_ACTOR.name, process=self.process.key,
                                     process_version=self.version.version, from_stage=record.stage, imported=True,
                                     payload={"old": old, "new": {"id": new, "name": names[new]}, "reason": "import",
                                              "source": (source or {}).get(record.pk, {"system": self.system})}))
                Record.objects.filter(pk=record.pk).update(customer_id=new)
        return rows

    def save_records(self, records: list[Record]) -> None:
        """INSERT new records in bulk; their ids are reserved first and set on the objects."""
        if not records:
            return
        for record, pk in zip(records, reserve_ids(Record, len(records)), strict=True):
            record.pk = pk
        columns_of = list(Record._meta.concrete_fields)
        columns = [column.column for column in columns_of]
        prepared = {column.attname: column for column in columns_of
                    if column.get_internal_type() in ("JSONField", "DateTimeField", "DateField", "DecimalField")}
        rows = []
        for record in records:
            row = []
            for column in columns_of:
                value = getattr(record, column.attname)
                if column.attname in prepared and value is not None:
                    value = prepared[column.attname].get_db_prep_save(value, connection)
                row.append(value)
            rows.append(tuple(row))
            record._state.adding = False
            record._state.db = "default"
        for part in chunks(rows, 5000):
            eventlog.insert_rows(Record._meta.db_table, columns, part)
        self.summary.count("records_created", len(records))

    def apply_state(self, record: Record, state: Snapshot) -> None:
        """Set a record's stage-related columns from a snapshot (not saved)."""
        record.stage = state.stage
        record.amount = Decimal(state.amount) if state.amount is not None else None
        record.close_date = datetime.date.fromisoformat(state.close_date) if state.close_date else None
        record.probability_override = state.probability_override
        stage = self.definition.stage(state.stage)
        record.outcome = stage.outcome.value if stage.outcome else ""

    def new_record_ids(self, count: int) -> list[int]:
        """Ids for ``count`` new records: from the sequence (PostgreSQL), or (SQLite, whose write lock the
        transaction holds) once after the highest id and then counted on — records still queued for a
        background INSERT are not visible to ``MAX(id)``."""
        if connection.vendor == "postgresql":
            return reserve_ids(Record, count) if count else []
        if self._next_record_id is None:
            self._next_record_id = reserve_ids(Record, 1)[0]
        start = self._next_record_id
        self._next_record_id += count
        return list(range(start, start + count))

    def record_rows(self) -> RecordRows:
        """A builder of INSERT rows for new records (the fast path of `new_record` + `save_records`)."""
        return RecordRows(self)

    def snapshot_of(self, record: Record) -> Snapshot:
        """A stored record's current snapshot."""
        return Snapshot(record.stage, f"{record.amount:f}" if record.amount is not None else None,
                        record.close_date.isoformat() if record.close_date else None, record.probability_override)

    # events ---------------------------------------------------------------------------------------

    def add_events(self, rows: Iterable[EventRow]) -> None:
        """Queue events; they are hashed into the chain in the order added."""
        self.pending_events.extend(rows)
        if len(self.pending_events) >= 20000:
            self.flush_events()

    def flush_events(self) -> None:
        """Append the queued events to the chain."""
        if self.pending_events:
            eventlog.append_many(self.pending_events, canonical=True)
            self.summary.count("events", len(self.pending_events))
            self.pending_events = []

    def context(self, record_id: int, at: datetime.datetime, actor: Actor, source: dict[str, Any]) -> EventContext:
        """An `EventContext` for one record."""
        return EventContext(record_id, at, actor.id, actor.name, source)


_json_encoder = json.JSONEncoder(ensure_ascii=False)
_canonical_encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)

#: JSON text as Django stores a JSONField (one encoder object, not one per call).
json_text = _json_encoder.encode

#: `eventlog.canonical_json` of data `canonical_value` leaves unchanged (text, int, bool, None, lists, dicts).
canonical_json = _canonical_encoder.encode


_encode_text = json.encoder.encode_basestring  # the text encoding of canonical_json (ensure_ascii=False)
_key_json: dict[str, str] = {}


def flat_json(data: dict[str, Any], **spliced: str) -> str:
    """`canonical_json` of a flat dict (text, int, bool, None values), fast, with ready JSON spliced in:
    ``flat_json({"a": 1}, source='{"x":2}')`` is ``canonical_json({"a": 1, "source": {"x": 2}})``."""
    parts = []
    for key in sorted([*data, *spliced]):
        prefix = _key_json.get(key)
        if prefix is None:
            prefix = _key_json[key] = _encode_text(key) + ":"
        value = spliced[key] if key in spliced else data[key]
        if key in spliced:
            parts.append(prefix + value)
        elif value is None:
            parts.append(prefix + "null")
        elif value is True:
            parts.append(prefix + "true")
        elif value is False:
            parts.append(prefix + "false")
        elif type(value) is int:
            parts.append(prefix + str(value))
        elif type(value) is str:
            parts.append(prefix + _encode_text(value))
        else:
            parts.append(prefix + canonical_json(value))
    return "{" + ",".join(parts) + "}"


def _text(value: str | None) -> str:
    return "null" if value is None else _encode_text(value)


def _number(value: int | None) -> str:
    return "null" if value is None else str(int(value))


_STAGE_CHANGED = frozenset(("direction", "probability", "old_probability", "forecast_category"))
_RECORD_CLOSED = frozenset(("outcome", "amount", "won"))
_FIELD_CHANGED = frozenset(("field", "old", "new"))
_OVERRIDDEN = frozenset(("old", "new", "stage_default", "override", "reason"))


def change_json(change: Change, source_json: str) -> str:
    """The canonical JSON of a `transition_changes` payload with its source (given as JSON) — by
    template for the shapes `transition_changes` makes (the same text as `flat_json`, faster)."""
    kind, _from_stage, _to_stage, payload = change
    keys = payload.keys()
    if kind == "field_changed" and keys == _FIELD_CHANGED and payload["field"] in ("amount", "close_date"):
        return (f'{{"field":"{payload["field"]}","new":{_text(payload["new"])},"old":{_text(payload["old"])},'
                f'"source":{source_json}}}')
    if kind == "stage_changed" and keys == _STAGE_CHANGED:
        return (f'{{"direction":{_encode_text(payload["direction"])},"forecast_category":'
                f'{_encode_text(payload["forecast_category"])},"old_probability":{_number(payload["old_probability"])},'
                f'"probability":{_number(payload["probability"])},"source":{source_json}}}')
    if kind == "record_closed" and keys == _RECORD_CLOSED:
        return (f'{{"amount":{_text(payload["amount"])},"outcome":{_encode_text(payload["outcome"])},'
                f'"source":{source_json},"won":{"true" if payload["won"] else "false"}}}')
    if kind == "probability_overridden" and keys == _OVERRIDDEN:
        return (f'{{"new":{_number(payload["new"])},"old":{_number(payload["old"])},'
                f'"override":{_number(payload["override"])},"reason":{_encode_text(payload["reason"])},'
                f'"source":{source_json},"stage_default":{_number(payload["stage_default"])}}}')
    return flat_json(payload, source=source_json)


class BackgroundInserts:
    """Bulk INSERTs (or COPYs) run in a second thread, in order, while the caller prepares the next rows.

    The database driver releases the GIL while the database works, so the two CPUs both work. The
    thread uses the same connection and transaction (inside the caller's ``atomic``); `exclusive`
    keeps the caller's own queries from running between a batch's rows; `close` waits for every
    batch and raises the first error (the caller's transaction then rolls everything back).

    On SQLite a batch goes in as multi-row ``INSERT … VALUES (…), (…), …`` statements, not
    ``executemany``: the driver gives up and takes back the GIL once per statement step, and
    ``executemany`` steps once per row — against a busy Python thread each of those hand-overs
    waits for the interpreter's switch interval (measured: 100 000 event rows took 26 s with
    ``executemany`` beside a busy thread, 1.5 s as multi-row statements).

    On PostgreSQL, ``COPY`` hands its buffer to the server every 32 KB and waits for the GIL after
    each hand-over; while the inserts run, the interpreter's switch interval is shortened to
    `COPY_SWITCH_INTERVAL` so that the wait is short (measured: the write pass of 200 000
    opportunities took 30 s instead of 37 s), and set back by `close`.
    """

    def __init__(self, depth: int = 4) -> None:
        self.vendor = connection.vendor
        connection.ensure_connection()
        self.raw = connection.connection
        self.quote = connection.ops.quote_name
        probe = self.raw.cursor()
        self.copy = self.vendor == "postgresql" and hasattr(probe, "copy")  # psycopg 3
        probe.close()
        #: Bound parameters one SQLite statement may take (the library's compile-time limit; 999 before 3.32).
        self.max_variables = self.raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) \
            if self.vendor == "sqlite" and hasattr(self.raw, "getlimit") else 999
        self.switch_interval: float | None = None
        if self.copy:
            self.switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self.switch_interval, COPY_SWITCH_INTERVAL))
        self.lock = threading.Lock()
        self.queue: queue.Queue[tuple[str, list[tuple[Any, ...]]] | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="salesflow-import-inserts", daemon=True)
        self.thread.start()

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Queue INSERTs of ready rows (as `eventlog.insert_rows` takes them)."""
        if self.error is not None:
            self.close()
        if not rows:
            return
        names = ", ".join(self.quote(column) for column in columns)
        if self.copy:
            statement = f"COPY {self.quote(table)} ({names}) FROM STDIN"
        elif self.vendor == "sqlite":
            statement = f"INSERT INTO {self.quote(table)} ({names}) VALUES "
        else:  # other databases: in this thread, through Django
            with self.exclusive():
                eventlog.insert_rows(table, columns, rows)
            return
        self.queue.put((statement, rows))

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is None:
                    return
                if self.error is None:
                    with self.lock:
                        self._execute(*item)
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                self.error = error
            finally:
                self.queue.task_done()

    def _execute(self, statement: str, rows: list[tuple[Any, ...]]) -> None:
        cursor = self.raw.cursor()
        try:
            if statement.startswith("COPY"):
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                self._insert_values(cursor, statement, rows)
        finally:
            cursor.close()

    def _insert_values(self, cursor: Any, statement: str, rows: list[tuple[Any, ...]]) -> None:
        """``statement`` (``INSERT INTO t (…) VALUES ``) with as many rows per statement as SQLite allows
        (at most `MULTI_ROW`)."""
        width = len(rows[0])
        per = max(1, min(MULTI_ROW, self.max_variables // width))
        one = "(" + ",".join("?" * width) + ")"
        full = statement + ",".join([one] * per)
        for start in range(0, len(rows), per):
            chunk = rows[start:start + per]
            sql = full if len(chunk) == per else statement + ",".join([one] * len(chunk))
            cursor.execute(sql, list(chain.from_iterable(chunk)))

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Run the caller's own queries between batches, not between the rows of one."""
        with self.lock:
            yield
        if self.error is not None:
            self.close()

    def drain(self) -> None:
        """Wait until every queued batch is written; raise the first error."""
        self.queue.join()
        if self.error is not None:
            self.close()

    def close(self) -> None:
        """Write what is queued, stop the thread; raise the first error (once)."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.switch_interval is not None:
            sys.setswitchinterval(self.switch_interval)
            self.switch_interval = None
        error, self.error = self.error, None
        if error is not None:
            raise error


class RecordRows:
    """INSERT rows for new records, built without model instances.

    Columns come from the model at run time: a column this importer does not know (added later)
    gets NULL when nullable, else its default. Values are prepared as Django would prepare them.
    """

    #: Columns `add` fills; every other column gets a constant, its default or NULL.
    FILLED = ("id", "title", "stage", "owner_id", "account", "amount", "currency", "close_date",
              "probability_override", "values", "outcome", "created_at", "updated_at", "stage_entered_at", "closed_at",
              "customer_id")

    def __init__(self, writer: ImportWriter) -> None:
        self.writer = writer
        fields = list(Record._meta.concrete_fields)
        self.columns = [item.column for item in fields]
        self.table = Record._meta.db_table
        self.db_instant = eventlog.instant_db_value(connection)
        by_name = {item.attname: item for item in fields}
        # SQLite and PostgreSQL take decimals and dates as their canonical text.
        self.text_values = connection.vendor in ("sqlite", "postgresql")
        self._amount_field, self._date_field = by_name["amount"], by_name["close_date"]
        constants: dict[str, Any] = {
            "process_id": writer.process.pk, "process_version_id": writer.version.pk, "progress": "{}",
            "classification": writer.definition.guideline.classification.value, "version": 1}
        self.template: list[Any] = []
        for item in fields:
            if item.attname in constants:
                self.template.append(constants[item.attname])
            elif item.attname in self.FILLED or item.null or not item.has_default():
                self.template.append(None)
            else:
                self.template.append(item.get_db_prep_save(item.get_default(), connection))
        names = [item.attname for item in fields]
        self.order = [names.index(name) for name in self.FILLED]
        self._type_json: dict[Any, str] = {}
        self.rows: list[tuple[Any, ...]] = []

    def amount(self, text: str | None) -> Any:
        """An amount (canonical text) as the amount column takes it."""
        if text is None or self.text_values:
            return text
        return self._amount_field.get_db_prep_save(Decimal(text), connection)

    def date(self, text: str | None) -> Any:
        """A date (ISO text) as the close_date column takes it."""
        if not text or self.text_values:
            return text or None
        return self._date_field.get_db_prep_save(datetime.date.fromisoformat(text), connection)

    def add(self, pk: int, *, title: str, state: Snapshot, owner_id: int | None, account: str, currency: str,
            values: dict[str, Any], created_at: str, updated_at: str, stage_entered_at: str,
            customer_id: int | None = None) -> None:
        """Queue a new record in its final state (``customer_id``: its account); times are `eventlog.instant_text`."""
        outcome = self.writer.stages[state.stage].outcome
        if not values:
            values_json = "{}"
        elif values.keys() == {"type"}:  # the usual case: a few distinct texts
            values_json = self._type_json.get(values["type"]) or \
                self._type_json.setdefault(values["type"], json_text(values))
        else:
            values_json = json_text(values)
        entered = self.db_instant(stage_entered_at)
        filled = (pk, title[:2000], state.stage, owner_id, account[:2000], self.amount(state.amount),
                  currency or "EUR", self.date(state.close_date), state.probability_override, values_json, outcome,
                  self.db_instant(created_at), self.db_instant(updated_at), entered, entered if outcome else None,
                  customer_id)
        row = self.template.copy()
        for position, value in zip(self.order, filled, strict=True):
            row[position] = value
        self.rows.append(tuple(row))

    def flush(self) -> None:
        """INSERT the queued records."""
        if self.rows:
            self.writer.insert(self.table, self.columns, self.rows)
            self.writer.summary.count("records_created", len(self.rows))
            self.rows = []


def run_import(work: Any, summary: ImportSummary, dry_run: bool) -> ImportSummary:
    """Run ``work()`` in one transaction; roll it back at the end of a dry run."""
    summary.dry_run = dry_run
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # bulk index inserts: a larger page cache avoids thrashing
            cursor.execute("PRAGMA cache_size = -131072")
    try:
        with transaction.atomic():
            work()
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    return summary


def fingerprint(cells: Iterable[Any]) -> str:
    """A short hash of a source row's relevant values (unchanged rows are skipped on re-import)."""
    import hashlib

    text = json_text([None if value is None else str(value) for value in cells])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
