"""Import a Salesforce Data Export / Data Loader folder into a process.

Files (names matched ignoring case): ``Opportunity.csv`` (or ``Opportunities.csv``; required),
``OpportunityHistory.csv``, ``Account.csv`` (``Accounts.csv``), ``User.csv`` (``Users.csv``). A
folder of the Salesforce CLI's tree export (``Opportunities.json`` …) is read when it has no CSV.

Everything is read and checked first; any problem aborts with ``file:row: column: message`` for
every bad row and nothing is written (``skip_invalid`` imports the valid rows and reports the
rest). The valid rows are spooled to disk (memory stays flat in the number of history rows). Then
one transaction writes users, accounts, records and events in bulk, opportunity by opportunity
(rows built without model objects, written by a second thread while the next ones are built):

- a new opportunity becomes a record in its current stage (not through our gates) with an imported
  ``record_created`` event at its CreatedDate (in the stage of its first history row);
- each OpportunityHistory row becomes imported stage-change, amount, close-date and probability
  events at its CreatedDate, attributed to its CreatedById (a user from User.csv, or a placeholder
  ``sf-<id>``: inactive, no roles);
- differences between the last history row and the opportunity's current values become events
  at its LastModifiedDate.

Every opportunity, account and user is linked through an `ExternalRef`; an opportunity's ref also
keeps a history watermark (``data["history"]``: CreatedDate and Id of its last imported history
row, and how many were imported), so importing the same export again changes nothing and a newer
export adds only the history rows after the watermark (Salesforce's history only grows) and the
changed opportunities. Opportunities linked by an older importer (one ref per history row) are
matched row by row once, then get a watermark. Times without a zone are UTC (as Salesforce exports
them). A large opportunity or history CSV is checked in two halves at once (the second in a forked
process); the write pass reads the spooled history back through a forked reader. See
``benchmarks/README.md`` for why the writes are shaped as they are (the GIL).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import os
import pickle
import shutil
import signal
import sqlite3
import tempfile
import threading
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from salesflow.engine.errors import BadInput
from salesflow.interop import parsing
from salesflow.interop.engine import (
    SYSTEM_ACTOR,
    AccountSpec,
    Actor,
    BackgroundInserts,
    ImportSummary,
    ImportWriter,
    Snapshot,
    UserSpec,
    change_json,
    fingerprint,
    flat_json,
    run_import,
    transition_changes,
)
from salesflow.interop.lengths import too_long
from salesflow.interop.mapping import SALESFORCE_STAGES, SALESFORCE_TYPES, Maps, load_maps
from salesflow.interop.problems import DEFAULT_LIMIT, ImportFailed, Problem, Problems
from salesflow.interop.progress import Progress, silent
from salesflow.interop.sources import find_file, open_source
from salesflow.interop.tabular import Sheet, SheetError, cell, encoding_message, sniff_delimiter
from salesflow.process.model import ProcessDefinition
from salesflow.records import eventlog
from salesflow.records.eventlog import BulkChain
from salesflow.records.services import definition_of, get_process

SYSTEM = "salesforce"
OPPORTUNITY_FILES = ("Opportunity.csv", "Opportunities.csv", "Opportunity.xlsx", "Opportunities.json")
HISTORY_FILES = ("OpportunityHistory.csv", "OpportunityHistories.csv")
ACCOUNT_FILES = ("Account.csv", "Accounts.csv", "Account.xlsx", "Accounts.json")
USER_FILES = ("User.csv", "Users.csv", "User.xlsx")

#: Salesforce's default probability of its standard stages: a different explicit Probability is an override.
STANDARD_PROBABILITIES = {
    "prospecting": 10, "qualification": 10, "needs analysis": 20, "value proposition": 50,
    "id. decision makers": 60, "perception analysis": 70, "proposal/price quote": 75,
    "negotiation/review": 90, "closed won": 100, "closed lost": 0,
}
FORECAST_CATEGORIES = {"pipeline": "pipeline", "best case": "best_case", "bestcase": "best_case",
                       "commit": "commit", "forecast": "commit", "closed": "closed", "omitted": "omitted"}

#: The columns of Opportunity.csv the importer reads.
OPPORTUNITY_COLUMNS = ("Id", "Name", "StageName", "Amount", "Probability", "CloseDate", "Type", "ForecastCategoryName",
                       "OwnerId", "AccountId", "IsClosed", "IsWon", "CreatedDate", "LastModifiedDate", "SystemModstamp",
                       "CreatedById", "LastModifiedById", "LastStageChangeDate", "CurrencyIsoCode", "IsDeleted",
                       "ForecastCategory")
#: Opportunities per part of the write pass (the spools hand them over part by part).
PART = 2000


class Opportunity(NamedTuple):
    """One valid row of Opportunity.csv (times as `parsing.instant_text`: UTC, sortable)."""

    position: int  # 1, 2, … in file order (the first item of a `HistoryRow`)
    external_id: str
    row: int
    title: str
    sf_stage: str
    stage: str
    amount: str | None
    close_date: str | None
    override: int | None
    probability: int | None
    type: str | None
    forecast: str
    owner: str
    account: str
    currency: str
    created_at: str | None
    modified_at: str | None
    created_by: str
    modified_by: str
    stage_changed_at: str | None
    fingerprint: str

    @property
    def state(self) -> Snapshot:
        """The opportunity's current values as a snapshot."""
        return Snapshot(self.stage, self.amount, self.close_date, self.override)


#: A history row as the write pass reads it back: (opportunity position, id, at, actor, stage, amount,
#: probability override, close date, Salesforce stage, forecast category).
HistoryRow = tuple[int, str, str, str, str, str | None, int | None, str | None, str, str]
H_ID, H_AT, H_STAGE, H_AMOUNT, H_OVERRIDE, H_CLOSE = 1, 2, 4, 5, 6, 7


