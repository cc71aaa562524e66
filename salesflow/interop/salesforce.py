"""Import a Salesforce Data Export / Data Loader folder into a process.

Files (names matched ignoring case): ``Opportunity.csv`` (or ``Opportunities.csv``; required),
``OpportunityHistory.csv``, ``Account.csv`` (``Accounts.csv``), ``User.csv`` (``Users.csv``). A
folder of the Salesforce CLI's tree export (``Opportunities.json`` …) is read when it has no CSV.

Everything is read and checked first; any problem aborts with ``file:row: column: message`` for
every bad row and nothing is written (``skip_invalid`` imports the valid rows and reports the
rest). Then one transaction writes users, accounts, records and events in bulk:

- a new opportunity becomes a record in its current stage (not through our gates) with an imported
  ``record_created`` event at its CreatedDate (in the stage of its first history row);
- each OpportunityHistory row becomes imported stage-change, amount, close-date and probability
  events at its CreatedDate, attributed to its CreatedById (a user from User.csv, or a placeholder
  ``sf-<id>``: inactive, no roles);
- differences between the last history row and the opportunity's current values become events
  at its LastModifiedDate.

Every opportunity, history row, account and user is linked through an `ExternalRef`: importing the
same export again changes nothing; a newer export adds only new history and changed opportunities.
Times without a zone are UTC (as Salesforce exports them).
"""

from __future__ import annotations

import datetime
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from salesflow.engine.errors import BadInput
from salesflow.interop import parsing
from salesflow.interop.engine import (
    SYSTEM_ACTOR,
    AccountSpec,
    Actor,
    ImportSummary,
    ImportWriter,
    Snapshot,
    UserSpec,
    created_event,
    fingerprint,
    run_import,
    transition_events,
)
from salesflow.interop.mapping import SALESFORCE_STAGES, SALESFORCE_TYPES, Maps, load_maps
from salesflow.interop.problems import DEFAULT_LIMIT, ImportFailed, Problem, Problems
from salesflow.interop.progress import Progress, silent
from salesflow.interop.sources import find_file, open_source
from salesflow.interop.tabular import Sheet, SheetError, cell
from salesflow.process.model import ProcessDefinition
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

@dataclass(slots=True)
class Opportunity:
    """One valid row of Opportunity.csv."""

    external_id: str
    row: int
    title: str
    sf_stage: str
    state: Snapshot
    probability: int | None
    type: str | None
    forecast: str
    owner: str
    account: str
    currency: str
    created_at: datetime.datetime | None
    modified_at: datetime.datetime | None
    created_by: str
    modified_by: str
    stage_changed_at: datetime.datetime | None
    fingerprint: str
    order: int = 0


