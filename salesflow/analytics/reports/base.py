"""What every report shares: its input (`Data`), its parameters (`Params`) and its result (`Report`).

Framework-free: the reports are Ibis expressions over the tables in `Data`, so the same code runs
on the embedded DuckDB mirror and directly on PostgreSQL. Only small, already aggregated results
(one row per stage, owner or period) are finished in Python.
"""

from __future__ import annotations

import datetime
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from salesflow.analytics.periods import Period
from salesflow.analytics.reports import sqlmemo
from salesflow.engine.errors import BadInput
from salesflow.engine.texts import N_

#: Dimensions a report can be broken down by (``--by``).
DIMENSIONS = ("owner", "team", "type", "process-version")
#: What each dimension (and the other groupings of the win-rate report) is called in a column heading.
DIMENSION_NAMES = {"owner": N_("Owner"), "team": N_("Team"), "type": N_("Type"),
                   "process-version": N_("Process version"), "segment": N_("Segment"), "amount-band": N_("Amount band")}
#: Label of records without a value in the chosen dimension.
NONE_LABEL = "(none)"
#: Label of the single group when no ``--by`` is given.
ALL_LABEL = "all"
SECONDS_PER_DAY = 86400.0


#: How many in-memory tables `shared_memtable` keeps.
SHARED_MEMTABLES = 64
_SHARED: OrderedDict[Any, ir.Table] = OrderedDict()
_SHARED_LOCK = threading.Lock()


def shared_memtable(key: Any, build: Callable[[], ir.Table]) -> ir.Table:
    """The in-memory table ``build()`` makes, made once per process for the same ``key`` (hashable: the table's
    kind and its whole content).

    Ibis tables are immutable and not bound to a backend, so every run of the reports can use the same one:
    it is then converted, digested (`sqlmemo`) and — per backend — registered once, not in every run.
    """
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is not None:
            _SHARED.move_to_end(key)
            return found
    table = build()
    with _SHARED_LOCK:
        table = _SHARED.setdefault(key, table)
        _SHARED.move_to_end(key)
        while len(_SHARED) > SHARED_MEMTABLES:
            _SHARED.popitem(last=False)
    return table


def arrow_memtable(columns: dict[str, list[Any]], schema: Any) -> ir.Table:
    """An in-memory table of ``columns`` (name → values) with the Ibis ``schema``, held as an Arrow table (from a
    dict Ibis makes a pandas frame, converted to Arrow again every time a query uploads it)."""
    return ibis.memtable(pa.table(columns, schema=schema.to_pyarrow()))


@dataclass(frozen=True)
class StageInfo:
    """One stage of one process version, as the reports need it."""

    process: str
    version: int
    stage: str
    title: str
    position: int               # among all stages of the version
    open_position: int          # among the open stages, -1 for outcomes
    probability: int
    forecast_category: str
    max_days: int | None
    outcome: str | None         # won | lost | None
    stale_days: int | None = None


