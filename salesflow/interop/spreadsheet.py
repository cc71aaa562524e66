"""Import any spreadsheet (``.csv`` or ``.xlsx``) of records — or of events — with a column mapping.

The mapping is YAML::

    kind: records            # or: events
    system: crm-2019         # names the source (links for idempotency); default "csv:<file name>"
    id: Id                   # the column with each row's id in the source (required for records)
    columns:                 # field → column; omitted: every column named like a field
      title: Opportunity
      stage: Phase
      amount: Value
      owner: Owner           # a user name (an unknown name becomes an inactive placeholder user)
      created_at: Created
      probability: Probability
      budget: Budget         # declared fields of the process by their names
    stages:                  # optional: column value → stage id (stage ids and titles map by themselves)
      Won: won

For ``kind: events`` the columns are ``record`` (the record's id in the source, required), ``at``
(required), ``stage`` (the stage entered) and/or ``activity`` (the activity done), ``actor``, and
optionally ``title`` (of a new record); ``id`` names a column with each event's own id (default:
record, time and what happened).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from salesflow.engine.errors import BadInput
from salesflow.engine.fields import coerce
from salesflow.interop import parsing
from salesflow.interop.engine import ImportSummary, ImportWriter, UserSpec, fingerprint, run_import
from salesflow.interop.generic import RecordIn, StepIn, write_records
from salesflow.interop.lengths import too_long
from salesflow.interop.mapping import map_key
from salesflow.interop.problems import DEFAULT_LIMIT, ImportFailed, Problem, Problems
from salesflow.interop.tabular import Sheet, SheetError, cell, open_sheet
from salesflow.process.loader import YamlProblem, load_yaml_file
from salesflow.process.model import BUILTIN_FIELDS, ProcessDefinition
from salesflow.records.services import definition_of, get_process

RECORD_COLUMNS = ("title", "stage", "owner", "account", "amount", "currency", "close_date", "classification",
                  "probability", "created_at", "updated_at")
EVENT_COLUMNS = ("record", "at", "stage", "activity", "actor", "title")


def load_mapping(path: str | Path) -> dict[str, Any]:
    """The mapping file as a dict; raises `ImportFailed` when it is not a readable YAML mapping."""
    name = str(path)
    try:
        data = load_yaml_file(path)
    except FileNotFoundError:
        raise ImportFailed([Problem(name, None, "", "no such file")], f"{name}: no such file") from None
    except YamlProblem as problem:
        raise ImportFailed([Problem(name, problem.line, "", problem.message)],
                           f"{name}: not readable YAML") from None
    except (UnicodeDecodeError, OSError) as error:
        raise ImportFailed([Problem(name, None, "", f"not readable YAML ({error.__class__.__name__})")],
                           f"{name}: not readable YAML") from None
    if not isinstance(data, dict):
        raise ImportFailed([Problem(name, None, "", "a mapping (kind, id, columns …) is expected")],
                           f"{name}: a mapping is expected")
    return data


def stage_lookup(definition: ProcessDefinition, extra: dict[str, Any] | None) -> dict[str, str]:
    """Value → stage id: the stage ids and titles (every language), then the mapping's ``stages``."""
    lookup: dict[str, str] = {}
    for stage in definition.stages:
        lookup[map_key(stage.id)] = stage.id
        for title in (stage.title or {}).values():
            lookup[map_key(title)] = stage.id
    for source, target in (extra or {}).items():
        lookup[map_key(source)] = str(target)
    return lookup