class HistorySpool:
    """OpportunityHistory rows on disk (a scratch SQLite file): memory stays flat in the file size.

    Rows go in in file order; duplicate ids are found with one query; the write pass reads the
    valid rows back grouped by opportunity, each opportunity's in time order (then id).
    """

    COLUMNS = "opportunity, id, at, actor, stage, amount, override, close_date, sf_stage, forecast"

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="salesflow-sf-")
        self.db = sqlite3.connect(os.path.join(self.folder, "history.sqlite3"), isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -32768", "temp_store = FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("CREATE TABLE history (row INTEGER PRIMARY KEY, id TEXT NOT NULL, opportunity INTEGER, "
                        "at TEXT, actor TEXT, stage TEXT, amount TEXT, override INTEGER, close_date TEXT, "
                        "sf_stage TEXT, forecast TEXT, bad INTEGER NOT NULL)")
        self.db.execute("BEGIN")
        self.pending: list[tuple[Any, ...]] = []
        self.ordered = True  # so far, the valid rows came grouped by opportunity and in time order
        self.last_key: tuple[Any, ...] = (0, "", "")
        self.first_key: tuple[Any, ...] | None = None

    def add(self, row: tuple[Any, ...]) -> None:
        """One row: (row number, id, opportunity position, at, actor, stage, amount, override, close date,
        Salesforce stage, forecast category, bad)."""
        if not row[11] and self.ordered:
            key = (row[2], row[3], row[1])
            if self.first_key is None:
                self.first_key = key
            if key < self.last_key:
                self.ordered = False
            self.last_key = key
        self.pending.append(row)
        if len(self.pending) >= 20000:
            self.flush()

    def flush(self) -> None:
        """Write the pending rows."""
        if self.pending:
            self.db.executemany("INSERT INTO history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.pending)
            self.pending = []

    def finish(self) -> None:
        """All rows are in."""
        self.flush()
        self.db.execute("COMMIT")

    def merge(self, path: str, offset: int, ordered: bool, first_key: tuple[Any, ...] | None) -> None:
        """Append the rows of another (finished) spool's file, its row numbers shifted by ``offset``
        (``ordered`` and ``first_key``: that spool's)."""
        self.ordered = self.ordered and ordered and (first_key is None or self.last_key <= first_key)
        self.db.execute("ATTACH DATABASE ? AS half", (path,))
        self.db.execute("INSERT INTO history SELECT row + ?, id, opportunity, at, actor, stage, amount, "
                        "override, close_date, sf_stage, forecast, bad FROM half.history", (offset,))
        self.db.execute("DETACH DATABASE half")

    def duplicates(self) -> Iterator[tuple[int, str, int]]:
        """(row, id, first row) of every row whose id an earlier row has."""
        cursor = self.db.execute("SELECT row, id FROM history WHERE id IN "
                                 "(SELECT id FROM history GROUP BY id HAVING COUNT(*) > 1) ORDER BY id, row")
        found: list[tuple[int, str, int]] = []
        first: tuple[int, str] = (0, "")
        for row, external_id in cursor:
            if external_id != first[1]:
                first = (row, external_id)
            else:
                found.append((row, external_id, first[0]))
        found.sort()
        yield from found

    def mark_bad(self, rows: list[int]) -> None:
        """Leave these rows out."""
        for part in range(0, len(rows), 500):
            chunk = rows[part:part + 500]
            self.db.execute(f"UPDATE history SET bad = 1 WHERE row IN ({', '.join('?' * len(chunk))})", chunk)

    def groups(self, db: sqlite3.Connection | None = None) -> Iterator[tuple[int, list[HistoryRow]]]:
        """The valid rows grouped by opportunity position (increasing), each group by time, then id.

        A file already in that order (as rows were added) is read back as it is, without sorting.
        """
        order = "row" if self.ordered else "opportunity, at, id"
        cursor = (db or self.db).execute(f"SELECT {self.COLUMNS} FROM history WHERE bad = 0 ORDER BY {order}")
        for position, rows in groupby(cursor, itemgetter(0)):
            yield position, list(rows)

    def forked_groups(self) -> Iterator[tuple[int, list[HistoryRow]]]:
        """`groups`, read by a process forked now and handed over through a pipe in pickled batches.

        The write pass then gives up the GIL once per batch instead of once per row (each SQLite step
        does), and the reading runs on another core. Call it before any thread starts; in a process
        with threads (or without ``fork``) the groups are read here. A reader that dies before its
        last batch raises an error instead of ending the groups early.
        """
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return self.groups()
        read_end, write_end = os.pipe()
        with contextlib.suppress(ImportError, AttributeError, OSError):  # a larger pipe: fewer hand-overs (Linux)
            import fcntl

            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 1 << 20)
        path = os.path.join(self.folder, "history.sqlite3")
        pid = os.fork()
        if pid == 0:  # the reader: its own connection to the spool; exits without any clean-up
            status = 1
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb", buffering=1 << 20) as out:
                    batch: list[tuple[int, list[HistoryRow]]] = []
                    for group in self.groups(sqlite3.connect(path)):
                        batch.append(group)
                        if len(batch) >= 500:
                            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                            batch = []
                    pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                    pickle.dump(None, out)  # the end
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        return self._receive(read_end, pid)

    @staticmethod
    def _receive(read_end: int, pid: int) -> Iterator[tuple[int, list[HistoryRow]]]:
        finished = False
        try:
            with os.fdopen(read_end, "rb", buffering=1 << 20) as incoming:
                while True:
                    try:
                        batch = pickle.load(incoming)
                    except EOFError:
                        raise RuntimeError("reading the spooled history failed (its reader ended early)") from None
                    if batch is None:
                        finished = True
                        return
                    yield from batch
        finally:
            if not finished:  # closed early (the import failed): stop the reader
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)

    def close(self) -> None:
        """Delete the scratch file."""
        with contextlib.suppress(sqlite3.ProgrammingError):
            self.db.close()
        shutil.rmtree(self.folder, ignore_errors=True)


#: CSV files (opportunities, history) at least this large are checked in two halves at once (two processes).
PARALLEL_CSV_BYTES = 16 * 1024 * 1024
#: The record `_Window` appends to the first half: read back as one record only if the split is a record boundary.
SPLIT_SENTINEL = "\uffffsalesflow-split\uffff"


def _record_boundary(path: Path, near: int) -> int | None:
    """The first record boundary (just after a line break outside quotes) at or after byte ``near``.

    Outside quotes, the number of ``"`` before a position is even (an escaped quote is two); a stray
    quote in an unquoted cell breaks that rule, which the reader of the first half then notices.
    """
    quotes = 0
    with path.open("rb") as handle:
        left = near
        while left > 0:
            chunk = handle.read(min(1 << 23, left))
            if not chunk:
                return None
            quotes += chunk.count(b'"')
            left -= len(chunk)
        position = near
        while True:
            chunk = handle.read(1 << 20)
            if not chunk:
                return None
            start = 0
            while True:
                end = chunk.find(b"\n", start)
                if end < 0:
                    quotes += chunk.count(b'"', start)
                    break
                quotes += chunk.count(b'"', start, end)
                if quotes % 2 == 0:
                    return position + end + 1
                start = end + 1
            position += len(chunk)


def _delimiter_of(path: Path) -> str | None:
    """The delimiter `open_sheet` uses for this CSV file (None if its first line cannot be read)."""
    with path.open("rb") as handle:
        head = handle.read(65536)
    try:
        first_line = head.decode("utf-8-sig", errors="strict").splitlines()[0]
    except (UnicodeDecodeError, IndexError):
        return None
    return sniff_delimiter(first_line)


class _Bytes(io.RawIOBase):
    """Bytes ``start`` to ``stop`` (None: the end) of a file, then ``tail``."""

    def __init__(self, path: Path, start: int, stop: int | None, tail: bytes) -> None:
        self.handle = path.open("rb")
        self.handle.seek(start)
        self.left = None if stop is None else stop - start
        self.tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self.left is None:
            return self.handle.readinto(view)
        if self.left > 0:
            count = self.handle.readinto(view[:min(len(view), self.left)])
            if count:
                self.left -= count
                return count
            self.left = 0
        count = min(len(view), len(self.tail))
        view[:count] = self.tail[:count]
        self.tail = self.tail[count:]
        return count

    def close(self) -> None:
        self.handle.close()
        super().close()


class _Window:
    """The CSV rows of one part of a file, numbered like `open_sheet` numbers them.

    The first part (``stop`` given) ends with `SPLIT_SENTINEL` as an extra record: ``clean`` tells
    whether it was read back as a record of its own (so ``stop`` was a record boundary).
    """

    def __init__(self, name: str, path: Path, start: int, stop: int | None, delimiter: str, encoding: str) -> None:
        self.name = name
        tail = f"{SPLIT_SENTINEL}\r\n".encode() if stop is not None else b""
        self.raw = _Bytes(path, start, stop, tail)
        self.text = io.TextIOWrapper(io.BufferedReader(self.raw, 1 << 20), encoding=encoding, errors="strict",
                                     newline="")
        self.reader = csv.reader(self.text, delimiter=delimiter, strict=False)
        self.sentinel = stop is not None
        self.clean = not self.sentinel
        self.last_number = 0

    def rows(self, skip_header: bool) -> Iterator[tuple[int, list[Any]]]:
        """(number, cells) of each non-blank row: the header is row 1 (the child's part starts at 1)."""
        number = 1 if skip_header else 0
        try:
            if skip_header:
                next(self.reader)
            for cells in self.reader:
                number += 1
                if self.sentinel and cells == [SPLIT_SENTINEL]:
                    self.clean = True
                    self.last_number = number - 1
                    continue
                self.clean = False
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                yield number, cells
        except UnicodeDecodeError as error:
            raise SheetError(self.name, encoding_message(error), row=number + 1) from None
        except csv.Error as error:
            raise SheetError(self.name, f"not a readable CSV row: {error}", row=number + 1) from None
        finally:
            self.text.close()