@dataclass
class Catalog:
    """The stages of every process version (from the process library), in a form both Python and SQL use."""

    stages: list[StageInfo]
    #: (process, version, outcome stage, activity) the outcome stage requires
    requirements: list[tuple[str, int, str, str]] = field(default_factory=list)
    #: process → upper limits of the amount bands (from its first approval with amount bands)
    amount_bands: dict[str, list[float]] = field(default_factory=dict)
    #: process → title
    titles: dict[str, str] = field(default_factory=dict)
    #: process → the kind of record it runs (lead, opportunity, rfp, contract, order, account_plan …)
    kinds: dict[str, str] = field(default_factory=dict)
    #: (process, version, stage, activity) of every activity a stage recommends (required ones included)
    activities: list[tuple[str, int, str, str]] = field(default_factory=list)
    #: (process, field) → choice → its title (a `Translated`) of every choice field (newest version wins)
    choices: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def processes(self) -> list[str]:
        """Process keys in alphabetical order."""
        return sorted({stage.process for stage in self.stages})

    def processes_of_kind(self, kind: str) -> list[str]:
        """The keys of the processes that run records of ``kind``, in alphabetical order."""
        return sorted(process for process in self.processes() if self.kinds.get(process) == kind)

    def main_process(self, process: str | None) -> str | None:
        """The process a single summary figure speaks of: ``process``, else the only opportunity process,
        else the only process (None when that is ambiguous)."""
        if process:
            return process
        candidates = self.processes_of_kind("opportunity") or self.processes()
        return candidates[0] if len(candidates) == 1 else None

    def amount_band_limits(self, process: str | None) -> list[float]:
        """The amount bands of ``process`` (or of the only process, or of the only opportunity process);
        the default bands (50 000, 250 000) otherwise."""
        candidates = [process] if process else self.processes()
        if len(candidates) > 1:
            candidates = self.processes_of_kind("opportunity")
        limits = self.amount_bands.get(candidates[0], []) if len(candidates) == 1 else []
        return limits or [50_000.0, 250_000.0]

    def newest_version(self, process: str) -> int:
        """The highest version number of a process (0 when unknown)."""
        return max((stage.version for stage in self.stages if stage.process == process), default=0)

    def stage_order(self, process: str) -> list[StageInfo]:
        """The stages of a process's newest version in their order."""
        version = self.newest_version(process)
        return sorted((stage for stage in self.stages if stage.process == process and stage.version == version),
                      key=lambda stage: stage.position)

    def stage(self, process: str, stage_id: str) -> StageInfo | None:
        """A stage of the newest version of a process that has it."""
        found = [stage for stage in self.stages if stage.process == process and stage.stage == stage_id]
        return max(found, key=lambda stage: stage.version) if found else None

    def stage_table(self) -> ir.Table:
        """The stages as an Ibis table (a memtable: uploaded to whichever backend runs the query; one per process
        for the same stages, `shared_memtable`)."""
        return shared_memtable(("stages", tuple(self.stages)), self._stage_table)

    def _stage_table(self) -> ir.Table:
        columns: dict[str, list[Any]] = {name: [] for name in (
            "process", "version", "stage", "position", "open_position", "probability", "forecast_category",
            "max_days", "outcome")}
        for stage in self.stages:
            columns["process"].append(stage.process)
            columns["version"].append(stage.version)
            columns["stage"].append(stage.stage)
            columns["position"].append(stage.position)
            columns["open_position"].append(stage.open_position)
            columns["probability"].append(stage.probability)
            columns["forecast_category"].append(stage.forecast_category)
            columns["max_days"].append(stage.max_days)
            columns["outcome"].append(stage.outcome)
        schema = ibis.schema({"process": "string", "version": "int64", "stage": "string", "position": "int64",
                              "open_position": "int64", "probability": "int64", "forecast_category": "string",
                              "max_days": "int64", "outcome": "string"})
        return arrow_memtable(columns, schema)

    def requirement_table(self) -> ir.Table:
        """The activities each outcome stage requires, as an Ibis table (`shared_memtable`)."""
        rows = tuple(tuple(row) for row in self.requirements)
        return shared_memtable(("requirements", rows), lambda: self._activity_table(rows))

    def activity_table(self) -> ir.Table:
        """The activities each stage recommends (required ones included), as an Ibis table (`shared_memtable`)."""
        rows = tuple(tuple(row) for row in self.activities)
        return shared_memtable(("activities", rows), lambda: self._activity_table(rows))

    @staticmethod
    def _activity_table(rows: tuple[tuple[Any, ...], ...]) -> ir.Table:
        """(process, version, stage, activity) rows as an Ibis table."""
        return arrow_memtable({"process": [row[0] for row in rows], "version": [row[1] for row in rows],
                               "stage": [row[2] for row in rows], "activity": [row[3] for row in rows]},
                              ibis.schema({"process": "string", "version": "int64", "stage": "string",
                                           "activity": "string"}))


@dataclass
class QualityRows:
    """The plain rows of the sales-process-management reports, already restricted to what the reader may see.

    ``assessments``: id, metric (mystery_shopping | customer_satisfaction | channel_satisfaction), checklist,
    subject_kind, subject_id, subject (label), date, score (percent), passed. ``meetings``: manager_id,
    person_id, date (1:1s held). ``managers``: person id → manager id (active users with a manager).
    ``every_days`` / ``stalled_after_days``: the library's coaching cadence.
    """

    meetings: list[dict[str, Any]] = field(default_factory=list)
    managers: dict[int, int] = field(default_factory=dict)
    every_days: int = 14
    stalled_after_days: int = 21
    #: loads ``assessments`` on their first use (the coaching report, for one, never reads them)
    load_assessments: Callable[[], list[dict[str, Any]]] = field(default=list, repr=False, compare=False)

    @cached_property
    def assessments(self) -> list[dict[str, Any]]:
        """The assessments (`load_assessments`, called once)."""
        return self.load_assessments()


@dataclass
class ReportSettings:
    """What the library settings (``forecasting``) tell the reports: the fields naming why a record was lost."""

    lost_reason_field: str | None = None
    lost_reason_note_field: str | None = None