class SpreadsheetImport:
    """One import of a records or events spreadsheet (see the module docstring)."""

    def __init__(self, path: str | Path, process: str, mapping: str | Path, *, skip_invalid: bool = False,
                 problem_limit: int = DEFAULT_LIMIT) -> None:
        self.path = Path(path)
        self.process_key = process
        self.skip_invalid = skip_invalid
        self.problem_limit = problem_limit
        self.mapping = load_mapping(mapping)
        self.mapping_name = str(mapping)
        version = get_process(process).current_version()
        if version is None:
            raise BadInput(f"process {process} has no approved version: approve one before importing")
        self.definition = definition_of(version)
        self.kind = str(self.mapping.get("kind", "records"))
        self.system = str(self.mapping.get("system") or f"csv:{self.path.name}")[:64]
        self.problems = Problems()
        self.records: dict[str, RecordIn] = {}
        self.users: dict[str, UserSpec] = {}
        self._check_mapping()

    def _check_mapping(self) -> None:
        problems = []
        name = self.mapping_name
        if self.kind not in ("records", "events"):
            problems.append(Problem(name, None, "kind", f"records or events expected, got {self.kind!r}"))
        columns = self.mapping.get("columns")
        if columns is not None and not isinstance(columns, dict):
            problems.append(Problem(name, None, "columns", "a mapping of field → column is expected"))
        allowed = set(RECORD_COLUMNS) | set(self.definition.fields) | set(BUILTIN_FIELDS) if self.kind == "records" \
            else set(EVENT_COLUMNS)
        for field_name in (columns or {}) if isinstance(columns, dict) else {}:
            if field_name not in allowed:
                problems.append(Problem(name, None, "columns", f"unknown field {field_name!r} (known: "
                                        f"{', '.join(sorted(allowed))})"))
        if self.kind == "records" and not self.mapping.get("id"):
            problems.append(Problem(name, None, "id", "name the column holding each record's id (id: COLUMN)"))
        stages = self.mapping.get("stages") or {}
        if not isinstance(stages, dict):
            problems.append(Problem(name, None, "stages", "a mapping of value → stage id is expected"))
        else:
            for source, target in stages.items():
                if not self.definition.has_stage(str(target)):
                    problems.append(Problem(name, None, "stages", f"{source!r} → {target!r}: not a stage of "
                                            f"{self.process_key}"))
        if problems:
            raise ImportFailed(problems, f"{name}: {len(problems)} problem(s) in the mapping")

    def run(self, dry_run: bool = False) -> ImportSummary:
        """Read and check the file, then write (or simulate). Raises `ImportFailed`."""
        try:
            sheet = open_sheet(self.path)
            duplicates = sheet.duplicate_headers()
            if duplicates:
                self.problems.add_fatal(sheet.name, f"duplicate column(s): {', '.join(duplicates)}", row=1)
            elif self.kind == "records":
                self.read_records(sheet)
            else:
                self.read_events(sheet)
        except SheetError as error:
            self.problems.add_fatal(error.file, error.message, row=error.row)
        if not self.problems.fatal and not self.records:
            self.problems.add_fatal(self.path.name, "the file has no rows to import")
        if self.problems.fatal or (self.problems and not self.skip_invalid and not dry_run):
            raise ImportFailed(self.problems.items, f"{len(self.problems)} problem(s) found; nothing was written",
                               limit=self.problem_limit)
        summary = ImportSummary(self.system, self.process_key)
        summary.skipped = list(self.problems.items)

        def work() -> None:
            writer = ImportWriter(self.system, self.process_key, summary)
            write_records(writer, list(self.records.values()), list(self.users.values()))
        return run_import(work, summary, dry_run)

    # --- reading ---------------------------------------------------------------------------------

    def _columns(self, sheet: Sheet, names: tuple[str, ...]) -> dict[str, int | None]:
        mapped = self.mapping.get("columns")
        positions: dict[str, int | None] = {}
        if mapped:
            for field_name, column in mapped.items():
                position = sheet.index(str(column))
                if position is None:
                    self.problems.add_fatal(sheet.name, f"missing column {column!r} (mapped to {field_name}; the "
                                            f"columns are: {', '.join(sheet.header)})", row=1)
                positions[field_name] = position
        else:
            for field_name in names:
                positions[field_name] = sheet.index(field_name)
        return positions

    def _user(self, value: str) -> str:
        self.users.setdefault(value, UserSpec(value, value[:150]))
        return value

    def read_records(self, sheet: Sheet) -> None:
        """Rows of records."""
        names = tuple(dict.fromkeys([*RECORD_COLUMNS, *self.definition.fields]))
        columns = self._columns(sheet, names)
        id_position = sheet.index(str(self.mapping["id"]))
        if id_position is None:
            self.problems.add_fatal(sheet.name, f"missing required column {self.mapping['id']!r} (the record id)",
                                    row=1)
        if columns.get("title") is None:
            self.problems.add_fatal(sheet.name, "missing required column for title", row=1)
        if self.problems.fatal:
            return
        stages = stage_lookup(self.definition, self.mapping.get("stages"))
        file = sheet.name
        rows_of: dict[str, int] = {}
        for number, cells in sheet.rows:
            problems_before = len(self.problems)
            external_id = str(cell(cells, id_position) or "")
            if not external_id:
                self.problems.add(file, number, str(self.mapping["id"]), "an id is required")
            elif external_id in rows_of:
                self.problems.add(file, number, str(self.mapping["id"]), f"duplicate id {external_id!r} (also in row "
                                  f"{rows_of[external_id]})")
            elif message := too_long(external_id, "external_id"):
                self.problems.add(file, number, str(self.mapping["id"]), message)
            item = self._record(file, number, cells, columns, stages, external_id)
            if len(self.problems) == problems_before and item is not None:
                rows_of[external_id] = number
                self.records[external_id] = item

    def _value(self, file: str, number: int, column: str, raw: Any, parser: Any) -> Any:
        if parsing.blank(raw):
            return None
        try:
            return parser(raw)
        except ValueError as error:
            self.problems.add(file, number, column, str(error))
            return None

    def _stage(self, file: str, number: int, column: str, raw: Any, stages: dict[str, str]) -> str | None:
        if parsing.blank(raw):
            return None
        stage = stages.get(map_key(raw))
        if stage is None:
            self.problems.add(file, number, column, f"stage {str(raw)!r} is not a stage of {self.process_key} "
                              "(map it under stages: in the mapping)")
        return stage

    def _record(self, file: str, number: int, cells: list[Any], columns: dict[str, int | None],
                stages: dict[str, str], external_id: str) -> RecordIn | None:
        mapped = self.mapping.get("columns") or {}

        def column_name(field_name: str) -> str:
            return str(mapped.get(field_name, field_name))

        def get(field_name: str) -> Any:
            return cell(cells, columns.get(field_name))

        title = str(get("title") or "")
        if not title:
            self.problems.add(file, number, column_name("title"), "a title is required")
        for field_name, kind in (("title", "title"), ("account", "account"), ("owner", "username")):
            if message := too_long(get(field_name), kind):
                self.problems.add(file, number, column_name(field_name), message)
        stage = self._stage(file, number, column_name("stage"), get("stage"), stages)
        amount = self._value(file, number, column_name("amount"), get("amount"), parsing.parse_money)
        close_date = self._value(file, number, column_name("close_date"), get("close_date"),
                                 lambda raw: parsing.parse_date(raw).isoformat())
        probability = self._value(file, number, column_name("probability"), get("probability"),
                                  parsing.parse_percent)
        created_at = self._value(file, number, column_name("created_at"), get("created_at"), parsing.parse_datetime)
        updated_at = self._value(file, number, column_name("updated_at"), get("updated_at"), parsing.parse_datetime)
        currency = str(get("currency") or "EUR").upper()
        if len(currency) != 3 or not currency.isalpha():
            self.problems.add(file, number, column_name("currency"), f"a three-letter currency code is expected, got "
                              f"{currency!r}")
        classification = None
        if not parsing.blank(get("classification")):
            try:
                classification = coerce(self.definition, "classification", get("classification"))
            except BadInput as error:
                self.problems.add(file, number, column_name("classification"), error.message.split(": ", 1)[-1])
        values: dict[str, Any] = {}
        for name, declared in self.definition.fields.items():
            raw = get(name)
            if parsing.blank(raw):
                continue
            if isinstance(raw, (datetime.datetime, datetime.date)) and declared.type.value == "date":
                raw = parsing.parse_date(raw).isoformat()
            try:
                value = coerce(self.definition, name, raw)
            except BadInput as error:
                self.problems.add(file, number, column_name(name), error.message.split(": ", 1)[-1])
                continue
            if declared.type.value == "user":
                value = self._resolve_user_field(file, number, column_name(name), str(raw))
                if value is None:
                    continue
            values[name] = value
        owner = str(get("owner") or "")
        if not title:
            return None
        final_stage = stage or self.definition.first_stage.id
        override = None
        if probability is not None and probability != self.definition.stage(final_stage).probability:
            override = probability
        cells_for_print = [title, stage, amount, close_date, probability, owner, get("account"), currency,
                           classification, sorted(values.items())]
        return RecordIn(
            external_id=external_id, title=title, stage=final_stage, amount=amount, currency=currency,
            close_date=close_date, probability_override=override, owner=self._user(owner) if owner else None,
            account=str(get("account") or ""), values=values, classification=classification, created_at=created_at,
            updated_at=updated_at, fingerprint=fingerprint(cells_for_print),
            source={"system": self.system, "id": external_id, "row": number},
        )

    def _resolve_user_field(self, file: str, number: int, column: str, name: str) -> int | None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            self.problems.add(file, number, column, f"unknown user {name!r}")
            return None
        return user.pk

    def read_events(self, sheet: Sheet) -> None:
        """Rows of events: each names its record, its time and the stage entered or activity done."""
        columns = self._columns(sheet, EVENT_COLUMNS)
        for required in ("record", "at"):
            if columns.get(required) is None:
                self.problems.add_fatal(sheet.name, f"missing required column for {required}", row=1)
        if columns.get("stage") is None and columns.get("activity") is None:
            self.problems.add_fatal(sheet.name, "map a stage or an activity column", row=1)
        if self.problems.fatal:
            return
        id_position = sheet.index(str(self.mapping["id"])) if self.mapping.get("id") else None
        stages = stage_lookup(self.definition, self.mapping.get("stages"))
        activities = set(self.definition.activities())
        mapped = self.mapping.get("columns") or {}
        file = sheet.name
        seen: dict[str, int] = {}
        for number, cells in sheet.rows:
            before = len(self.problems)

            def get(name: str, cells: list[Any] = cells) -> Any:
                return cell(cells, columns.get(name))

            record_id = str(get("record") or "")
            if not record_id:
                self.problems.add(file, number, str(mapped.get("record", "record")), "a record id is required")
            for field_name, kind in (("record", "external_id"), ("title", "title"), ("actor", "username")):
                if message := too_long(get(field_name), kind):
                    self.problems.add(file, number, str(mapped.get(field_name, field_name)), message)
            at = self._value(file, number, str(mapped.get("at", "at")), get("at"), parsing.parse_datetime)
            if at is None and parsing.blank(get("at")):
                self.problems.add(file, number, str(mapped.get("at", "at")), "a date is required")
            stage = self._stage(file, number, str(mapped.get("stage", "stage")), get("stage"), stages)
            activity = str(get("activity") or "") or None
            if activity and activity not in activities:
                self.problems.add(file, number, str(mapped.get("activity", "activity")),
                                  f"activity {activity!r} is not an activity of {self.process_key}")
            if not stage and not activity and parsing.blank(get("stage")):
                self.problems.add(file, number, str(mapped.get("stage", "stage")), "a stage or an activity is required")
            event_id = str(cell(cells, id_position) or "") if id_position is not None else \
                f"{record_id}|{at.isoformat() if at else ''}|{stage or ''}|{activity or ''}"
            if event_id in seen:
                self.problems.add(file, number, str(self.mapping.get("id") or "id"),
                                  f"duplicate event {event_id!r} (also in row {seen[event_id]})")
            if len(self.problems) != before:
                continue
            seen[event_id] = number
            actor = str(get("actor") or "")
            item = self.records.get(record_id)
            if item is None:
                item = self.records[record_id] = RecordIn(
                    external_id=record_id, title=str(get("title") or record_id),
                    source={"system": self.system, "record": record_id})
            item.steps.append(StepIn(event_id, at, stage=stage, activity=None if stage else activity,
                                     actor=self._user(actor) if actor else None,
                                     source={"row": number}))
        for item in self.records.values():
            item.fingerprint = fingerprint([item.title])


def import_spreadsheet(path: str | Path, process: str, mapping: str | Path, *, dry_run: bool = False,
                       skip_invalid: bool = False, problem_limit: int = DEFAULT_LIMIT) -> ImportSummary:
    """Import a spreadsheet with a mapping; returns the summary or raises `ImportFailed` (nothing written)."""
    return SpreadsheetImport(path, process, mapping, skip_invalid=skip_invalid,
                             problem_limit=problem_limit).run(dry_run)