class OpportunitySpool:
    """The valid opportunities on disk (pickled batches, in file order): read back part by part.

    A second half checked by a forked process (its own spool file) is appended with `append`.
    """

    def __init__(self) -> None:
        handle = tempfile.NamedTemporaryFile(prefix="salesflow-sf-opportunities-", suffix=".pickle",  # noqa: SIM115
                                             delete=False)
        self.path = handle.name
        self.handle: Any = handle
        self.batch: list[tuple[Any, ...]] = []
        self.count = 0
        #: A forked half's spool file, its positions → ours (0: left out), its row offset.
        self.half: tuple[str, array, int] | None = None

    def add(self, item: Opportunity) -> None:
        """Append one opportunity."""
        self.batch.append(tuple(item))
        self.count += 1
        if len(self.batch) >= PART:
            self._dump()

    def _dump(self) -> None:
        if self.batch:
            pickle.dump(self.batch, self.handle, protocol=pickle.HIGHEST_PROTOCOL)
            self.batch = []

    def restart(self) -> None:
        """Forget every opportunity added."""
        self.handle.seek(0)
        self.handle.truncate()
        self.batch = []
        self.count = 0

    def append(self, path: str, positions: array, offset: int) -> None:
        """After this spool's opportunities, those of another spool file (a forked half's): each gets the
        position ``positions[its position]`` (left out if 0) and its row number plus ``offset``."""
        self.half = (path, positions, offset)
        self.count += sum(1 for position in positions if position)

    def finish(self) -> None:
        """All opportunities are in."""
        self._dump()
        self.handle.close()

    def parts(self) -> Iterator[list[Opportunity]]:
        """The opportunities in batches, in file order."""
        yield from self._parts(self.path)
        if self.half is not None:
            path, positions, offset = self.half
            for batch in self._parts(path):
                part = [item._replace(position=positions[item.position], row=item.row + offset) for item in batch
                        if positions[item.position]]
                if part:
                    yield part

    @staticmethod
    def _parts(path: str) -> Iterator[list[Opportunity]]:
        with open(path, "rb") as spool:
            while True:
                try:
                    yield [Opportunity._make(values) for values in pickle.load(spool)]
                except EOFError:
                    return

    def close(self) -> None:
        """Delete the spool files."""
        if not self.handle.closed:
            self.handle.close()
        for path in (self.path, self.half[0] if self.half else None):
            if path:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)


@dataclass
class Plan:
    """What pass 1 found: compact per-opportunity state, problems; the rows themselves are spooled."""

    users: dict[str, UserSpec] = field(default_factory=dict)
    accounts: dict[str, AccountSpec] = field(default_factory=dict)
    opportunity_index: dict[str, int] = field(default_factory=dict)  # external id → index (1, 2, …)
    opportunity_rows: array = field(default_factory=lambda: array("l", [0]))  # index → row number
    opportunity_accounts: set[str] = field(default_factory=set)
    opportunities: OpportunitySpool | None = None
    history: HistorySpool | None = None
    history_file: str = ""
    history_rows: int = 0
    referenced_users: set[str] = field(default_factory=set)
    unmapped: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    unmapped_types: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        """Delete the spools."""
        for spool in (self.opportunities, self.history):
            if spool is not None:
                spool.close()
        self.opportunities = self.history = None