@dataclass
class Data:
    """The input of every report: normalised event and record tables on one backend, and reference data.

    ``events``: the flat record events (`tables.flatten_events`) of the records the reader may see;
    ``history``: their value changes (`tables.value_history`).
    ``records``: record_id, process, record_kind, version, stage, owner_id, customer_id, amount (in the
    corporate currency ``currency`` at the rate in force on ``now``'s date; null without a rate),
    amount_original (in the record's own currency), rate, currency, close_date, classification, probability_override, type, source (a lead's source),
    end_date (a contract's end, ISO text), outcome, created_at, closed_at.
    ``links``: the hand-off links between records the reader may see (both ends): link_id,
    source_id, target_id, kind, handoff, created_at.
    ``memberships``: user_id, team. ``users``: user id → user name. ``targets`` and ``snapshots``
    are plain rows from the operational database.
    """

    backend: Any
    events: ir.Table
    history: ir.Table
    records: ir.Table
    memberships: ir.Table
    users: dict[int, str]
    catalog: Catalog
    now: datetime.datetime
    targets: list[dict[str, Any]] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    #: the name of the backend (duckdb | postgres)
    engine: str = "duckdb"
    #: the stays in stages (`tables.visit_base`) when the source keeps them; else derived from ``events``
    visits: ir.Table | None = None
    #: the links between records (`tables.normalize_links`); None: no links (an empty table is used)
    links: ir.Table | None = None
    #: the corporate currency every amount is in (``records.amount`` converted at ``now``'s rates)
    currency: str = "EUR"
    #: the stored exchange rates (`money.normalize_rates`); None: none (only the corporate currency converts)
    rates: ir.Table | None = None
    #: the same rates in memory (a `salesflow.currency.book.RateBook`) for the plain rows (targets)
    book: Any = None
    #: assessments, 1:1 meetings and managers (the sales-process-management reports), or a function loading
    #: them on first use (`quality`: most reports never need them)
    quality_rows: QualityRows | Callable[[], QualityRows] = field(default_factory=QualityRows)
    #: the library settings the reports need
    settings: ReportSettings = field(default_factory=ReportSettings)

    _cache: dict[str, ir.Table] = field(default_factory=dict)
    _expressions: dict[str, ir.Table] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """``records.amount`` in the corporate currency at the rates in force on ``now``'s date (the record's own
        amount kept as ``amount_original``, the factor as ``rate``) — unless the records come converted."""
        if "amount_original" not in self.records.columns:
            from salesflow.analytics.reports.money import convert, rates_of

            # computed once (a temporary DuckDB table), not again in every query that reads the records
            self.records = self.materialized(convert(self.records, rates_of(self), self.currency,
                                                     self.now.astimezone(datetime.UTC).date()))

    @property
    def quality(self) -> QualityRows:
        """Assessments, 1:1 meetings and managers (loaded on first use when given as a function)."""
        if callable(self.quality_rows):
            self.quality_rows = self.quality_rows()
        return self.quality_rows

    def cached(self, name: str, build: Callable[[], ir.Table]) -> ir.Table:
        """A derived table computed once per `Data` and kept in the embedded DuckDB (a temporary table).

        On PostgreSQL the expression is used as it is (no temporary tables in the operational database).
        """
        if name not in self._cache:
            self._cache[name] = self.materialized(build())
        return self._cache[name]

    def has_cached(self, name: str) -> bool:
        """Whether the derived table ``name`` was computed already (`cached`)."""
        return name in self._cache

    def expression(self, name: str, build: Callable[[], ir.Table]) -> ir.Table:
        """An expression built once per `Data` (building Ibis expressions takes time; it is not computed)."""
        if name not in self._expressions:
            self._expressions[name] = build()
        return self._expressions[name]

    def materialized(self, expression: ir.Table) -> ir.Table:
        """``expression`` computed once into a temporary DuckDB table (on PostgreSQL: as it is).

        The table is named after the expression's SQL (`sqlmemo.cached_table`), so the queries reading it
        compile to the same SQL in every run and are compiled once per process.
        """
        if self.engine != "duckdb":
            return expression
        return sqlmemo.cached_table(self.backend, expression, self.now)

    def targets_on(self, day: datetime.date) -> list[dict[str, Any]]:
        """The targets with their amounts in the corporate currency at the rates in force on ``day``
        (targets without a rate left out: `missing_targets_on`)."""
        from salesflow.analytics.planning import targets_in_currency

        return targets_in_currency(self.targets, self.book, self.currency, day)[0]

    def missing_targets_on(self, day: datetime.date) -> list[dict[str, Any]]:
        """The targets in a currency without a rate on ``day``."""
        from salesflow.analytics.planning import targets_in_currency

        return targets_in_currency(self.targets, self.book, self.currency, day)[1]

    def rows(self, expr: ir.Table) -> list[dict[str, Any]]:
        """Run an expression on the backend and return its rows as dicts (through Arrow, no pandas).

        On DuckDB the SQL comes from the process's memo of compiled expressions (`sqlmemo`).
        """
        if self.engine != "duckdb":
            return self.backend.to_pyarrow(expr).to_pylist()
        return sqlmemo.to_pyarrow(self.backend, expr, self.now).to_pylist()


