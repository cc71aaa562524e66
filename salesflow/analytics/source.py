"""Where the reports' tables come from: an embedded DuckDB mirror of the event log, or PostgreSQL itself.

- **DuckDB** (default): the operational tables the reports read (``records_event``,
  ``records_record``, ``records_process``, ``records_processversion``, ``records_recordlink``, and the exchange
  rates ``currency_exchangerate``) are mirrored into an
  embedded DuckDB — in memory, or in the file named by ``SALESFLOW_ANALYTICS_DUCKDB`` — through
  Arrow. Events are append-only, so each sync loads only ``seq > last loaded`` (and re-reads the
  records those new events touched); the hash of the last loaded event is compared with the log's
  to notice a replaced database, which triggers a full reload. Links between records are loaded by id
  (those added since the last sync; all again when one was removed). A mirror file from an older
  version (without a column the reports need) is rebuilt.
- **PostgreSQL**: the same Ibis expressions run directly on the operational PostgreSQL database
  (``ibis.postgres.connect`` on ``DATABASE_URL``).

Either way `load_data` returns a `Data` restricted to the records a user may see (no user: all).
"""

from __future__ import annotations

import datetime
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.operations as ops
import pyarrow as pa
from django.conf import settings
from django.db import connection
from django.utils import timezone

from salesflow.analytics.catalog import catalog_of
from salesflow.analytics.reports import sqlmemo
from salesflow.analytics.reports.base import Catalog, Data
from salesflow.analytics.reports.money import convert, normalize_rates
from salesflow.analytics.reports.tables import (
    flatten_events,
    links_without,
    normalize_links,
    normalize_records,
    value_history,
    visit_base,
    without_records,
)
from salesflow.currency.services import rate_book
from salesflow.currency.settings import corporate_currency
from salesflow.engine.errors import BadInput
from salesflow.people import access
from salesflow.process.model import Classification

ENGINES = ("duckdb", "postgres")
BATCH = 50_000

_EVENT_SCHEMA = pa.schema([
    ("seq", pa.int64()), ("record_id", pa.int64()), ("process", pa.string()), ("process_version", pa.int64()),
    ("kind", pa.string()), ("from_stage", pa.string()), ("to_stage", pa.string()), ("activity", pa.string()),
    ("actor_id", pa.int64()), ("role", pa.string()), ("at", pa.timestamp("us", tz="UTC")), ("payload", pa.string()),
])
_RECORD_SCHEMA = pa.schema([
    ("id", pa.int64()), ("process_id", pa.int64()), ("process_version_id", pa.int64()), ("stage", pa.string()),
    ("owner_id", pa.int64()), ("amount", pa.decimal128(17, 2)), ("currency", pa.string()), ("close_date", pa.date32()),
    ("classification", pa.string()), ("probability_override", pa.int64()), ("values", pa.string()),
    ("outcome", pa.string()), ("created_at", pa.timestamp("us", tz="UTC")), ("closed_at", pa.timestamp("us", tz="UTC")),
    ("customer_id", pa.int64()),
])
_LINK_SCHEMA = pa.schema([
    ("id", pa.int64()), ("source_id", pa.int64()), ("target_id", pa.int64()), ("kind", pa.string()),
    ("handoff", pa.string()), ("created_at", pa.timestamp("us", tz="UTC")),
])
_DDL = [
    """CREATE TABLE IF NOT EXISTS records_event (seq BIGINT, record_id BIGINT, process VARCHAR,
       process_version BIGINT, kind VARCHAR, from_stage VARCHAR, to_stage VARCHAR, activity VARCHAR,
       actor_id BIGINT, role VARCHAR, "at" TIMESTAMPTZ, payload JSON)""",
    """CREATE TABLE IF NOT EXISTS records_record (id BIGINT, process_id BIGINT, process_version_id BIGINT,
       stage VARCHAR, owner_id BIGINT, amount DECIMAL(17, 2), currency VARCHAR, close_date DATE,
       classification VARCHAR, probability_override BIGINT, "values" JSON, outcome VARCHAR,
       created_at TIMESTAMPTZ, closed_at TIMESTAMPTZ, customer_id BIGINT)""",
    "CREATE TABLE IF NOT EXISTS records_process (id BIGINT, \"key\" VARCHAR, record_type VARCHAR)",
    """CREATE TABLE IF NOT EXISTS records_recordlink (id BIGINT, source_id BIGINT, target_id BIGINT, kind VARCHAR,
       handoff VARCHAR, created_at TIMESTAMPTZ)""",
    "CREATE TABLE IF NOT EXISTS records_processversion (id BIGINT, process_id BIGINT, version BIGINT)",
    "CREATE TABLE IF NOT EXISTS salesflow_sync (last_seq BIGINT, last_hash VARCHAR)",
    """CREATE TABLE IF NOT EXISTS currency_exchangerate ("date" DATE, from_currency VARCHAR, to_currency VARCHAR,
       rate DOUBLE)""",
]
#: Below this many events the reports' queries run on one DuckDB thread: their scans are small, handing them
#: across threads costs more than it saves (and the web server's other cores stay free for its requests).
SINGLE_THREAD_EVENTS = 100_000
#: How many tables of converted records (`DuckMirror.converted_records`) the mirror keeps.
KEEP_CONVERSIONS = 4
#: Derived tables kept in the mirror (rebuilt incrementally from the raw events).
DERIVED = ("flat_events", "value_history", "stage_visits", "norm_records")
#: The mirrored operational tables.
RAW = ("records_event", "records_record", "records_process", "records_processversion", "records_recordlink",
       "salesflow_sync", "currency_exchangerate")