class SalesforceImport:
    """One import of a Salesforce export folder (see the module docstring)."""

    def __init__(self, directory: str | Path, process: str = "opportunity-management",
                 stage_map: str | Path | None = None, *, skip_invalid: bool = False, currency: str = "EUR",
                 problem_limit: int = DEFAULT_LIMIT, progress: Progress | None = None) -> None:
        self.directory = Path(directory)
        self.process_key = process
        self.skip_invalid = skip_invalid
        self.currency = currency.upper()
        self.problem_limit = problem_limit
        self.progress = progress or silent
        process_object = get_process(process)
        version = process_object.current_version()
        if version is None:
            raise BadInput(f"process {process} has no approved version: approve one before importing")
        self.definition: ProcessDefinition = definition_of(version)
        self.maps: Maps = load_maps(stage_map, self.definition, SALESFORCE_STAGES, SALESFORCE_TYPES)
        self.problems = Problems()
        self.plan = Plan()
        self.invalid_opportunities: set[str] = set()
        #: Whether opportunities were linked before the write pass began (set by `write`).
        self.linked_before = True

    # --- entry point -------------------------------------------------------------------------------

    def run(self, dry_run: bool = False) -> ImportSummary:
        """Read, check, then write (or, in a dry run, simulate and roll back). Raises `ImportFailed`."""
        summary = ImportSummary(SYSTEM, self.process_key)
        try:
            self.read()
            blocking = self.problems.fatal or (self.problems and not self.skip_invalid and not dry_run)
            if blocking:
                raise ImportFailed(self.report(), self.headline(), limit=self.problem_limit)
            summary.skipped = list(self.problems.items)
            summary.notes.extend(self.plan.notes)
            if dry_run and self.problems and not self.skip_invalid:
                summary.notes.append(f"{len(self.problems)} problem(s): a real import would fail (counts show the "
                                     "valid rows only)")
                summary.notes.extend(self.unmapped_lines())
            return run_import(lambda: self.write(summary), summary, dry_run)
        finally:
            self.plan.close()

    def headline(self) -> str:
        """The one-line reason an import failed."""
        unmapped = len(self.plan.unmapped) + len(self.plan.unmapped_types)
        extra = f" ({unmapped} unmapped name(s))" if unmapped else ""
        return f"{len(self.problems)} problem(s) found{extra}; nothing was written"

    def unmapped_lines(self) -> list[str]:
        """One line per unmapped stage / type name with where it occurs."""
        lines = []
        for label, found in (("stage", self.plan.unmapped), ("type", self.plan.unmapped_types)):
            for name, places in sorted(found.items()):
                where = _places(places)
                lines.append(f"Unmapped {label} {name!r} ({where}).")
            if found:
                hint = "--stage-map FILE (stages:)" if label == "stage" else "--stage-map FILE (types:)"
                lines.append(f"Map {'them' if len(found) > 1 else 'it'} with {hint}.")
        return lines

    def report(self) -> list[Problem]:
        """Every problem, unmapped-name summaries first."""
        return [Problem("", None, "", line) for line in self.unmapped_lines()] + list(self.problems.items)

    # --- pass 1: read and check ----------------------------------------------------------------------

    def read(self) -> None:
        """Read every file; collect problems; spool valid history rows."""
        if not self.directory.is_dir():
            raise ImportFailed([Problem(str(self.directory), None, "", "no such folder")],
                               f"{self.directory}: no such folder")
        opportunity_file = find_file(self.directory, OPPORTUNITY_FILES)
        if opportunity_file is None:
            raise ImportFailed([Problem(str(self.directory), None, "",
                                        "no Opportunity.csv (required) in the folder")],
                               f"{self.directory}: no Opportunity.csv in the folder; nothing was written")
        user_file = find_file(self.directory, USER_FILES)
        account_file = find_file(self.directory, ACCOUNT_FILES)
        history_file = find_file(self.directory, HISTORY_FILES)
        if user_file:
            self._sheet(user_file, self.read_users)
        if account_file:
            self._sheet(account_file, self.read_accounts)
        self._sheet(opportunity_file, self.read_opportunities)
        if history_file and not self.problems.fatal:
            self.plan.history_file = history_file.name
            self._sheet(history_file, self.read_history)

    def _sheet(self, path: Path, reader: Callable[[Sheet], None]) -> None:
        try:
            sheet = open_source(path)
            duplicates = sheet.duplicate_headers()
            if duplicates:
                self.problems.add_fatal(sheet.name, f"duplicate column(s): {', '.join(duplicates)}", row=1)
                return
            reader(sheet)
        except SheetError as error:
            self.problems.add_fatal(error.file, error.message, row=error.row)

    def _require(self, sheet: Sheet, *names: str) -> bool:
        missing = [name for name in names if not sheet.has(name)]
        if missing:
            self.problems.add_fatal(sheet.name, f"missing required column(s): {', '.join(missing)} (the columns are: "
                                    f"{', '.join(sheet.header)})", row=1)
            return False
        return True

    def read_users(self, sheet: Sheet) -> None:
        """User.csv: Id, Username, FirstName, LastName, Email."""
        if not self._require(sheet, "Id"):
            return
        column = {name: sheet.index(name) for name in ("Id", "Username", "FirstName", "LastName", "Email", "Name")}
        for number, cells in sheet.rows:
            external_id = cell(cells, column["Id"]) or ""
            if not external_id:
                self.problems.add(sheet.name, number, "Id", "a user id is required")
                continue
            if external_id in self.plan.users:
                self.problems.add(sheet.name, number, "Id", f"duplicate id {external_id!r}")
                continue
            first, last = str(cell(cells, column["FirstName"]) or ""), str(cell(cells, column["LastName"]) or "")
            if not first and not last and cell(cells, column["Name"]):
                first, _, last = str(cell(cells, column["Name"])).partition(" ")
            email = str(cell(cells, column["Email"]) or "")
            username = str(cell(cells, column["Username"]) or "") or f"sf-{external_id}"
            fits = True
            for label, value, kind in (("Id", external_id, "external_id"), ("Username", username, "username"),
                                       ("FirstName", first, "first_name"), ("LastName", last, "last_name"),
                                       ("Email", email, "email")):
                if message := too_long(value, kind):
                    self.problems.add(sheet.name, number, label, message)
                    fits = False
            if not fits:
                continue
            self.plan.users[external_id] = UserSpec(external_id, username, first, last,
                                                    email if "@" in email else "")

    def read_accounts(self, sheet: Sheet) -> None:
        """Account.csv: Id, Name, Website."""
        if not self._require(sheet, "Name"):
            return
        id_column, name_column, site_column = sheet.index("Id"), sheet.index("Name"), sheet.index("Website")
        for number, cells in sheet.rows:
            name = str(cell(cells, name_column) or "")
            if not name:
                self.problems.add(sheet.name, number, "Name", "an account name is required")
                continue
            external_id = str(cell(cells, id_column) or "") or f"name:{name}"
            domain = _domain(cell(cells, site_column))
            fits = True
            for label, value, kind in (("Name", name, "account_name"), ("Id", external_id, "external_id"),
                                       ("Website", domain, "domain")):
                if message := too_long(value, kind):
                    self.problems.add(sheet.name, number, label, message)
                    fits = False
            if not fits:
                continue
            if external_id in self.plan.accounts:
                self.problems.add(sheet.name, number, "Id", f"duplicate id {external_id!r}")
                continue
            self.plan.accounts[external_id] = AccountSpec(external_id, name, domain)

    def _stage(self, sheet: str, number: int, raw: Any, column: str = "StageName") -> str | None:
        text = str(raw or "").strip()
        if not text:
            self.problems.add(sheet, number, column, "a stage is required")
            return None
        stage = self.maps.stages.get(text)
        if stage is None:
            self.plan.unmapped.setdefault(text, []).append((sheet, number))
            self.problems.add(sheet, number, column, f"stage {text!r} is not mapped to a stage of {self.process_key}")
        return stage

    def _probability_override(self, sf_stage: str, stage: str, probability: int | None) -> int | None:
        if probability is None:
            return None
        default = STANDARD_PROBABILITIES.get(" ".join(sf_stage.lower().split()))
        if default is None:
            default = self.definition.stage(stage).probability
        return None if probability == default else probability

    def read_opportunities(self, sheet: Sheet) -> None:
        """Opportunity.csv: Name and StageName required; Id strongly advised."""
        if not self._require(sheet, "Name", "StageName"):
            return
        column = {name: sheet.index(name) for name in OPPORTUNITY_COLUMNS}
        if column["Id"] is None:
            self.plan.notes.append(f"{sheet.name} has no Id column: opportunities are matched by AccountId and Name "
                                   "(a re-import of a changed name creates a new record)")
        spool = self.plan.opportunities = OpportunitySpool()
        if not self._opportunities_in_two(sheet, column, spool):
            self._check_opportunities(sheet, column, sheet.rows, spool, self.progress(f"reading {sheet.name}", None))
        spool.finish()
        if not self.plan.opportunity_index and not self.problems:
            self.problems.add_fatal(sheet.name, "the file has no opportunities")

    def _check_opportunities(self, sheet: Sheet, column: dict[str, int | None], rows: Iterator[tuple[int, list[Any]]],
                             spool: OpportunitySpool, advance: Callable[[int], None],
                             seen: list[tuple[int, str, int]] | None = None) -> None:
        """Check opportunity rows into ``spool`` (problems to ``self.problems``). With ``seen`` (a forked half),
        duplicate ids are left to the caller: ``seen`` gets (row, id, position or 0 if invalid) of each row
        with an id."""
        file = sheet.name
        plan = self.plan
        problems = self.problems
        index_of = plan.opportunity_index
        rows_of = plan.opportunity_rows
        names = OPPORTUNITY_COLUMNS
        instant = parsing.parse_instant
        parsers = (("Amount", _cached(parsing.parse_money)), ("Probability", _cached(parsing.parse_percent)),
                   ("CloseDate", _cached(_iso_date)), ("CreatedDate", instant), ("LastModifiedDate", instant),
                   ("SystemModstamp", instant), ("LastStageChangeDate", instant),
                   ("IsClosed", _cached(parsing.parse_bool)), ("IsWon", _cached(parsing.parse_bool)))
        outcomes = {stage.id: stage.outcome for stage in self.definition.stages}
        width = len(sheet.header)
        # Every cell this reader looks at, in one C call per row: a missing column reads the "" appended
        # at position ``width`` (cells of short rows likewise).
        wanted = itemgetter(*(width if column[name] is None else column[name] for name in names))
        slot = {name: number for number, name in enumerate(names)}
        padding = [""] * (width + 1)
        stage_of = _cached_stage(self.maps)
        for number, cells in rows:
            advance(1)
            cells = [*cells, *padding[len(cells):]] if len(cells) <= width else [*cells[:width], ""]
            found = [value.strip() if type(value) is str else value for value in wanted(cells)]

            def get(name: str, found: list[Any] = found) -> Any:
                return found[slot[name]]

            if column["IsDeleted"] is not None and _truthy(get("IsDeleted")):
                continue
            title = str(get("Name") or "")
            account = str(get("AccountId") or "")
            external_id = str(get("Id") or "") if column["Id"] is not None else f"{account}/{title}"
            bad = False
            if not external_id:
                problems.add(file, number, "Id", "an opportunity id is required")
                bad = True
            elif seen is None and external_id in index_of:
                problems.add(file, number, "Id", _duplicate_message(external_id, rows_of[index_of[external_id]]))
                bad = True
            if not title:
                problems.add(file, number, "Name", "a name is required")
                bad = True
            elif message := too_long(title, "title"):
                problems.add(file, number, "Name", message)
                bad = True
            if message := too_long(external_id, "external_id"):
                problems.add(file, number, "Id", message)
                bad = True
            sf_stage = str(get("StageName") or "")
            stage = stage_of(sf_stage) if sf_stage.strip() else None
            if stage is None:
                self._stage(file, number, sf_stage)  # the problem, and where the unmapped name occurs
            values: dict[str, Any] = {}
            for name, parser in parsers:
                raw = found[slot[name]]
                if raw is None or raw == "":
                    values[name] = None
                    continue
                try:
                    values[name] = parser(raw)
                except ValueError as error:
                    problems.add(file, number, name, str(error))
                    bad = True
            type_id = None
            raw_type = str(get("Type") or "")
            if raw_type:
                type_id = self.maps.types.get(raw_type)
                if type_id is None:
                    plan.unmapped_types.setdefault(raw_type, []).append((file, number))
                    problems.add(file, number, "Type", f"type {raw_type!r} is not mapped to a choice of the type field")
                    bad = True
            currency = str(get("CurrencyIsoCode") or self.currency).upper()
            if len(currency) != 3 or not currency.isalpha():
                problems.add(file, number, "CurrencyIsoCode", f"a three-letter currency code is expected, got "
                             f"{currency!r}")
                bad = True
            forecast_raw = str(get("ForecastCategoryName") or get("ForecastCategory") or "")
            if stage is not None:
                outcome = outcomes[stage]
                closed, won = values["IsClosed"], values["IsWon"]
                if closed is not None and closed != (outcome is not None):
                    problems.add(file, number, "IsClosed", f"says {'closed' if closed else 'open'}, but stage "
                                 f"{sf_stage!r} maps to {stage} ({'closed' if outcome else 'open'})")
                    bad = True
                if won is not None and won != (outcome is not None and outcome.value == "won"):
                    problems.add(file, number, "IsWon", f"says {'won' if won else 'not won'}, but stage "
                                 f"{sf_stage!r} maps to {stage}")
                    bad = True
                if forecast_raw and FORECAST_CATEGORIES.get(forecast_raw.strip().lower()) is None:
                    problems.add(file, number, "ForecastCategoryName", f"unknown forecast category {forecast_raw!r} "
                                 "(Pipeline, Best Case, Commit, Closed, Omitted)")
                    bad = True
            if bad or stage is None:
                if external_id:
                    self.invalid_opportunities.add(external_id)
                    if seen is not None:
                        seen.append((number, external_id, 0))
                continue
            owner = str(get("OwnerId") or "")
            created_by = str(get("CreatedById") or "")
            modified_by = str(get("LastModifiedById") or "")
            for user in (owner, created_by, modified_by):
                if user:
                    plan.referenced_users.add(user)
            if account:
                plan.opportunity_accounts.add(account)
            override = self._probability_override(sf_stage, stage, values["Probability"])
            index = len(rows_of)
            index_of[external_id] = index
            rows_of.append(number)
            if seen is not None:
                seen.append((number, external_id, index))
            spool.add(Opportunity(
                position=index, external_id=external_id, row=number, title=title, sf_stage=sf_stage, stage=stage,
                amount=values["Amount"], close_date=values["CloseDate"], override=override,
                probability=values["Probability"], type=type_id, forecast=forecast_raw, owner=owner, account=account,
                currency=currency, created_at=values["CreatedDate"],
                modified_at=values["LastModifiedDate"] or values["SystemModstamp"], created_by=created_by,
                modified_by=modified_by, stage_changed_at=values["LastStageChangeDate"],
                fingerprint=fingerprint([title, sf_stage, values["Amount"], values["Probability"], values["CloseDate"],
                                         raw_type, forecast_raw, owner, account, currency]),
            ))

    def _opportunities_in_two(self, sheet: Sheet, column: dict[str, int | None], spool: OpportunitySpool) -> bool:
        """Check a large opportunity CSV in two halves at once (see `_in_two`); False: nothing done.

        The second half's valid rows join the index after the first half's, in file order; an id the first
        half has already is a duplicate there (as in one pass)."""
        problems, plan = self.problems, self.plan
        first_problem = len(problems.items)
        before_unmapped = {name: len(places) for name, places in plan.unmapped.items()}
        before_types = {name: len(places) for name, places in plan.unmapped_types.items()}
        before_sets = (set(plan.referenced_users), set(plan.opportunity_accounts), set(self.invalid_opportunities))

        def second(rows: Iterator[tuple[int, list[Any]]]) -> tuple[Any, ...]:
            half = OpportunitySpool()
            seen: list[tuple[int, str, int]] = []
            try:
                self._check_opportunities(sheet, column, rows, half, lambda _count: None, seen)
                half.finish()
            except BaseException:
                half.close()
                raise
            return (half.path, problems.items[first_problem:], _new_places(plan.unmapped, before_unmapped),
                    _new_places(plan.unmapped_types, before_types), plan.referenced_users, plan.opportunity_accounts,
                    self.invalid_opportunities, seen)

        halves = self._in_two(sheet, OPPORTUNITY_FILES, lambda rows: self._check_opportunities(
            sheet, column, rows, spool, self.progress(f"reading {sheet.name}", None)), second,
            lambda result: os.unlink(result[1]))
        if halves is None:
            return False
        _, result, offset = halves
        if result is None:  # not a record boundary after all: undo the first half
            problems.forget_since(first_problem, sheet.name)
            _undo_places(plan.unmapped, before_unmapped)
            _undo_places(plan.unmapped_types, before_types)
            plan.referenced_users, plan.opportunity_accounts, self.invalid_opportunities = before_sets
            plan.opportunity_index.clear()
            del plan.opportunity_rows[1:]
            spool.restart()
            return False
        if result[0] == "sheet":
            problems.add_fatal(sheet.name, result[1], row=result[2] + offset if result[2] is not None else None)
            return True
        _, path, items, unmapped, unmapped_types, referenced, accounts, invalid, seen = result
        self._merge_problems(items, offset)
        _add_places(plan.unmapped, unmapped, offset)
        _add_places(plan.unmapped_types, unmapped_types, offset)
        plan.referenced_users |= referenced
        plan.opportunity_accounts |= accounts
        self.invalid_opportunities |= invalid
        index_of, rows_of = plan.opportunity_index, plan.opportunity_rows
        positions = array("l", [0]) * (len(seen) + 1)  # the child's position → ours (0: left out)
        for number, external_id, child_position in seen:
            number += offset
            if external_id in index_of:
                problems.add(sheet.name, number, "Id", _duplicate_message(external_id, rows_of[index_of[external_id]]))
                self.invalid_opportunities.add(external_id)
            elif child_position:
                positions[child_position] = index_of[external_id] = len(rows_of)
                rows_of.append(number)
        problems.sort_since(first_problem, first="duplicate id")
        spool.append(path, positions, offset)
        return True

    def read_history(self, sheet: Sheet) -> None:
        """OpportunityHistory.csv: Id, OpportunityId, StageName, CreatedDate required (spooled to disk).

        A large CSV file is checked in two halves at once (the second in a forked process).
        """
        if not self._require(sheet, "Id", "OpportunityId", "StageName", "CreatedDate"):
            return
        file = sheet.name
        problems = self.problems
        first_problem = len(problems.items)
        spool = self.plan.history = HistorySpool()
        skipped_rows = self._history_in_two(sheet, spool)
        if skipped_rows is None:  # one process: the whole file (in a fresh spool if the split was undone)
            spool = self.plan.history
            skipped_rows = self._check_history(sheet, sheet.rows, spool, self.progress(f"reading {file}", None))
            spool.finish()
        duplicates = list(spool.duplicates())
        if duplicates:
            for number, external_id, _first in duplicates:
                problems.add(file, number, "Id", f"duplicate id {external_id!r}")
            spool.mark_bad([number for number, *_ in duplicates])
            self.plan.history_rows = spool.db.execute("SELECT COUNT(*) FROM history WHERE bad = 0").fetchone()[0]
            problems.sort_since(first_problem, first="duplicate id")
        if skipped_rows:
            self.plan.notes.append(f"{skipped_rows} history row(s) of invalid opportunities were skipped")

    def _check_history(self, sheet: Sheet, rows: Iterator[tuple[int, list[Any]]], spool: HistorySpool,
                       advance: Callable[[int], None]) -> int:
        """Check history rows into ``spool`` (problems to ``self.problems``); returns the rows skipped because
        their opportunity is invalid."""
        names = ("Id", "OpportunityId", "StageName", "CreatedDate", "CreatedById", "Amount", "Probability",
                 "CloseDate", "ForecastCategory", "IsDeleted")
        column = {name: sheet.index(name) for name in names}
        file = sheet.name
        plan = self.plan
        problems = self.problems
        known = plan.opportunity_index
        invalid = self.invalid_opportunities
        money, percent, date, moment = _cached(parsing.parse_money), _cached(parsing.parse_percent), \
            _cached(_iso_date), parsing.parse_instant
        stage_of = _cached_stage(self.maps)
        override_of = lru_cache(maxsize=4096)(self._probability_override)
        add = spool.add
        referenced = plan.referenced_users
        skipped_rows = 0
        width = len(sheet.header)
        positions = {name: position for name, position in column.items() if position is not None}
        blank_row = [""] * width
        id_at, opportunity_at, stage_at, date_at = (positions[name] for name in ("Id", "OpportunityId", "StageName",
                                                                                  "CreatedDate"))
        deleted_at = positions.get("IsDeleted")
        actor_at, forecast_at = positions.get("CreatedById"), positions.get("ForecastCategory")
        optional = [(name, positions[name], parser) for name, parser in
                    (("Amount", money), ("Probability", percent), ("CloseDate", date)) if name in positions]
        optional_names = ("Amount", "Probability", "CloseDate")
        for number, cells in rows:
            advance(1)
            if len(cells) < width:
                cells = cells + blank_row[len(cells):]
            if deleted_at is not None and _truthy(cells[deleted_at]):
                continue
            external_id = cells[id_at].strip()
            opportunity = cells[opportunity_at].strip()
            bad = False
            if not external_id:
                problems.add(file, number, "Id", "a history row id is required")
                bad = True
            index = known.get(opportunity)
            if index is None:
                bad = True
                if not opportunity:
                    problems.add(file, number, "OpportunityId", "an opportunity id is required")
                elif opportunity in invalid:
                    skipped_rows += 1
                else:
                    problems.add(file, number, "OpportunityId", f"no opportunity {opportunity!r} in the "
                                 "opportunity file")
            sf_stage = cells[stage_at].strip()
            stage = stage_of(sf_stage)
            if stage is None:
                self._stage(file, number, sf_stage)
                bad = True
            raw_at = cells[date_at].strip()
            at = None
            if not raw_at:
                problems.add(file, number, "CreatedDate", "a date is required")
                bad = True
            else:
                try:
                    at = moment(raw_at)
                except ValueError as error:
                    problems.add(file, number, "CreatedDate", str(error))
                    bad = True
            parsed = dict.fromkeys(optional_names)
            for name, position, parser in optional:
                raw = cells[position]
                if raw and not raw.isspace():
                    try:
                        parsed[name] = parser(raw.strip())
                    except ValueError as error:
                        problems.add(file, number, name, str(error))
                        bad = True
            if bad:
                if external_id:  # still counts for finding duplicate ids
                    add((number, external_id, None, None, None, None, None, None, None, None, None, 1))
                continue
            actor = cells[actor_at].strip() if actor_at is not None else ""
            if actor:
                referenced.add(actor)
            add((number, external_id, index, at, actor, stage, parsed["Amount"],
                 override_of(sf_stage, stage, parsed["Probability"]), parsed["CloseDate"], sf_stage,
                 cells[forecast_at].strip() if forecast_at is not None else "", 0))
            plan.history_rows += 1
        return skipped_rows

    def _history_in_two(self, sheet: Sheet, spool: HistorySpool) -> int | None:
        """Check a large history CSV in two halves at once: the second half in a forked process (its own
        scratch spool, merged afterwards), the first here. Returns the skipped-row count, or None (nothing
        done) when the file is small, cannot be split at a record boundary, or the split turns out wrong."""
        problems, plan = self.problems, self.plan
        first_problem = len(problems.items)
        before_unmapped = {name: len(places) for name, places in plan.unmapped.items()}
        before_referenced = set(plan.referenced_users)

        def second(rows: Iterator[tuple[int, list[Any]]]) -> tuple[Any, ...]:
            half = HistorySpool()
            try:
                skipped = self._check_history(sheet, rows, half, lambda _count: None)
                half.finish()
            except BaseException:
                half.close()
                raise
            half.db.close()
            return (half.folder, problems.items[first_problem:], _new_places(plan.unmapped, before_unmapped),
                    plan.referenced_users, skipped, plan.history_rows, half.ordered, half.first_key)

        halves = self._in_two(sheet, HISTORY_FILES, lambda rows: self._check_history(
            sheet, rows, spool, self.progress(f"reading {sheet.name}", None)), second,
            lambda result: shutil.rmtree(result[1], ignore_errors=True))
        if halves is None:
            return None
        skipped, result, offset = halves
        if result is None:  # not a record boundary after all: undo the first half
            problems.forget_since(first_problem, sheet.name)
            _undo_places(plan.unmapped, before_unmapped)
            plan.referenced_users = before_referenced
            plan.history_rows = 0
            spool.close()
            self.plan.history = spool = HistorySpool()
            return None
        if result[0] == "sheet":
            spool.finish()
            problems.add_fatal(sheet.name, result[1], row=result[2] + offset if result[2] is not None else None)
            return skipped
        _, folder, items, unmapped, referenced, child_skipped, child_rows, ordered, first_key = result
        self._merge_problems(items, offset)
        _add_places(plan.unmapped, unmapped, offset)
        plan.referenced_users |= referenced
        plan.history_rows += child_rows
        spool.finish()
        try:
            spool.merge(os.path.join(folder, "history.sqlite3"), offset, ordered, first_key)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return skipped + child_skipped

    def _merge_problems(self, items: list[Problem], offset: int) -> None:
        """A forked half's problems, its row numbers shifted by ``offset``."""
        for item in items:
            self.problems.add(item.file, item.row + offset if item.row is not None else None, item.column,
                              item.message)

    def _in_two(self, sheet: Sheet, files: tuple[str, ...], first: Callable[[Iterator[tuple[int, list[Any]]]], Any],
                second: Callable[[Iterator[tuple[int, list[Any]]]], tuple[Any, ...]],
                discard: Callable[[tuple[Any, ...]], None]) -> tuple[Any, tuple[Any, ...] | None, int] | None:
        """Check a large CSV file in two halves at once: ``second`` (rows of the second half, numbered 1, 2, …)
        in a forked process, ``first`` (rows of the first half) here.

        None: not split (the file is small or not CSV, a single core, threads running, no record boundary
        found) and nothing was done. Else (what ``first`` returned, the child's result, the row offset of
        the second half): the result is ``("ok", *what second returned)``, ``("sheet", message, row)``
        for a file that cannot be read, or None when the split was no record boundary after all (or the
        child failed): ``first``'s effects must be undone and the whole file read in one pass. ``discard``
        removes what an ``"ok"`` result left on disk, when it is not used.
        """
        path = find_file(self.directory, files)
        if path is None or path.suffix.lower() != ".csv" or not hasattr(os, "fork") or \
                path.stat().st_size < PARALLEL_CSV_BYTES or (os.cpu_count() or 1) < 2 or \
                threading.active_count() > 1:  # forking a threaded process (a web server) is not safe
            return None
        boundary = _record_boundary(path, path.stat().st_size // 2)
        delimiter = _delimiter_of(path)
        if boundary is None or delimiter is None:
            return None
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: check the second half, hand the results over, exit without any clean-up
            status = 1
            try:
                os.close(read_end)
                try:
                    result: tuple[Any, ...] = ("ok", *second(_Window(sheet.name, path, boundary, None, delimiter,
                                                                     encoding="utf-8").rows(skip_header=False)))
                except SheetError as error:
                    result = ("sheet", error.message, error.row)
                except Exception as error:  # noqa: BLE001 - the parent falls back to one process
                    result = ("error", repr(error))
                with os.fdopen(write_end, "wb") as out:
                    pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)  # never run the parent's atexit handlers or close its database connection
        os.close(write_end)
        window = _Window(sheet.name, path, 0, boundary, delimiter, encoding="utf-8-sig")
        try:
            mine = first(window.rows(skip_header=True))
        except BaseException:
            result = self._child_result(read_end, pid)
            if result is not None and result[0] == "ok":
                discard(result)
            raise
        result = self._child_result(read_end, pid)
        if result is None or result[0] == "error" or not window.clean:  # not a record boundary after all
            if result is not None and result[0] == "ok":
                discard(result)
            return mine, None, 0
        return mine, result, window.last_number  # the child numbers its rows 1, 2, …

    @staticmethod
    def _child_result(read_end: int, pid: int) -> Any:
        """What the forked process handed over (None if it died), once it has ended."""
        result = None
        with os.fdopen(read_end, "rb") as incoming, contextlib.suppress(Exception):
            result = pickle.load(incoming)
        os.waitpid(pid, 0)
        return result

    # --- pass 2: write ---------------------------------------------------------------------------

    def write(self, summary: ImportSummary) -> None:
        """Write users, accounts, records and events (inside `run_import`'s transaction).

        Opportunity by opportunity (in parts): the new record, its ``record_created`` event, the
        events of its history, then the events to its current values.
        """
        writer = ImportWriter(SYSTEM, self.process_key, summary)
        users = self._users(writer)
        # Only names and ids are needed from here on: the Account objects are let go.
        resolved = self._accounts(writer)
        accounts = {key: account.name for key, account in resolved.items()}
        self.customer_ids = {key: account.pk for key, account in resolved.items()}
        del resolved
        spool = self.plan.history
        # Opportunities linked before this import started (none on a first import: no look-ups per part).
        self.linked_before = writer.has_refs("opportunity")
        _set_constraints("IMMEDIATE")
        groups = spool.forked_groups() if spool is not None else _no_groups()  # before the insert thread starts
        pending = next(groups, None)
        try:
            inserts = BackgroundInserts()
        except BaseException:
            groups.close()
            raise
        writer.insert = inserts.insert
        chain = BulkChain(insert=inserts.insert)
        total = self.plan.opportunities.count if self.plan.opportunities else 0
        advance = self.progress("writing opportunities and history", total)
        try:
            for part in self.plan.opportunities.parts() if self.plan.opportunities else ():
                histories: dict[int, list[HistoryRow]] = {}
                while pending is not None and pending[0] <= part[-1].position:
                    histories[pending[0]] = pending[1]
                    pending = next(groups, None)
                self._write_part(writer, chain, inserts, users, accounts, part,
                                 [histories.get(item.position, []) for item in part])
                advance(len(part))
            chain.flush()
        except BaseException:
            with contextlib.suppress(Exception):  # the first error is the one to report
                inserts.close()
            raise
        finally:
            groups.close()
        inserts.close()
        _set_constraints("DEFERRED")
        writer.insert = eventlog.insert_rows
        chain.close()
        summary.count("events", chain.count)

    def _write_part(self, writer: ImportWriter, chain: BulkChain, inserts: BackgroundInserts, users: dict[str, Actor],
                    accounts: dict[str, str], part: list[Opportunity], histories: list[list[HistoryRow]]) -> None:
        """Write one part of the opportunities with their history."""
        from salesflow.records.models import Record

        summary = writer.summary
        stages = writer.stages
        process, version = writer.process.key, writer.version.version
        with inserts.exclusive():  # between two background batches
            refs = writer.existing_refs("opportunity", [item.external_id for item in part]) \
                if self.linked_before else {}
            stored: dict[int, Snapshot] = {}
            if refs:
                for pk, stage, amount, close_date, override in Record.objects.filter(
                        pk__in=[ref.local_id for ref in refs.values()]).values_list(
                        "pk", "stage", "amount", "close_date", "probability_override"):
                    stored[pk] = Snapshot(stage, f"{amount:f}" if amount is not None else None,
                                          close_date.isoformat() if close_date else None, override)
            # Opportunities linked by an older importer (one ref per history row, no watermark).
            known_history = writer.known_external_ids("history", [
                row[H_ID] for item, rows in zip(part, histories, strict=True)
                if item.external_id in refs and _history_mark(refs[item.external_id].data) is None
                for row in rows]) if refs else set()
            new_count = sum(1 for item in part if not (item.external_id in refs and refs[item.external_id].local_id
                                                       in stored))
            new_ids = iter(writer.new_record_ids(new_count))
        records = writer.record_rows()
        now = parsing.instant_text(writer.now)
        opportunity_refs: list[tuple[str, int, str, dict[str, Any]]] = []
        marked: list[Any] = []  # existing refs whose history watermark moved (saved below)
        changed: dict[int, tuple[Opportunity, Any, Actor, str, str]] = {}
        links: dict[int, int] = {}  # existing records → the account their AccountId names
        sources: dict[int, dict[str, Any]] = {}
        customer_ids: dict[str, int] = getattr(self, "customer_ids", {})

        def actor(external_id: str, fallback: Actor = SYSTEM_ACTOR) -> Actor:
            return users.get(external_id, fallback) if external_id else fallback

        def emit(record_id: int, at: str, who: Actor, old: Snapshot, new: Snapshot, source_json: str) -> None:
            for change in transition_changes(stages, old, new):
                chain.add(record_id, change[0], at, who.id, who.name, process, version,
                          change_json(change, source_json), from_stage=change[1], to_stage=change[2], imported=True)

        encode_text = json.encoder.encode_basestring
        for item, rows in zip(part, histories, strict=True):
            opportunity_json = encode_text(item.external_id)
            ref = refs.get(item.external_id)
            account_name = accounts.get(item.account, "")
            owner = actor(item.owner, Actor(None, ""))
            if ref is not None and ref.local_id in stored:
                record_id = ref.local_id
                state = stored[record_id]
                if item.account in customer_ids:
                    links[record_id] = customer_ids[item.account]
                    sources[record_id] = {"system": SYSTEM, "opportunity_id": item.external_id,
                                          "account_id": item.account}
                last_at: str | None = None
                new_record = False
                mark = _history_mark(ref.data)
                if ref.fingerprint == item.fingerprint:
                    summary.count("records_unchanged")
                else:
                    changed[record_id] = (item, ref, owner, account_name, "")
            else:
                record_id = next(new_ids)
                new_record = True
                mark = None
                first = rows[0] if rows else None
                initial = Snapshot(first[H_STAGE], first[H_AMOUNT], first[H_CLOSE], first[H_OVERRIDE]) if first \
                    else item.state
                created_at = min(filter(None, [item.created_at, first[H_AT] if first else None]), default=now)
                entered_stage, entered_at = (first[H_STAGE], first[H_AT]) if first else (None, None)
                for row in rows:
                    if row[H_STAGE] != entered_stage:
                        entered_stage, entered_at = row[H_STAGE], row[H_AT]
                if entered_at is not None and entered_stage == item.stage:
                    stage_entered_at = entered_at
                else:
                    stage_entered_at = item.stage_changed_at or item.modified_at or created_at
                stage_entered_at = max(stage_entered_at, created_at)
                values = {"type": item.type} if item.type else {}
                records.add(record_id, title=item.title, state=item.state, owner_id=owner.id, account=account_name,
                            currency=item.currency, values=values, created_at=created_at,
                            updated_at=max(item.modified_at or created_at, stage_entered_at),
                            stage_entered_at=stage_entered_at, customer_id=customer_ids.get(item.account))
                creator = actor(item.created_by, owner if owner.id else SYSTEM_ACTOR)
                # canonical_json of {"values": {title, account, currency[, type][, amount][, close_date]},
                # "owner_id", "probability", "source": {system, opportunity_id, stage, owner_id, account_id}}
                values_json = ",".join(filter(None, (
                    f'"account":{encode_text(account_name[:2000])}',
                    f'"amount":{encode_text(initial.amount)}' if initial.amount is not None else "",
                    f'"close_date":{encode_text(initial.close_date)}' if initial.close_date else "",
                    f'"currency":{encode_text(item.currency or "EUR")}',
                    f'"title":{encode_text(item.title[:2000])}',
                    f'"type":{encode_text(item.type)}' if item.type else "")))
                source_json = (f'{{"account_id":{encode_text(item.account)},"opportunity_id":{opportunity_json},'
                               f'"owner_id":{encode_text(item.owner)},"stage":{encode_text(item.sf_stage)},'
                               f'"system":"{SYSTEM}"}}')
                probability = initial.probability_override if initial.probability_override is not None \
                    else stages[initial.stage].probability
                chain.add(record_id, "record_created", created_at, creator.id, creator.name, process, version,
                          f'{{"owner_id":{"null" if owner.id is None else int(owner.id)},"probability":{int(probability)},'
                          f'"source":{source_json},"values":{{{values_json}}}}}',
                          to_stage=initial.stage, imported=True)
                if ref is None:
                    opportunity_refs.append((item.external_id, record_id, item.fingerprint,
                                             _opportunity_data(item, _new_mark(None, rows))))
                else:  # linked before, but the record is gone: link the new one (with all its history)
                    ref.local_id, ref.fingerprint = record_id, item.fingerprint
                    ref.data = _opportunity_data(item, _new_mark(None, rows))
                    with inserts.exclusive():
                        ref.save(update_fields=["local_id", "fingerprint", "data"])
                state = initial
                last_at = created_at
            if not new_record and rows:
                if mark is not None:  # only rows after the watermark are new
                    rows = [row for row in rows if (row[H_AT], row[H_ID]) > (mark[0], mark[1])]
                    moved = _new_mark(mark, rows)
                else:  # no watermark yet: rows linked one by one by an older importer are known
                    moved = _new_mark(None, rows)
                    rows = [row for row in rows if row[H_ID] not in known_history]
                if moved != mark:
                    ref.data = {**ref.data, "history": moved}
                    if record_id not in changed:
                        marked.append(ref)
            for _position, history_id, at, actor_id, stage, amount, override, close_date, sf_stage, forecast in rows:
                new = Snapshot(stage, amount, close_date, override)
                if new != state:
                    # canonical_json of {"system", "history_id", "opportunity_id", "stage"[, "forecast_category"]}
                    source = (f'{{"forecast_category":{encode_text(forecast)},' if forecast else "{") + \
                        f'"history_id":{encode_text(history_id)},"opportunity_id":{opportunity_json},' \
                        f'"stage":{encode_text(sf_stage)},"system":"{SYSTEM}"}}'
                    event_at = at if last_at is None or at > last_at else last_at
                    emit(record_id, event_at, users.get(actor_id, SYSTEM_ACTOR), state, new, source)
                    state = new
                    last_at = event_at
            if new_record or record_id in changed:
                at = max(filter(None, [item.modified_at, last_at]), default=now)
                if state != item.state:
                    emit(record_id, at, actor(item.modified_by), state, item.state,
                         flat_json({"system": SYSTEM, "opportunity_id": item.external_id, "stage": item.sf_stage,
                                    "snapshot": True}))
                if record_id in changed:
                    changed[record_id] = (*changed[record_id][:4], at)
        records.flush()
        if links:
            with inserts.exclusive():
                rows = writer.link_customers(links, sources)
            for row in rows:
                chain.add(row.record_id, row.kind, parsing.instant_text(row.at), row.actor_id, row.actor_name, process, version,
                          eventlog.canonical_json(row.payload), from_stage=row.from_stage, imported=True)
        writer.insert_refs("opportunity", opportunity_refs)
        if marked:
            with inserts.exclusive():
                for ref in marked:
                    ref.save(update_fields=["data"])
        if changed:
            with inserts.exclusive():
                field_changes = self._update(writer, changed)
            for record_id, at_text, stage, name, old, new, source in field_changes:
                chain.add(record_id, "field_changed", at_text, SYSTEM_ACTOR.id, SYSTEM_ACTOR.name, writer.process.key,
                          writer.version.version,
                          eventlog.canonical_json({"field": name, "old": old, "new": new, "source": source}),
                          from_stage=stage, imported=True)

    def _update(self, writer: ImportWriter, changed: dict[int, tuple[Opportunity, Any, Actor, str, str]]
                ) -> list[tuple[int, str, str, str, Any, Any, dict[str, Any]]]:
        """Bring changed existing records to the opportunities' current values (their events are written);
        returns the ``field_changed`` events of title, owner, currency and type changes to append (so that
        replaying the record's events gives the record — ``audit verify``)."""
        from salesflow.records.models import Record

        updated = []
        field_changes: list[tuple[int, str, str, str, Any, Any, dict[str, Any]]] = []
        for record in Record.objects.filter(pk__in=list(changed)):
            item, ref, owner, account_name, at_text = changed[record.pk]
            at = datetime.datetime.fromisoformat(at_text + "+00:00")
            source = {"system": SYSTEM, "opportunity_id": item.external_id, "snapshot": True}
            new_owner = owner.id if owner.id else record.owner_id
            for name, old, new in (("title", record.title, item.title),
                                   ("currency", record.currency, item.currency),
                                   ("type", record.values.get("type"), item.type or record.values.get("type")),
                                   ("owner", record.owner_id, new_owner)):
                if old != new:
                    field_changes.append((record.pk, at_text, item.state.stage, name, old, new, source))
            before_stage = record.stage
            writer.apply_state(record, item.state)
            record.title = item.title
            record.owner_id = owner.id if owner.id else record.owner_id
            record.account = account_name or record.account
            record.currency = item.currency
            values = dict(record.values)
            if item.type:
                values["type"] = item.type
            record.values = values
            if record.stage != before_stage:
                record.stage_entered_at = at
            record.closed_at = record.stage_entered_at if record.outcome else None
            record.updated_at = max(record.updated_at, at)
            record.version += 1
            updated.append(record)
            ref.fingerprint = item.fingerprint
            ref.data = _opportunity_data(item, _history_mark(ref.data))
            ref.save(update_fields=["fingerprint", "data"])
        if updated:
            Record.objects.bulk_update(updated, ["stage", "amount", "close_date", "probability_override", "outcome",
                                                 "title", "owner", "account", "currency", "values",
                                                 "stage_entered_at", "closed_at", "updated_at", "version"],
                                       batch_size=1000)
            writer.summary.count("records_updated", len(updated))
        return field_changes

    def _users(self, writer: ImportWriter) -> dict[str, Actor]:
        specs = dict(self.plan.users)
        for external_id in sorted(self.plan.referenced_users):
            specs.setdefault(external_id, UserSpec(external_id, f"sf-{external_id}"))
        return writer.resolve_users(list(specs.values()))

    def _accounts(self, writer: ImportWriter) -> dict[str, Any]:
        accounts = writer.resolve_accounts(list(self.plan.accounts.values()))
        missing = sorted(self.plan.opportunity_accounts - set(accounts))
        if missing:
            refs = writer.existing_refs("account", missing)
            from salesflow.accounts.models import Account

            known = {account.pk: account for account in Account.objects.filter(
                pk__in=[ref.local_id for ref in refs.values()])}
            for external_id, ref in refs.items():
                if ref.local_id in known:
                    accounts[external_id] = known[ref.local_id]
            unresolved = [external_id for external_id in missing if external_id not in accounts]
            if unresolved:
                shown = ", ".join(unresolved[:5]) + (" …" if len(unresolved) > 5 else "")
                writer.summary.notes.append(f"{len(unresolved)} AccountId(s) not in the account file ({shown}): "
                                            "those records have no account name")
        return accounts