@dataclass
class Params:
    """The filters and options of a report (all optional)."""

    process: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None        # inclusive
    by: str | None = None
    period: Period | None = None
    as_of: datetime.datetime | None = None
    seed: int = 0
    trials: int = 10_000
    calibrated: bool = True
    #: Without a process, per-process reports speak of the opportunity process; True asks for every process.
    all_processes: bool = False

    def check(self) -> None:
        """Refuse inconsistent parameters with `BadInput`."""
        if self.by is not None and self.by not in (*DIMENSIONS, "amount-band"):
            raise BadInput(f"--by: one of {', '.join(DIMENSIONS)} expected, got {self.by!r}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise BadInput(f"--from {self.date_from} is after --to {self.date_to}")
        if self.trials < 10_000 or self.trials > 1_000_000:
            raise BadInput(f"--trials: between 10000 and 1000000, got {self.trials}")

    def to_data(self) -> dict[str, Any]:
        """The parameters as JSON-ready data."""
        return {
            "process": self.process,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "by": self.by,
            "period": self.period.key if self.period else None,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }

    @property
    def from_at(self) -> datetime.datetime | None:
        """Start of the date range (UTC midnight)."""
        if self.date_from is None:
            return None
        return datetime.datetime.combine(self.date_from, datetime.time(), tzinfo=datetime.UTC)

    @property
    def to_at(self) -> datetime.datetime | None:
        """End of the date range: midnight after ``date_to`` (the range includes that day)."""
        if self.date_to is None:
            return None
        return datetime.datetime.combine(self.date_to + datetime.timedelta(days=1), datetime.time(),
                                         tzinfo=datetime.UTC)


@dataclass
class Column:
    """A column of a report table: key in the rows, a label, and how to show it."""

    key: str
    label: str
    kind: str = "text"   # text | int | money | pct | days | num | list


@dataclass
class Table:
    """A table of a report."""

    columns: list[Column]
    rows: list[dict[str, Any]]
    title: str = ""

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"title": self.title, "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
                "rows": self.rows}


@dataclass
class Report:
    """The result of a report: a summary, named tables (the first is the main one) and notes."""

    kind: str
    title: str
    params: dict[str, Any]
    summary: dict[str, Any]
    tables: dict[str, Table]
    notes: list[str] = field(default_factory=list)

    @property
    def main(self) -> str:
        """The name of the main table."""
        return next(iter(self.tables))

    def to_data(self) -> dict[str, Any]:
        """The whole report as JSON-ready data."""
        return {"kind": self.kind, "title": self.title, "params": self.params, "summary": self.summary,
                "tables": {name: table.to_data() for name, table in self.tables.items()}, "notes": self.notes}


# --- small helpers shared by the reports ------------------------------------------------------------

def ts(value: datetime.datetime) -> ir.Value:
    """A UTC timestamp literal."""
    return ibis.literal(value.astimezone(datetime.UTC), type="timestamp('UTC')")


def seconds_between(later: ir.Value, earlier: ir.Value) -> ir.Value:
    """Seconds from ``earlier`` to ``later`` (fractional), the same on every backend."""
    return later.epoch_seconds().cast("float64") - earlier.epoch_seconds().cast("float64")


def ratio(numerator: float | int | None, denominator: float | int | None, digits: int = 4) -> float | None:
    """numerator / denominator rounded, None when the denominator is 0 or missing."""
    if numerator is None or not denominator:
        return None
    return round(float(numerator) / float(denominator), digits)


def money(value: Any) -> float:
    """An amount rounded to cents (0 for missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0.0
    return round(float(value), 2)


def days(seconds: Any) -> float | None:
    """Seconds → days, rounded to 2 decimals (None for missing)."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return None
    return round(float(seconds) / SECONDS_PER_DAY, 2)


def index_rows(rows: Iterable[dict[str, Any]], *keys: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Rows keyed by the values of ``keys``."""
    return {tuple(row[key] for key in keys): row for row in rows}


def sort_groups(groups: Iterable[str]) -> list[str]:
    """Group labels in a stable order, the "(none)" group last."""
    return sorted(set(groups), key=lambda label: (label == NONE_LABEL, str(label)))


ReportFunction = Callable[[Data, Params], Report]