#: Columns a mirror file must have to be used as it is (an older file is rebuilt).
_REQUIRED_COLUMNS = {("records_record", "customer_id"), ("records_process", "record_type"),
                     ("records_recordlink", "kind")}
#: Columns of the derived tables that older versions lacked: without them the derived tables are rebuilt.
_DERIVED_COLUMNS = {("flat_events", "closed_on")}


def _utc(value: Any) -> datetime.datetime | None:
    """A database timestamp as an aware UTC datetime (SQLite gives naive UTC ones)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC)


def _json_text(column: str) -> str:
    return f'"{column}"::text' if connection.vendor == "postgresql" else f'"{column}"'


class DuckMirror:
    """An embedded DuckDB holding a copy of the event log and the records, loaded incrementally."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path or ":memory:"
        self.backend = ibis.duckdb.connect(self.path)
        self.raw = self.backend.con
        self.raw.execute("SET TimeZone = 'UTC'")
        self._upgrade()
        for statement in _DDL:
            self.raw.execute(statement)
        self.lock = threading.RLock()
        #: table name → its Ibis schema (read once; forgotten when the tables are made anew)
        self._schemas: dict[str, Any] = {}
        #: bumped whenever the derived tables are made or extended (the converted records are then stale)
        self._generation = 0
        #: the exchange rates last loaded (rows; None: not loaded by this process yet)
        self._rates_rows: tuple[Any, ...] | None = None
        #: (generation, rates, currency, day) → the table of converted records computed for it (newest last)
        self._converted: dict[tuple[Any, ...], str] = {}
        self._conversions = 0
        #: DuckDB threads set for the current size of the log (`_fit_threads`)
        self._threads = 0
        #: what `_statement` built and compiled (forgotten with the schemas)
        self._statements: dict[tuple[Any, ...], tuple[str, str, str]] = {}
        for (name,) in self.raw.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
                                        "AND table_name LIKE 'conv_records_%'").fetchall():
            self.raw.execute(f'DROP TABLE IF EXISTS "{name}"')    # left by an earlier process

    def _upgrade(self) -> None:
        """Drop a mirror file written by an older version (missing columns): it is loaded again in full."""
        present = {(row[0], row[1]) for row in self.raw.execute(
            "SELECT table_name, column_name FROM information_schema.columns").fetchall()}
        tables = {table for table, _column in present}
        if any(table in tables and (table, column) not in present for table, column in _DERIVED_COLUMNS):
            for table in DERIVED:
                self.raw.execute(f"DROP TABLE IF EXISTS {table}")
        if not present or _REQUIRED_COLUMNS <= present:
            return
        for table in (*RAW, *DERIVED):
            self.raw.execute(f"DROP TABLE IF EXISTS {table}")

    def _state(self) -> tuple[int, str]:
        """The last event loaded (from the data itself, so a repeated sync can never load twice) and its hash."""
        loaded = self.raw.execute("SELECT max(seq) FROM records_event").fetchone()[0] or 0
        row = self.raw.execute("SELECT last_seq, last_hash FROM salesflow_sync").fetchone()
        if row is None or int(row[0]) != int(loaded):
            return int(loaded), ""
        return int(row[0]), str(row[1])

    def _set_state(self, seq: int, hash_: str) -> None:
        self.raw.execute("DELETE FROM salesflow_sync")
        self.raw.execute("INSERT INTO salesflow_sync VALUES (?, ?)", [seq, hash_])

    def reset(self) -> None:
        """Forget everything loaded."""
        self._schemas.clear()
        self._statements.clear()
        self._generation += 1
        self._rates_rows = None
        for table in RAW:
            self.raw.execute(f"DELETE FROM {table}")
        for table in DERIVED:
            self.raw.execute(f"DROP TABLE IF EXISTS {table}")

    def sync(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Load the events appended since the last sync (all after a reset); return how many."""
        from salesflow.records.models import ChainHead, Event

        with self.lock:
            last_seq, last_hash = self._state()
            head = ChainHead.objects.filter(pk=1).values_list("seq", "hash").first() or (0, "")
            if last_seq:
                known = Event.objects.filter(seq=last_seq).values_list("hash", flat=True).first()
                if known != last_hash or head[0] < last_seq:
                    self.reset()
                    last_seq = 0
            self._load_links()
            self._load_rates()
            if head[0] == last_seq and last_seq:
                self._fit_threads()
                return 0
            loaded, touched = self._load_events(last_seq, head[0], progress)
            self._load_records(touched, full=last_seq == 0)
            self._load_processes()
            self._derive(last_seq)
            end = Event.objects.filter(seq__lte=head[0]).order_by("-seq").values_list("seq", "hash").first()
            self._set_state(*(end or (0, "")))
            self._fit_threads()
            return loaded

    def _fit_threads(self) -> None:
        """One DuckDB thread for a small log (`SINGLE_THREAD_EVENTS`), every core for a large one."""
        events = self.raw.execute("SELECT count(*) FROM records_event").fetchone()[0]
        wanted = 1 if events < SINGLE_THREAD_EVENTS else max(os.cpu_count() or 1, 1)
        if wanted != self._threads:
            self.raw.execute(f"SET threads = {wanted}")
            self._threads = wanted

    def _load_events(self, after: int, until: int, progress: Callable[[int, int], None] | None
                     ) -> tuple[int, set[int]]:
        query = (f'SELECT seq, record_id, process, process_version, kind, from_stage, to_stage, activity, actor_id, '
                 f'role, "at", {_json_text("payload")} FROM records_event WHERE seq > %s AND seq <= %s ORDER BY seq')
        loaded = 0
        touched: set[int] = set()
        with connection.cursor() as cursor:
            cursor.execute(query, [after, until])
            while True:
                rows = cursor.fetchmany(BATCH)
                if not rows:
                    break
                columns = list(zip(*rows, strict=True))
                data = [list(column) for column in columns]
                data[10] = [_utc(value) for value in data[10]]
                batch = pa.Table.from_arrays([pa.array(column, type=field.type) for column, field in
                                              zip(data, _EVENT_SCHEMA, strict=True)], schema=_EVENT_SCHEMA)
                self.raw.register("event_batch", batch)
                self.raw.execute("INSERT INTO records_event SELECT * FROM event_batch")
                self.raw.unregister("event_batch")
                touched.update(value for value in data[1] if value is not None)
                loaded += len(rows)
                if progress:
                    progress(loaded, until - after)
        return loaded, touched

    def _load_records(self, touched: set[int], full: bool) -> None:
        base = (f'SELECT id, process_id, process_version_id, stage, owner_id, amount, currency, close_date, '
                f'classification, probability_override, {_json_text("values")}, outcome, created_at, closed_at, '
                f'customer_id FROM records_record')
        if full:
            self.raw.execute("DELETE FROM records_record")
            self._insert_records(base, [])
            return
        ids = sorted(touched)
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            self.raw.execute(f"DELETE FROM records_record WHERE id IN ({', '.join(map(str, chunk))})")
            self._insert_records(base + f" WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk)

    def _insert_records(self, query: str, args: list[Any]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(query, args)
            while True:
                rows = cursor.fetchmany(BATCH)
                if not rows:
                    break
                data = [list(column) for column in zip(*rows, strict=True)]
                data[5] = [None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
                           for value in data[5]]
                data[7] = [datetime.date.fromisoformat(value) if isinstance(value, str) else value
                           for value in data[7]]
                data[12] = [_utc(value) for value in data[12]]
                data[13] = [_utc(value) for value in data[13]]
                data[14] = [None if value is None else int(value) for value in data[14]]
                batch = pa.Table.from_arrays([pa.array(column, type=field.type) for column, field in
                                              zip(data, _RECORD_SCHEMA, strict=True)], schema=_RECORD_SCHEMA)
                self.raw.register("record_batch", batch)
                self.raw.execute("INSERT INTO records_record SELECT * FROM record_batch")
                self.raw.unregister("record_batch")

    def _load_links(self) -> int:
        """Load the links added since the last sync (all of them again when one was removed); return how many."""
        from salesflow.records.models import RecordLink

        loaded_max, loaded_count = self.raw.execute(
            "SELECT coalesce(max(id), 0), count(*) FROM records_recordlink").fetchone()
        if loaded_count and RecordLink.objects.filter(id__lte=loaded_max).count() != loaded_count:
            self.raw.execute("DELETE FROM records_recordlink")
            loaded_max = 0
        rows = list(RecordLink.objects.filter(id__gt=loaded_max).order_by("id").values_list(
            "id", "source_id", "target_id", "kind", "handoff", "created_at"))
        if not rows:
            return 0
        data = [list(column) for column in zip(*rows, strict=True)]
        data[5] = [_utc(value) for value in data[5]]
        batch = pa.Table.from_arrays([pa.array(column, type=field.type) for column, field in
                                      zip(data, _LINK_SCHEMA, strict=True)], schema=_LINK_SCHEMA)
        self.raw.register("link_batch", batch)
        self.raw.execute("INSERT INTO records_recordlink SELECT * FROM link_batch")
        self.raw.unregister("link_batch")
        return len(rows)

    def _load_rates(self) -> None:
        """Load the exchange rates again (a few per currency and month; a rate may be replaced)."""
        from salesflow.currency.models import ExchangeRate

        rows = list(ExchangeRate.objects.values_list("date", "from_currency", "to_currency", "rate"))
        if self._rates_rows is not None and tuple(sorted(rows)) == self._rates_rows:
            return      # the same rates as loaded last time
        self._rates_rows = tuple(sorted(rows))
        self.raw.execute("DELETE FROM currency_exchangerate")
        if rows:
            self.raw.executemany("INSERT INTO currency_exchangerate VALUES (?, ?, ?, ?)",
                                 [(day, source, target, float(rate)) for day, source, target, rate in rows])

    def _load_processes(self) -> None:
        from salesflow.records.models import Process, ProcessVersion

        processes = list(Process.objects.values_list("id", "key", "record_type"))
        versions = list(ProcessVersion.objects.values_list("id", "process_id", "version"))
        self.raw.execute("DELETE FROM records_process")
        self.raw.execute("DELETE FROM records_processversion")
        if processes:
            self.raw.executemany("INSERT INTO records_process VALUES (?, ?, ?)", processes)
        if versions:
            self.raw.executemany("INSERT INTO records_processversion VALUES (?, ?, ?)", versions)

    def _derive(self, after: int) -> None:
        """Extend the derived tables by the events after ``after`` (all when they do not exist yet).

        The incremental statements read the new events through views (``sf_new_events`` …), so their Ibis
        expressions are the same on every sync and compile once per process (`sqlmemo`); the derived tables
        keep their schemas.
        """
        backend = self.backend
        existing = set(backend.list_tables())
        self._generation += 1
        if not {"flat_events", "value_history", "stage_visits"} <= existing:
            self._schemas.clear()
            self._statements.clear()
            raw = backend.table("records_event")
            backend.create_table("flat_events", flatten_events(raw), overwrite=True)
            backend.create_table("value_history", value_history(backend.table("flat_events")), overwrite=True)
            backend.create_table("stage_visits", visit_base(backend.table("flat_events")), overwrite=True)
        else:
            # Idempotent: only events after the newest one each derived table already holds.
            flat_after = max(after, self.raw.execute("SELECT coalesce(max(seq), 0) FROM flat_events").fetchone()[0])
            self.raw.execute("CREATE OR REPLACE VIEW sf_new_events AS "
                             f"SELECT * FROM records_event WHERE seq > {int(flat_after)}")
            self.raw.execute("INSERT INTO flat_events " + self._sql(
                ("flat",), lambda: flatten_events(self.table("sf_new_events"))))
            history_after = max(after, self.raw.execute(
                "SELECT coalesce(max(seq), 0) FROM value_history").fetchone()[0])
            self.raw.execute("CREATE OR REPLACE VIEW sf_new_flat AS "
                             f"SELECT * FROM flat_events WHERE seq > {int(history_after)}")
            self.raw.execute("INSERT INTO value_history " + self._sql(
                ("history",), lambda: value_history(self.table("sf_new_flat"))))
            # stays: recomputed for the records the new events touched (a new stage ends the last stay)
            self.raw.execute("CREATE OR REPLACE VIEW sf_touched AS "
                             f"SELECT DISTINCT record_id FROM flat_events WHERE seq > {int(flat_after)}")
            self.raw.execute("DELETE FROM stage_visits WHERE record_id IN (SELECT record_id FROM sf_touched)")
            self.raw.execute("INSERT INTO stage_visits " + self._sql(("visits",), lambda: visit_base(
                self.table("flat_events").semi_join(self.table("sf_touched"), "record_id"))))
        self._create_table("norm_records", ("norm",), lambda: normalize_records(
            self.table("records_record"), self.table("records_processversion"), self.table("records_process")))

    def _statement(self, key: tuple[Any, ...], build: Callable[[], Any]) -> tuple[str, str, str]:
        """(SQL, column definitions, column names) of the expression ``build()`` makes, built and compiled once
        per ``key`` while the mirror's tables keep their schemas (`reset` forgets them)."""
        found = self._statements.get(key)
        if found is None:
            expression = build()
            schema = expression.schema()
            dialect = self.backend.dialect
            definitions = ", ".join(column.sql(dialect=dialect) for column in schema.to_sqlglot_column_defs(dialect))
            found = self._statements[key] = (self.backend.compile(expression), definitions,
                                             ", ".join(f'"{column}"' for column in schema.names))
        return found

    def _sql(self, key: tuple[Any, ...], build: Callable[[], Any]) -> str:
        """The SQL of the expression ``build()`` makes (`_statement`)."""
        return self._statement(key, build)[0]

    def _create_table(self, name: str, key: tuple[Any, ...], build: Callable[[], Any]) -> None:
        """``backend.create_table(name, build(), overwrite=True)``, the expression built and compiled once
        (`_statement`)."""
        sql, definitions, columns = self._statement(key, build)
        self.raw.execute(f'CREATE OR REPLACE TABLE "{name}" ({definitions})')
        self.raw.execute(f'INSERT INTO "{name}" ({columns}) {sql}')

    def session(self) -> Any:
        """An Ibis backend on a new connection to the mirror's database, for one run of reports.

        Ibis drops its temporary tables and in-memory tables when their expressions are garbage
        collected — possibly in another thread; a connection of its own per run keeps that from
        ever touching a connection another thread is using.
        """
        cursor = self.raw.cursor()
        cursor.execute("SET TimeZone = 'UTC'")
        return ibis.duckdb.from_connection(cursor)

    def table(self, name: str, backend: Any | None = None) -> Any:
        """A table of the mirror through ``backend`` (default its own): ``backend.table(name)``, its schema read
        once (not on every run of the reports; `_derive` and `reset` forget the schemas)."""
        backend = backend or self.backend
        schema = self._schemas.get(name)
        if schema is None:
            schema = self._schemas[name] = self.backend.get_schema(name)
        return ops.DatabaseTable(name, schema=schema, source=backend,
                                 namespace=ops.Namespace(catalog=None, database=None)).to_expr()

    def tables(self, backend: Any | None = None) -> tuple[Any, Any, Any, Any]:
        """The (events, history, records, visits) tables of the mirror (through ``backend``, default its own)."""
        if not self._schemas and "flat_events" not in set(self.backend.list_tables()):
            self._derive(0)
        return (self.table("flat_events", backend), self.table("value_history", backend),
                self.table("norm_records", backend), self.table("stage_visits", backend))

    def converted_records(self, backend: Any, currency: str, day: datetime.date) -> Any:
        """`tables.normalize_records` with ``amount`` in ``currency`` at the rates in force on ``day``
        (`money.convert`; ``amount_original`` and ``rate`` added), as the view ``conv_records`` of ``backend``'s
        connection.

        The conversion is computed into a table of the mirror only when the records, the rates, the currency or
        the day changed — not once per run of the reports. Every run reads it through a temporary view of the
        same name, so its queries compile to the same SQL (`sqlmemo`); an earlier run keeps reading the table
        it started with (the last `KEEP_CONVERSIONS` are kept).
        """
        key = (self._generation, self._rates_rows, currency, day)
        table = self._converted.get(key)
        if table is None:
            self._conversions += 1
            table = f"conv_records_{self._conversions}"
            self._create_table(table, ("converted", currency, day),
                               lambda: convert(self.table("norm_records"), self.rates(), currency, day))
            self._converted[key] = table
            while len(self._converted) > KEEP_CONVERSIONS:
                old = self._converted.pop(next(iter(self._converted)))
                self.raw.execute(f'DROP TABLE IF EXISTS "{old}"')
                self._schemas.pop(old, None)
        schema = self.table(table).schema()
        backend.con.execute(f'CREATE OR REPLACE TEMP VIEW conv_records AS SELECT * FROM "{table}"')
        return ops.DatabaseTable("conv_records", schema=schema, source=backend,
                                 namespace=ops.Namespace(catalog="temp", database="main")).to_expr()

    def links(self, backend: Any | None = None) -> Any:
        """The links between records (`tables.normalize_links`) of the mirror."""
        return normalize_links(self.table("records_recordlink", backend))

    def rates(self, backend: Any | None = None) -> Any:
        """The exchange rates (`money.normalize_rates`) of the mirror."""
        return normalize_rates(self.table("currency_exchangerate", backend))


_MIRRORS: dict[str, DuckMirror] = {}
_MIRRORS_LOCK = threading.Lock()


def mirror() -> DuckMirror:
    """This process's DuckDB mirror of the operational database (created on first use).

    ``SALESFLOW_ANALYTICS_DUCKDB=path`` keeps it in a file (loaded once, then incrementally); when
    that file is locked by another process, an in-memory mirror is used instead.
    """
    name = str(settings.DATABASES["default"].get("NAME"))
    path = os.environ.get("SALESFLOW_ANALYTICS_DUCKDB") or None
    key = f"{name}|{path}"
    with _MIRRORS_LOCK:
        found = _MIRRORS.get(key)
        if found is None:
            try:
                found = DuckMirror(path)
            except Exception:  # noqa: BLE001 - a locked or unreadable file: fall back to memory
                found = DuckMirror(None)
            _MIRRORS[key] = found
        return found


def postgres_backend() -> Any:
    """An Ibis PostgreSQL connection to the operational database (which must be PostgreSQL)."""
    database = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        raise BadInput("--engine postgres needs DATABASE_URL to point at PostgreSQL "
                       f"(the database is {connection.vendor})")
    options: dict[str, Any] = {"database": database["NAME"], "user": database.get("USER") or None,
                               "password": database.get("PASSWORD") or None, "host": database.get("HOST") or None}
    if database.get("PORT"):
        options["port"] = int(database["PORT"])
    backend = ibis.postgres.connect(**{key: value for key, value in options.items() if value is not None})
    backend.raw_sql("SET TIME ZONE 'UTC'").close()
    return backend


def catalog_from_db() -> Catalog:
    """The stages, outcome requirements and amount bands of every loaded process version."""
    from salesflow.records.models import ProcessVersion
    from salesflow.records.services import definition_of

    # only the id and the hash: the definitions are cached (`definition_of`), their JSON need not be read again
    versions = ProcessVersion.objects.only("id", "sha256").order_by("process__key", "version")
    return catalog_of(definition_of(version) for version in versions)


def hidden_record_ids(user: Any | None, hide_strictly_confidential: bool = False) -> list[int]:
    """Ids of the records ``user`` may not see (none for no user: the CLI sees everything), and with
    ``hide_strictly_confidential`` every strictly confidential record."""
    from salesflow.records.models import Record

    hidden: set[int] = set()
    if user is not None:
        hidden.update(Record.objects.exclude(access.visibility_filter(user)).values_list("id", flat=True))
    if hide_strictly_confidential:
        hidden.update(Record.objects.filter(classification=Classification.strictly_confidential.value)
                      .values_list("id", flat=True))
    return sorted(hidden)


def _reference_rows() -> tuple[dict[int, str], Any, list[dict[str, Any]], list[dict[str, Any]]]:
    from salesflow.analytics.models import ForecastSnapshot, Target
    from salesflow.people.models import User

    users = dict(User.objects.values_list("id", "username"))
    pairs = list(User.teams.through.objects.values_list("user_id", "team__name"))
    memberships = ibis.memtable({"user_id": [pair[0] for pair in pairs], "team": [pair[1] for pair in pairs]},
                                schema=ibis.schema({"user_id": "int64", "team": "string"}))
    targets = [{"period": row.period, "process": row.process, "team": row.team or None,
                "owner": row.owner or None, "type": row.type or None, "amount": float(row.amount),
                "currency": row.currency} for row in Target.objects.all()]
    amounts = ("won", "weighted", "expected", "commit", "best_case", "pipeline", "p10", "p50", "p90")
    # the columns the accuracy report reads (not each snapshot's detail: its JSON is large)
    snapshots = [{"taken_at": row["taken_at"], "period": row["period"], "process": row["process"],
                  **{name: float(row[name]) for name in amounts},
                  "target": float(row["target"]) if row["target"] is not None else None,
                  "backfilled": row["backfilled"]}
                 for row in ForecastSnapshot.objects.order_by("taken_at", "period").values(
                     "taken_at", "period", "process", "target", "backfilled", *amounts)]
    return users, memberships, targets, snapshots


def load_data(engine: str = "duckdb", user: Any | None = None, now: datetime.datetime | None = None,
              progress: Callable[[int, int], None] | None = None, hide_strictly_confidential: bool = False) -> Data:
    """The reports' input on an engine (``duckdb`` or ``postgres``), as ``user`` may see it."""
    if engine not in ENGINES:
        raise BadInput(f"--engine: one of {', '.join(ENGINES)} expected, got {engine!r}")
    now = now or timezone.now()
    if engine == "duckdb":
        source = mirror()
        source.sync(progress)
        backend = source.session()
        events, history, _records, visits = source.tables(backend)
        records = source.converted_records(backend, corporate_currency(), now.astimezone(datetime.UTC).date())
        links = source.links(backend)
        rates = source.rates(backend)
    else:
        visits = None
        backend = postgres_backend()
        events = flatten_events(backend.table("records_event"))
        history = value_history(events)
        records = normalize_records(backend.table("records_record"), backend.table("records_processversion"),
                                    backend.table("records_process"))
        links = normalize_links(backend.table("records_recordlink"))
        rates = normalize_rates(backend.table("currency_exchangerate"))
    corporate = corporate_currency()
    hidden = hidden_record_ids(user, hide_strictly_confidential)
    users, memberships, targets, snapshots = _reference_rows()
    from salesflow.analytics.quality_rows import quality_rows
    from salesflow.analytics.reports.base import ReportSettings
    from salesflow.people import access

    forecasting = access.policy().settings.forecasting
    settings = ReportSettings(lost_reason_field=forecasting.lost_reason_field,
                              lost_reason_note_field=forecasting.lost_reason_note_field)
    return Data(backend=backend, quality_rows=lambda: quality_rows(user), settings=settings, events=without_records(events, hidden),
                history=without_records(history, hidden),
                records=without_records(records, hidden),
                visits=without_records(visits, hidden) if visits is not None else None, memberships=memberships,
                users=users, catalog=catalog_from_db(), now=now, targets=targets, snapshots=snapshots, engine=engine,
                links=links_without(links, hidden), currency=corporate, rates=rates, book=rate_book())


@contextmanager
def data_for(engine: str = "duckdb", user: Any | None = None, now: datetime.datetime | None = None,
             progress: Callable[[int, int], None] | None = None, hide_strictly_confidential: bool = False
             ) -> Iterator[Data]:
    """`load_data` holding the mirror's lock while the reports run (DuckDB connections are not thread-safe)."""
    if engine == "duckdb":
        with mirror().lock:
            data = load_data(engine, user, now, progress, hide_strictly_confidential)
            try:
                yield data
            finally:
                sqlmemo.release(data.backend)
        return
    data = load_data(engine, user, now, progress, hide_strictly_confidential)
    try:
        yield data
    finally:
        disconnect = getattr(data.backend, "disconnect", None)
        if disconnect:
            disconnect()