def _opportunity_data(item: Opportunity, history: list[Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"StageName": item.sf_stage, "OwnerId": item.owner, "AccountId": item.account}
    if item.forecast:
        data["ForecastCategoryName"] = item.forecast
    if item.probability is not None:
        data["Probability"] = item.probability
    if history:
        data["history"] = history
    return data


def _history_mark(data: Any) -> list[Any] | None:
    """The history watermark of an opportunity's ref: [CreatedDate, Id, rows imported] of its last imported
    history row (rows sort by CreatedDate, then Id); None when it has none (no history yet, or linked by an
    older importer that kept one ref per history row)."""
    mark = data.get("history") if isinstance(data, dict) else None
    return mark if isinstance(mark, list) and len(mark) == 3 else None


def _new_mark(mark: list[Any] | None, new_rows: list[HistoryRow]) -> list[Any] | None:
    """The watermark after importing ``new_rows`` (in time order) on top of ``mark``."""
    if not new_rows:
        return mark
    last = new_rows[-1]
    return [last[H_AT], last[H_ID], (mark[2] if mark else 0) + len(new_rows)]


def _set_constraints(mode: str) -> None:
    """PostgreSQL: ``IMMEDIATE`` checks the foreign keys of each COPY when it ends (on the server, while the
    next rows are built) instead of all of them at COMMIT; ``DEFERRED`` is Django's mode again."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS ALL {mode}")


def _no_groups() -> Iterator[tuple[int, list[HistoryRow]]]:
    yield from ()


def _duplicate_message(external_id: str, first_row: int) -> str:
    return f"duplicate id {external_id!r} (also in row {first_row})"


def _new_places(places: dict[str, list[Any]], before: dict[str, int]) -> dict[str, list[Any]]:
    """The places added to each name since ``before`` (name → count then)."""
    return {name: found[before.get(name, 0):] for name, found in places.items() if len(found) > before.get(name, 0)}


def _add_places(places: dict[str, list[Any]], more: dict[str, list[tuple[str, int]]], offset: int) -> None:
    """Add a forked half's places (file, row) of each name, its row numbers shifted by ``offset``."""
    for name, found in more.items():
        places.setdefault(name, []).extend((file, row + offset) for file, row in found)


def _undo_places(places: dict[str, list[Any]], before: dict[str, int]) -> None:
    """Forget the places added since ``before`` (name → count then)."""
    for name in list(places):
        if name not in before:
            del places[name]
        else:
            del places[name][before[name]:]


def _places(places: list[tuple[str, int]], limit: int = 10) -> str:
    by_file: dict[str, list[int]] = {}
    for file, row in places:
        by_file.setdefault(file, []).append(row)
    parts = []
    for file, rows in by_file.items():
        shown = ", ".join(str(row) for row in rows[:limit]) + (f" … ({len(rows)} rows)" if len(rows) > limit else "")
        parts.append(f"{file} row{'s' if len(rows) > 1 else ''} {shown}")
    return "; ".join(parts)


def _truthy(value: Any) -> bool:
    try:
        return not parsing.blank(value) and parsing.parse_bool(value)
    except ValueError:
        return False


def _iso_date(value: Any) -> str:
    return parsing.parse_date(value).isoformat()


def _domain(value: Any) -> str:
    text = str(value or "").strip().lower()
    for prefix in ("https://", "http://"):
        text = text.removeprefix(prefix)
    return text.removeprefix("www.").split("/")[0]


def _cached(parser: Callable[[Any], Any], size: int = 65536) -> Callable[[Any], Any]:
    """A parser remembering its answers (history repeats amounts, dates and probabilities a lot)."""
    @lru_cache(maxsize=size)
    def parse(raw: Any) -> Any:
        return parser(raw)
    return parse


def _cached_stage(maps: Maps) -> Callable[[str], str | None]:
    @lru_cache(maxsize=4096)
    def stage(raw: str) -> str | None:
        return maps.stages.get(raw) if raw.strip() else None
    return stage


def import_salesforce(directory: str | Path, process: str = "opportunity-management",
                      stage_map: str | Path | None = None, *, dry_run: bool = False, skip_invalid: bool = False,
                      currency: str = "EUR", problem_limit: int = DEFAULT_LIMIT,
                      progress: Progress | None = None) -> ImportSummary:
    """Import a Salesforce export folder; returns the summary or raises `ImportFailed` (nothing written)."""
    job = SalesforceImport(directory, process, stage_map, skip_invalid=skip_invalid, currency=currency,
                           problem_limit=problem_limit, progress=progress)
    return job.run(dry_run=dry_run)