@dataclass
class Plan:
    """What pass 1 found: valid rows, problems, the spooled history."""

    users: dict[str, UserSpec] = field(default_factory=dict)
    accounts: dict[str, AccountSpec] = field(default_factory=dict)
    opportunities: dict[str, Opportunity] = field(default_factory=dict)
    history_file: str = ""
    history_spool: str | None = None
    history_rows: int = 0
    first_state: dict[str, tuple[datetime.datetime, Snapshot]] = field(default_factory=dict)
    entered: dict[str, tuple[str, datetime.datetime]] = field(default_factory=dict)
    referenced_users: set[str] = field(default_factory=set)
    unmapped: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    unmapped_types: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


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
            if self.plan.history_spool:
                os.unlink(self.plan.history_spool)
                self.plan.history_spool = None

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
            if external_id in self.plan.accounts:
                self.problems.add(sheet.name, number, "Id", f"duplicate id {external_id!r}")
                continue
            self.plan.accounts[external_id] = AccountSpec(external_id, name, _domain(cell(cells, site_column)))

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
        names = ("Id", "Name", "StageName", "Amount", "Probability", "CloseDate", "Type", "ForecastCategoryName",
                 "OwnerId", "AccountId", "IsClosed", "IsWon", "CreatedDate", "LastModifiedDate", "SystemModstamp",
                 "CreatedById", "LastModifiedById", "LastStageChangeDate", "CurrencyIsoCode", "IsDeleted",
                 "ForecastCategory")
        column = {name: sheet.index(name) for name in names}
        if column["Id"] is None:
            self.plan.notes.append(f"{sheet.name} has no Id column: opportunities are matched by AccountId and Name "
                                   "(a re-import of a changed name creates a new record)")
        file = sheet.name
        plan = self.plan
        problems = self.problems
        order = 0
        advance = self.progress(f"reading {file}", None)
        for number, cells in sheet.rows:
            advance(1)

            def get(name: str, cells: list[Any] = cells) -> Any:
                return cell(cells, column[name])

            if _truthy(get("IsDeleted")):
                continue
            title = str(get("Name") or "")
            account = str(get("AccountId") or "")
            external_id = str(get("Id") or "") if column["Id"] is not None else f"{account}/{title}"
            bad = False
            if not external_id:
                problems.add(file, number, "Id", "an opportunity id is required")
                bad = True
            elif external_id in plan.opportunities:
                problems.add(file, number, "Id", f"duplicate id {external_id!r} (also in row "
                             f"{plan.opportunities[external_id].row})")
                bad = True
            if not title:
                problems.add(file, number, "Name", "a name is required")
                bad = True
            elif len(title) > 2000:
                problems.add(file, number, "Name", "longer than 2000 characters")
                bad = True
            sf_stage = str(get("StageName") or "")
            stage = self._stage(file, number, sf_stage)
            values: dict[str, Any] = {}
            for name, parser in (("Amount", parsing.parse_money), ("Probability", parsing.parse_percent),
                                 ("CloseDate", _iso_date), ("CreatedDate", parsing.parse_datetime),
                                 ("LastModifiedDate", parsing.parse_datetime),
                                 ("SystemModstamp", parsing.parse_datetime),
                                 ("LastStageChangeDate", parsing.parse_datetime),
                                 ("IsClosed", parsing.parse_bool), ("IsWon", parsing.parse_bool)):
                raw = get(name)
                if parsing.blank(raw):
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
                outcome = self.definition.stage(stage).outcome
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
                continue
            owner = str(get("OwnerId") or "")
            created_by = str(get("CreatedById") or "")
            modified_by = str(get("LastModifiedById") or "")
            for user in (owner, created_by, modified_by):
                if user:
                    plan.referenced_users.add(user)
            override = self._probability_override(sf_stage, stage, values["Probability"])
            order += 1
            plan.opportunities[external_id] = Opportunity(
                external_id=external_id, row=number, title=title, sf_stage=sf_stage,
                state=Snapshot(stage, values["Amount"], values["CloseDate"], override),
                probability=values["Probability"], type=type_id, forecast=forecast_raw, owner=owner, account=account,
                currency=currency, created_at=values["CreatedDate"],
                modified_at=values["LastModifiedDate"] or values["SystemModstamp"], created_by=created_by,
                modified_by=modified_by, stage_changed_at=values["LastStageChangeDate"],
                fingerprint=fingerprint([title, sf_stage, values["Amount"], values["Probability"], values["CloseDate"],
                                         raw_type, forecast_raw, owner, account, currency]),
                order=order,
            )
        if not plan.opportunities and not problems:
            problems.add_fatal(file, "the file has no opportunities")

    def read_history(self, sheet: Sheet) -> None:
        """OpportunityHistory.csv: Id, OpportunityId, StageName, CreatedDate required."""
        if not self._require(sheet, "Id", "OpportunityId", "StageName", "CreatedDate"):
            return
        names = ("Id", "OpportunityId", "StageName", "CreatedDate", "CreatedById", "Amount", "Probability",
                 "CloseDate", "ForecastCategory", "IsDeleted")
        column = {name: sheet.index(name) for name in names}
        file = sheet.name
        plan = self.plan
        problems = self.problems
        known = plan.opportunities
        seen: set[str] = set()
        last_key: dict[str, tuple[datetime.datetime, str]] = {}
        chronological = True
        money, percent, date, moment = _cached(parsing.parse_money), _cached(parsing.parse_percent), \
            _cached(_iso_date), parsing.parse_datetime
        stage_of = _cached_stage(self.maps)
        spool = tempfile.NamedTemporaryFile(prefix="salesflow-sf-history-", suffix=".pickle", delete=False)  # noqa: SIM115
        plan.history_spool = spool.name
        batch: list[tuple[Any, ...]] = []
        advance = self.progress(f"reading {file}", None)
        skipped_rows = 0
        width = len(sheet.header)
        positions = {name: position for name, position in column.items() if position is not None}
        blank_row = [""] * width
        with spool:
            for number, cells in sheet.rows:
                advance(1)
                if len(cells) < width:
                    cells = cells + blank_row[len(cells):]
                if "IsDeleted" in positions and _truthy(cells[positions["IsDeleted"]]):
                    continue
                external_id = cells[positions["Id"]].strip()
                opportunity = cells[positions["OpportunityId"]].strip()
                bad = False
                if not external_id:
                    problems.add(file, number, "Id", "a history row id is required")
                    bad = True
                elif external_id in seen:
                    problems.add(file, number, "Id", f"duplicate id {external_id!r}")
                    bad = True
                else:
                    seen.add(external_id)
                if opportunity not in known:
                    bad = True
                    if not opportunity:
                        problems.add(file, number, "OpportunityId", "an opportunity id is required")
                    elif opportunity in self.invalid_opportunities:
                        skipped_rows += 1
                    else:
                        problems.add(file, number, "OpportunityId", f"no opportunity {opportunity!r} in the "
                                     "opportunity file")
                sf_stage = cells[positions["StageName"]].strip()
                stage = stage_of(sf_stage)
                if stage is None:
                    self._stage(file, number, sf_stage)
                    bad = True
                raw_at = cells[positions["CreatedDate"]].strip()
                at = None
                if parsing.blank(raw_at):
                    problems.add(file, number, "CreatedDate", "a date is required")
                    bad = True
                else:
                    try:
                        at = moment(raw_at)
                    except ValueError as error:
                        problems.add(file, number, "CreatedDate", str(error))
                        bad = True
                parsed: dict[str, Any] = {}
                for name, parser in (("Amount", money), ("Probability", percent), ("CloseDate", date)):
                    raw = cells[positions[name]].strip() if name in positions else ""
                    if not raw:
                        parsed[name] = None
                        continue
                    try:
                        parsed[name] = parser(raw)
                    except ValueError as error:
                        problems.add(file, number, name, str(error))
                        bad = True
                if bad:
                    continue
                actor = cells[positions["CreatedById"]].strip() if "CreatedById" in positions else ""
                if actor:
                    plan.referenced_users.add(actor)
                key = (at, external_id)
                previous = last_key.get(opportunity)
                if previous is not None and key < previous:
                    chronological = False
                last_key[opportunity] = key
                override = self._probability_override(sf_stage, stage, parsed["Probability"])
                batch.append((number, external_id, opportunity, at, actor, stage, parsed["Amount"], override,
                              parsed["CloseDate"], sf_stage,
                              cells[positions["ForecastCategory"]].strip() if "ForecastCategory" in positions else ""))
                plan.history_rows += 1
                if len(batch) >= 10000:
                    pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
                    batch = []
            if batch:
                pickle.dump(batch, spool, protocol=pickle.HIGHEST_PROTOCOL)
        if skipped_rows:
            self.plan.notes.append(f"{skipped_rows} history row(s) of invalid opportunities were skipped")
        if not chronological:
            self._sort_spool()
        self._scan_history()

    def _sort_spool(self) -> None:
        """Sort the spooled history by time (then id) when the file was not in that order."""
        rows = [row for batch in self.history_batches() for row in batch]
        rows.sort(key=lambda row: (row[3], row[1]))
        with open(self.plan.history_spool, "wb") as spool:
            for start in range(0, len(rows), 10000):
                pickle.dump(rows[start:start + 10000], spool, protocol=pickle.HIGHEST_PROTOCOL)

    def _scan_history(self) -> None:
        """Per opportunity: the state of its first history row and when it entered its last stage."""
        first = self.plan.first_state
        entered = self.plan.entered
        for batch in self.history_batches():
            for row in batch:
                opportunity, at, stage = row[2], row[3], row[5]
                if opportunity not in first:
                    first[opportunity] = (at, Snapshot(stage, row[6], row[8], row[7]))
                    entered[opportunity] = (stage, at)
                elif entered[opportunity][0] != stage:
                    entered[opportunity] = (stage, at)

    def history_batches(self) -> Iterator[list[tuple[Any, ...]]]:
        """The spooled valid history rows, in batches, in time order per opportunity."""
        if not self.plan.history_spool:
            return
        with open(self.plan.history_spool, "rb") as spool:
            while True:
                try:
                    yield pickle.load(spool)
                except EOFError:
                    return

    # --- pass 2: write ---------------------------------------------------------------------------

    def write(self, summary: ImportSummary) -> None:
        """Write users, accounts, records and events (inside `run_import`'s transaction)."""
        writer = ImportWriter(SYSTEM, self.process_key, summary)
        plan = self.plan
        definition = writer.definition
        process, version = writer.process.key, writer.version.version
        users = self._users(writer)
        accounts = self._accounts(writer)

        def actor(external_id: str, fallback: Actor = SYSTEM_ACTOR) -> Actor:
            return users.get(external_id, fallback) if external_id else fallback

        states: dict[str, Snapshot] = {}
        record_ids: dict[str, int] = {}
        existed: set[str] = set()  # opportunities imported before: only their history can be known
        last_at: dict[str, datetime.datetime] = {}
        to_finish: dict[str, Any] = {}  # opportunity id → Record (existing and changed) or None (new)
        opportunities = sorted(plan.opportunities.values(), key=lambda item: item.order)
        advance = self.progress("writing opportunities", len(opportunities))
        for part_start in range(0, len(opportunities), 2000):
            part = opportunities[part_start:part_start + 2000]
            refs = writer.existing_refs("opportunity", [item.external_id for item in part])
            existing_records = {record.pk: record for record in writer.process.records.filter(
                pk__in=[ref.local_id for ref in refs.values()])}
            new_items, new_records = [], []
            for item in part:
                ref = refs.get(item.external_id)
                record = existing_records.get(ref.local_id) if ref else None
                account = accounts.get(item.account)
                account_name = account.name if account is not None else ""
                owner = actor(item.owner, Actor(None, ""))
                if record is None:
                    first = plan.first_state.get(item.external_id)
                    initial = first[1] if first else item.state
                    created_at = min(filter(None, [item.created_at, first[0] if first else None])) \
                        if (item.created_at or first) else writer.now
                    entered = plan.entered.get(item.external_id)
                    if entered and entered[0] == item.state.stage:
                        stage_entered_at = entered[1]
                    else:
                        stage_entered_at = item.stage_changed_at or item.modified_at or created_at
                    stage_entered_at = max(stage_entered_at, created_at)
                    values = {"type": item.type} if item.type else {}
                    new_records.append(writer.new_record(
                        title=item.title, state=item.state, owner_id=owner.id, account=account_name,
                        currency=item.currency, values=values, created_at=created_at,
                        updated_at=max(item.modified_at or created_at, stage_entered_at),
                        stage_entered_at=stage_entered_at))
                    new_items.append((item, initial, created_at, values, owner))
                    to_finish[item.external_id] = None
                    continue
                record_ids[item.external_id] = record.pk
                existed.add(item.external_id)
                states[item.external_id] = writer.snapshot_of(record)
                if ref.fingerprint == item.fingerprint:
                    summary.count("records_unchanged")
                else:
                    to_finish[item.external_id] = (record, ref, owner, account_name)
            writer.save_records(new_records)
            ref_rows = []
            for (item, initial, created_at, values, owner), record in zip(new_items, new_records, strict=True):
                record_ids[item.external_id] = record.pk
                states[item.external_id] = initial
                last_at[item.external_id] = created_at
                creator = actor(item.created_by, owner if owner.id else SYSTEM_ACTOR)
                event_values = {"title": item.title, "account": record.account, "currency": record.currency,
                                **values}
                if initial.amount is not None:
                    event_values["amount"] = initial.amount
                if initial.close_date:
                    event_values["close_date"] = initial.close_date
                source = {"system": SYSTEM, "opportunity_id": item.external_id, "stage": item.sf_stage,
                          "owner_id": item.owner, "account_id": item.account}
                writer.add_events([created_event(
                    process, version, initial, event_values, owner.id,
                    initial.probability_override if initial.probability_override is not None
                    else definition.stage(initial.stage).probability,
                    writer.context(record.pk, created_at, creator, source))])
                ref_rows.append((item.external_id, record.pk, item.fingerprint, _opportunity_data(item)))
            writer.insert_refs("opportunity", ref_rows)
            advance(len(part))
        writer.flush_events()
        self._write_history(writer, users, record_ids, states, last_at, existed)
        self._finish(writer, to_finish, record_ids, states, last_at, actor, summary)
        writer.flush_events()

    def _users(self, writer: ImportWriter) -> dict[str, Actor]:
        specs = dict(self.plan.users)
        for external_id in sorted(self.plan.referenced_users):
            specs.setdefault(external_id, UserSpec(external_id, f"sf-{external_id}"))
        return writer.resolve_users(list(specs.values()))

    def _accounts(self, writer: ImportWriter) -> dict[str, Any]:
        accounts = writer.resolve_accounts(list(self.plan.accounts.values()))
        wanted = {item.account for item in self.plan.opportunities.values() if item.account}
        missing = sorted(wanted - set(accounts))
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

    def _write_history(self, writer: ImportWriter, users: dict[str, Actor], record_ids: dict[str, int],
                       states: dict[str, Snapshot], last_at: dict[str, datetime.datetime],
                       existed: set[str]) -> None:
        definition = writer.definition
        process, version = writer.process.key, writer.version.version
        advance = self.progress("writing history", self.plan.history_rows)
        for batch in self.history_batches():
            refs = writer.existing_refs("history", [row[1] for row in batch if row[2] in existed])
            ref_rows = []
            for _number, external_id, opportunity, at, actor_id, stage, amount, override, close_date, sf_stage, \
                    forecast in batch:
                if external_id in refs:
                    continue
                record_id = record_ids.get(opportunity)
                if record_id is None:
                    continue
                new = Snapshot(stage, amount, close_date, override)
                old = states[opportunity]
                if new != old:
                    source = {"system": SYSTEM, "history_id": external_id, "opportunity_id": opportunity,
                              "stage": sf_stage}
                    if forecast:
                        source["forecast_category"] = forecast
                    event_at = max(at, last_at.get(opportunity, at))
                    writer.add_events(transition_events(
                        definition, process, version, old, new,
                        writer.context(record_id, event_at, users.get(actor_id, SYSTEM_ACTOR), source)))
                    states[opportunity] = new
                    last_at[opportunity] = event_at
                ref_rows.append((external_id, record_id, "", {}))
            writer.insert_refs("history", ref_rows)
            advance(len(batch))
        writer.flush_events()

    def _finish(self, writer: ImportWriter, to_finish: dict[str, Any], record_ids: dict[str, int],
                states: dict[str, Snapshot], last_at: dict[str, datetime.datetime], actor: Callable[..., Actor],
                summary: ImportSummary) -> None:
        """Bring each new or changed record to the opportunity's current values (events for the difference)."""
        definition = writer.definition
        process, version = writer.process.key, writer.version.version
        updated = []
        for external_id, pending in to_finish.items():
            item = self.plan.opportunities[external_id]
            current = states[external_id]
            at = max(filter(None, [item.modified_at, last_at.get(external_id)]), default=writer.now)
            if current != item.state:
                source = {"system": SYSTEM, "opportunity_id": external_id, "stage": item.sf_stage,
                          "snapshot": True}
                writer.add_events(transition_events(
                    definition, process, version, current, item.state,
                    writer.context(record_ids[external_id], at, actor(item.modified_by), source)))
            if pending is None:
                continue
            record, ref, owner, account_name = pending
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
            ref.data = _opportunity_data(item)
            ref.save(update_fields=["fingerprint", "data"])
        if updated:
            from salesflow.records.models import Record

            Record.objects.bulk_update(updated, ["stage", "amount", "close_date", "probability_override", "outcome",
                                                 "title", "owner", "account", "currency", "values",
                                                 "stage_entered_at", "closed_at", "updated_at", "version"],
                                       batch_size=1000)
            summary.count("records_updated", len(updated))


def _opportunity_data(item: Opportunity) -> dict[str, Any]:
    data = {"StageName": item.sf_stage, "OwnerId": item.owner, "AccountId": item.account}
    if item.forecast:
        data["ForecastCategoryName"] = item.forecast
    if item.probability is not None:
        data["Probability"] = item.probability
    return data


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
    return text.removeprefix("www.").split("/")[0][:253]


def _cached(parser: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A parser remembering its answers (history repeats amounts, dates and probabilities a lot)."""
    @lru_cache(maxsize=65536)
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
