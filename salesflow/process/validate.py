"""Validation of process files: YAML syntax, the schema, and every cross-reference.

Each problem is reported with the file and line it concerns, as ``file:line: message``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path as FsPath

from pydantic import ValidationError

from salesflow.process.library_settings import SETTINGS_KEY, LibrarySettingsFile, is_settings_data
from salesflow.process.loader import LIMITS, LineMap, Path, YamlProblem, load_yaml
from salesflow.process.model import (
    BUILTIN_FIELDS,
    Approval,
    FieldType,
    ProcessDefinition,
    Requirements,
    Stage,
)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a process file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ProcessInvalid(Exception):
    """A process file did not validate; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class ParsedProcess:
    """A process file that passed the schema: its definition, source text and line map."""

    definition: ProcessDefinition
    source: str
    file: str
    lines: LineMap


@dataclass
class ParsedSettings:
    """A library settings file that passed the schema (see `salesflow.process.library_settings`)."""

    settings: LibrarySettingsFile
    source: str
    file: str
    lines: LineMap


def format_path(path: Path) -> str:
    """A readable location such as ``stages[0].gate.decided_by``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_message(error: dict, loc: Path) -> str:
    if error["type"] == "extra_forbidden":
        where = format_path(loc[:-1])
        message = f"unknown key {loc[-1]!r}" + (f" in {where}" if where else "")
        if error.get("input") is None:
            message += " (inside {…} a comma separates keys: quote a text that contains commas)"
        return message
    where = format_path(loc)
    message = "required key is missing" if error["type"] == "missing" else error["msg"] + _got(error)
    return f"{where}: {message}" if where else message


def _got(error: dict) -> str:
    """`` (got 150)``: the value the schema refused, shortened; a mapping or list is named, not printed."""
    if "input" not in error:
        return ""
    value = error["input"]
    if isinstance(value, dict):
        return " (got a mapping)"
    if isinstance(value, list):
        return " (got a list)"
    text = repr(value)
    return f" (got {text[:60] + '…' if len(text) > 60 else text})"


def _schema_problems(error: ValidationError, lines: LineMap, file: str) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc: Path = tuple(part for part in item["loc"] if part != "function-plain")
        if item["type"] == "extra_forbidden":
            line = lines.lines.get(loc, lines.line_of(loc[:-1]))
        else:
            line = lines.line_of(loc)
        problems.append(Problem(file, line, _schema_message(item, loc)))
    return sorted(set(problems))


def _load(text: str, file: str) -> tuple[dict, LineMap]:
    try:
        data, lines = load_yaml(text)
    except YamlProblem as problem:
        raise ProcessInvalid([Problem(file, problem.line, problem.message)]) from None
    if not isinstance(data, dict):
        raise ProcessInvalid([Problem(file, 1, "a process file must be a YAML mapping (key: value)")])
    return data, lines


def _parse_process(data: dict, lines: LineMap, text: str, file: str) -> ParsedProcess:
    try:
        definition = ProcessDefinition.model_validate(data)
    except ValidationError as error:
        raise ProcessInvalid(_schema_problems(error, lines, file)) from None
    return ParsedProcess(definition=definition, source=text, file=file, lines=lines)


def _parse_settings(data: dict, lines: LineMap, text: str, file: str) -> ParsedSettings:
    try:
        settings = LibrarySettingsFile.model_validate(data)
    except ValidationError as error:
        raise ProcessInvalid(_schema_problems(error, lines, file)) from None
    return ParsedSettings(settings=settings, source=text, file=file, lines=lines)


def parse_text(text: str, file: str = "<text>") -> ParsedProcess:
    """Parse and schema-check one process file's text. Raises `ProcessInvalid`."""
    data, lines = _load(text, file)
    if is_settings_data(data):
        raise ProcessInvalid([Problem(file, lines.line_of((SETTINGS_KEY,)),
                                      "this is a library settings file, not a process: "
                                      "load it with the library (salesflow process load DIR)")])
    return _parse_process(data, lines, text, file)


def parse_library_text(text: str, file: str = "<text>") -> ParsedProcess | ParsedSettings:
    """Parse and schema-check a file of a library: a process or the library settings. Raises `ProcessInvalid`."""
    data, lines = _load(text, file)
    if is_settings_data(data):
        return _parse_settings(data, lines, text, file)
    return _parse_process(data, lines, text, file)


def check_settings(parsed: ParsedSettings, known_roles: Iterable[str]) -> list[Problem]:
    """Cross-reference problems of library settings: every role named is declared by a process or the settings."""
    settings = parsed.settings.library_settings
    known = set(known_roles) | set(settings.roles)
    problems = []
    for path, role in settings.referenced_roles():
        if role not in known:
            problems.append(Problem(parsed.file, parsed.lines.line_of((SETTINGS_KEY, *path)),
                                    f"unknown role {role!r}: declare it under library_settings.roles "
                                    "or in a process of the library"))
    return problems


def read_file(path: str | FsPath) -> ParsedProcess:
    """Read and schema-check a process file from disk. Raises `ProcessInvalid`."""
    name = str(path)
    most = LIMITS.max_chars * 4  # UTF-8 needs at most four bytes a character
    try:
        with open(path, "rb") as stream:
            raw = stream.read(most + 1)
    except OSError as error:
        raise ProcessInvalid([Problem(name, 0, f"cannot read file: {error.strerror or error}")]) from None
    if len(raw) > most:
        raise ProcessInvalid([Problem(name, 1, f"file is too large (more than {most:,} bytes)")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ProcessInvalid([Problem(name, line, "file is not UTF-8 text")]) from None
    return parse_text(text, name)


class _Checker:
    """Cross-reference checks of one parsed process."""

    def __init__(self, parsed: ParsedProcess, known_processes: set[str]) -> None:
        self.parsed = parsed
        self.definition = parsed.definition
        self.known_processes = known_processes
        self.problems: list[Problem] = []

    def report(self, path: Path, message: str) -> None:
        self.problems.append(Problem(self.parsed.file, self.parsed.lines.line_of(path), message))

    def check_role(self, path: Path, role: str | None) -> None:
        if role is not None and role not in self.definition.roles:
            self.report(path, f"unknown role {role!r} (declared roles: {', '.join(sorted(self.definition.roles))})")

    def run(self) -> list[Problem]:
        definition = self.definition
        self.check_role(("guideline", "responsible"), definition.guideline.responsible)
        self.check_role(("guideline", "deputy_approver"), definition.guideline.deputy_approver)
        effective = definition.guideline.effective_date
        if effective is not None:
            try:
                datetime.date.fromisoformat(effective)
            except ValueError:
                self.report(("guideline", "effective_date"), f"a date YYYY-MM-DD is expected, got {effective!r}")
        if definition.guideline.deputy_approver and definition.guideline.deputy_approver == definition.guideline.responsible:
            self.report(("guideline", "deputy_approver"), "the deputy approver must be another role than the "
                                                          f"responsible role {definition.guideline.responsible!r}")
        for index, dependency in enumerate(definition.guideline.depends_on):
            if dependency == definition.process:
                self.report(("guideline", "depends_on", index), "a process cannot depend on itself")
            elif dependency not in self.known_processes:
                self.report(("guideline", "depends_on", index), f"unknown process {dependency!r}")
        for name, field in definition.fields.items():
            if name in BUILTIN_FIELDS:
                self.report(("fields", name), f"field {name!r} is built in and cannot be declared again")
            if field.type == FieldType.user:
                self.check_role(("fields", name, "role"), field.role)
            elif field.role is not None:
                self.report(("fields", name, "role"), "only user fields have a role")
            if field.type == FieldType.choice and not field.choices:
                self.report(("fields", name), "a choice field needs choices")
            if field.type != FieldType.choice and field.choices:
                self.report(("fields", name, "choices"), "only choice fields have choices")
        for role_path, role in self._rights_roles():
            self.check_role(role_path, role)
        self._check_approvals()
        self._check_quotes()
        self._check_stages()
        self._check_transitions()
        self._check_reachability()
        self._check_handoffs()
        self._check_schedules()
        self._check_change_control()
        self._check_separation()
        self._check_frozen_inputs()
        for index, process in enumerate(definition.linked_from):
            if process not in self.known_processes:
                self.report(("linked_from", index), f"unknown process {process!r}")
        return self.problems

    def check_field(self, path: Path, name: str | None, types: tuple[str, ...] = ()) -> None:
        """Report an unknown field, or one whose type is not among ``types`` (when given)."""
        if name is None:
            return
        kind = self.definition.field_type(name)
        if kind is None:
            self.report(path, f"unknown field {name!r}")
        elif types and kind not in types:
            self.report(path, f"field {name!r} is a {kind} field; expected {' or '.join(types)}")

    def check_stage(self, path: Path, stage_id: str | None) -> None:
        """Report an unknown stage."""
        if stage_id is not None and not self.definition.has_stage(stage_id):
            self.report(path, f"unknown stage {stage_id!r}")

    def _check_handoffs(self) -> None:
        seen: set[str] = set()
        for stage_index, stage in enumerate(self.definition.stages):
            self.check_field(("stages", stage_index, "due_field"), stage.due_field, ("date",))
            for index, handoff in enumerate(stage.handoffs):
                path: Path = ("stages", stage_index, "handoffs", index)
                if handoff.id in seen:
                    self.report((*path, "id"), f"duplicate hand-off id {handoff.id!r}")
                seen.add(handoff.id)
                if handoff.process not in self.known_processes:
                    self.report((*path, "process"), f"unknown process {handoff.process!r}")
                for target, source in handoff.fields.items():
                    if not source.startswith("="):
                        self.check_field((*path, "fields", target), source)
                if handoff.account:
                    self.check_field((*path, "account", "name"), handoff.account.name)
                    self.check_field((*path, "account", "domain"), handoff.account.domain)
                if handoff.contact:
                    for key, source in handoff.contact.model_dump().items():
                        self.check_field((*path, "contact", key), source)

    def _check_schedules(self) -> None:
        seen: set[str] = set()
        for index, schedule in enumerate(self.definition.schedules):
            path: Path = ("schedules", index)
            if schedule.id in seen:
                self.report((*path, "id"), f"duplicate schedule id {schedule.id!r}")
            seen.add(schedule.id)
            for stage_index, stage_id in enumerate(schedule.stages):
                self.check_stage((*path, "stages", stage_index), stage_id)
            self.check_field((*path, "date_field"), schedule.date_field, ("date",))
            self.check_field((*path, "minus_days_field"), schedule.minus_days_field, ("integer", "number"))
            self.check_stage((*path, "move_to"), schedule.move_to)
            for role_index, role in enumerate(schedule.notify):
                self.check_role((*path, "notify", role_index), role)
            if not (schedule.days_before or schedule.breach):
                self.report(path, "a schedule needs days_before or breach: true (otherwise it never fires)")
            if schedule.move_to and not schedule.days_before:
                self.report((*path, "move_to"), "a timed move needs days_before (when to move)")
            if any(days < 0 for days in schedule.days_before):
                self.report((*path, "days_before"), "days_before must not be negative")

    def _check_change_control(self) -> None:
        activities = self.definition.activities()
        for index, rule in enumerate(self.definition.change_control):
            path: Path = ("change_control", index)
            self.check_stage((*path, "from_stage"), rule.from_stage)
            if self.definition.has_stage(rule.from_stage) and self.definition.stage(rule.from_stage).is_outcome:
                self.report((*path, "from_stage"), "change control starts at an open stage")
            for field_index, name in enumerate(rule.fields):
                self.check_field((*path, "fields", field_index), name)
            for activity_index, activity in enumerate(rule.reopen):
                if activity not in activities:
                    self.report((*path, "reopen", activity_index), f"unknown activity {activity!r}")
            for role_index, role in enumerate(rule.notify):
                self.check_role((*path, "notify", role_index), role)

    def _check_separation(self) -> None:
        activities = self.definition.activities()
        for index, rule in enumerate(self.definition.separation_of_duties):
            path: Path = ("separation_of_duties", index)
            for field_index, name in enumerate(rule.distinct):
                self.check_field((*path, "distinct", field_index), name, ("user",))
            if rule.distinct and len(set(rule.distinct)) < 2:
                self.report((*path, "distinct"), "name at least two different user fields")
            if rule.not_done_by is not None:
                self.check_field((*path, "not_done_by", "field"), rule.not_done_by.field, ("user",))
                for activity_index, activity in enumerate(rule.not_done_by.activities):
                    if activity not in activities:
                        self.report((*path, "not_done_by", "activities", activity_index),
                                    f"unknown activity {activity!r}")
            if not rule.distinct and rule.not_done_by is None:
                self.report(path, "a separation rule needs distinct or not_done_by (otherwise it forbids nothing)")

    def _check_frozen_inputs(self) -> None:
        for stage_index, stage in enumerate(self.definition.stages):
            seen: set[str] = set()
            for index, item in enumerate(stage.freeze_inputs):
                path: Path = ("stages", stage_index, "freeze_inputs", index)
                if item.id in seen:
                    self.report((*path, "id"), f"duplicate input id {item.id!r}")
                seen.add(item.id)
                if item.source == "assessments" and not item.checklists:
                    self.report((*path, "checklists"), "an assessments input names its checklists")
                if item.source == "records" and not item.record:
                    self.report((*path, "record"), "a records input names the kind of record it counts")
                if item.source not in ("assessments",) and item.checklists:
                    self.report((*path, "checklists"), "only an assessments input names checklists")
                if item.source != "records" and item.record:
                    self.report((*path, "record"), "only a records input names a kind of record")

    def _rights_roles(self) -> Iterable[tuple[Path, str]]:
        rights = self.definition.rights
        for right in ("move", "edit", "override", "set_probability", "create", "see_confidential", "manage_stock"):
            for index, role in enumerate(getattr(rights, right)):
                yield ("rights", right, index), role

    def _check_approvals(self) -> None:
        for approval_id, approval in self.definition.approvals.items():
            path = ("approvals", approval_id)
            if approval.role and approval.by_amount:
                self.report(path, "an approval has either a role or amount bands (by_amount), not both")
            if not approval.role and not approval.by_amount:
                self.report(path, "an approval needs a role or amount bands (by_amount)")
            self.check_role((*path, "role"), approval.role)
            previous = 0.0
            for index, band in enumerate(approval.by_amount):
                self.check_role((*path, "by_amount", index, "role"), band.role)
                last = index == len(approval.by_amount) - 1
                if band.up_to is None and not last:
                    self.report((*path, "by_amount", index), "only the last band may be open-ended (no up_to)")
                if band.up_to is not None:
                    if band.up_to <= previous:
                        self.report((*path, "by_amount", index, "up_to"), "bands must rise: up_to must exceed the band before")
                    previous = band.up_to
            self._check_discount_bands(path, approval)

    def _check_discount_bands(self, path: Path, approval: Approval) -> None:
        """Discount bands: known roles, rising limits, only the last open-ended, only with amount bands or alone."""
        if approval.role and approval.by_discount:
            self.report(path, "an approval has either a role or bands (by_amount, by_discount), not both")
        previous = -1.0
        for index, band in enumerate(approval.by_discount):
            self.check_role((*path, "by_discount", index, "role"), band.role)
            last = index == len(approval.by_discount) - 1
            if band.up_to is None and not last:
                self.report((*path, "by_discount", index), "only the last band may be open-ended (no up_to)")
            if band.up_to is not None:
                if band.up_to <= previous:
                    self.report((*path, "by_discount", index, "up_to"),
                                "bands must rise: up_to must exceed the band before")
                previous = band.up_to
        if approval.by_discount and approval.by_discount[-1].up_to is not None:
            self.report((*path, "by_discount"), "the last discount band needs no up_to (every discount has an approver)")

    def _check_quotes(self) -> None:
        """The ``quotes`` declaration names stages, an approval, an activity and a hand-off of this process."""
        if self.definition.order_lines is not None:
            self.check_field(("order_lines", "amount_field"), self.definition.order_lines.amount_field, ("money",))
        quotes = self.definition.quotes
        if quotes is None:
            return
        for index, stage_id in enumerate(quotes.stages):
            self.check_stage(("quotes", "stages", index), stage_id)
        if quotes.approval is not None and quotes.approval not in self.definition.approvals:
            self.report(("quotes", "approval"), f"unknown approval {quotes.approval!r}")
        if quotes.send_activity is not None and quotes.send_activity not in self.definition.activities():
            self.report(("quotes", "send_activity"), f"unknown activity {quotes.send_activity!r}")
        handoffs = {handoff.id for _stage, handoff in self.definition.handoffs()}
        if quotes.order_handoff is not None and quotes.order_handoff not in handoffs:
            self.report(("quotes", "order_handoff"), f"unknown hand-off {quotes.order_handoff!r}")
        for index, name in enumerate(quotes.fixed_fields):
            if name not in ("amount", "currency"):
                self.report(("quotes", "fixed_fields", index),
                            f"{name!r}: a quote sets only amount and currency")
        if self.definition.order_lines is not None:
            self.report(("order_lines",), "a process carries either quotes or order lines, not both")

    def _check_requirements(self, path: Path, requires: Requirements | None) -> None:
        if requires is None:
            return
        activities = self.definition.activities()
        for index, activity in enumerate(requires.activities):
            if activity not in activities:
                self.report((*path, "activities", index), f"unknown activity {activity!r}")
        for index, field in enumerate(requires.fields):
            if self.definition.field_type(field) is None:
                self.report((*path, "fields", index), f"unknown field {field!r}")
        for index, approval in enumerate(requires.approvals):
            if approval not in self.definition.approvals:
                self.report((*path, "approvals", index), f"unknown approval {approval!r}")

    def _check_effects(self, path: Path, stage: Stage) -> None:
        """An effect names text fields the process declares."""
        issue = stage.effects.issue_stock if stage.effects else None
        if issue is None:
            return
        issue_path = (*path, "effects", "issue_stock")
        for key in ("items", "location"):
            name = getattr(issue, key)
            declared = self.definition.fields.get(name)
            if declared is None:
                self.report((*issue_path, key), f"unknown field {name!r} (declare it under fields)")
            elif declared.type != FieldType.text:
                self.report((*issue_path, key), f"field {name!r} must be a text field, not {declared.type.value}")

    def _check_stages(self) -> None:
        definition = self.definition
        seen_stages: dict[str, int] = {}
        seen_activities: dict[str, tuple[int, int]] = {}
        for stage_index, stage in enumerate(definition.stages):
            path: Path = ("stages", stage_index)
            if stage.id in seen_stages:
                self.report((*path, "id"), f"duplicate stage id {stage.id!r}")
            seen_stages[stage.id] = stage_index
            for activity_index, activity in enumerate(stage.activities):
                activity_path = (*path, "activities", activity_index)
                if activity.id in seen_activities:
                    self.report((*activity_path, "id"), f"duplicate activity id {activity.id!r}")
                seen_activities[activity.id] = (stage_index, activity_index)
                self.check_role((*activity_path, "responsible"), activity.responsible)
                self.check_role((*activity_path, "accountable"), activity.accountable)
                for key in ("consulted", "informed", "done_by"):
                    for index, role in enumerate(getattr(activity, key)):
                        self.check_role((*activity_path, key, index), role)
                self._check_requirements((*activity_path, "requires"), activity.requires)
                if activity.requires and activity.id in activity.requires.activities:
                    self.report((*activity_path, "requires"), "an activity cannot require itself")
            if stage.gate:
                gate_path = (*path, "gate")
                self.check_role((*gate_path, "decided_by"), stage.gate.decided_by)
                for index, role in enumerate(stage.gate.delegable_to):
                    self.check_role((*gate_path, "delegable_to", index), role)
                if stage.gate.delegable_to and not stage.gate.decided_by:
                    self.report((*gate_path, "delegable_to"), "delegable_to needs decided_by")
                if stage.gate.decision and not stage.gate.decided_by:
                    self.report((*gate_path, "decision"), "a decision needs decided_by (the role that decides)")
                if stage.is_outcome:
                    self.report(gate_path, "an outcome stage ends the record and has no gate (use requires)")
                self._check_requirements((*gate_path, "requires"), stage.gate.requires)
            self._check_requirements((*path, "requires"), stage.requires)
            self._check_effects(path, stage)
            if stage.stale_days is not None and stage.is_outcome:
                self.report((*path, "stale_days"), "stale_days is for open stages (an outcome stage ends the record)")
            if stage.decided_by is not None:
                if not stage.is_outcome:
                    self.report((*path, "decided_by"), "decided_by on a stage is for outcome stages (who decides to "
                                                       "close a record there); a stage's own decision is gate.decided_by")
                for index, role in enumerate(stage.decided_by):
                    self.check_role((*path, "decided_by", index), role)
        if definition.stages[0].is_outcome:
            self.report(("stages", 0), "the first stage cannot be an outcome (records start there)")
        if not definition.outcome_stages:
            self.report(("stages",), "a process needs at least one outcome stage (outcome: won or lost)")
        previous = None
        for stage in definition.open_stages:
            if previous is not None and stage.probability < previous.probability:
                self.report(
                    ("stages", definition.stage_index(stage.id), "probability"),
                    f"probability falls along the forward path: {previous.id} {previous.probability}% "
                    f"→ {stage.id} {stage.probability}%",
                )
            previous = stage

    def _check_transitions(self) -> None:
        for index, transition in enumerate(self.definition.transitions):
            path = ("transitions", index)
            for key, stage_id in (("from", transition.from_), ("to", transition.to)):
                if not self.definition.has_stage(stage_id):
                    self.report((*path, key), f"unknown stage {stage_id!r}")
            for role_index, role in enumerate(transition.roles):
                self.check_role((*path, "roles", role_index), role)
            if transition.from_ == transition.to:
                self.report(path, "a transition must lead to another stage")
            if self.definition.has_stage(transition.from_) and self.definition.stage(transition.from_).is_outcome:
                self.report((*path, "from"), "an outcome stage ends the record: no move leaves it")

    def _check_reachability(self) -> None:
        from salesflow.process.graph import reachable_stages

        definition = self.definition
        if not definition.open_stages:
            return
        reachable = reachable_stages(definition)
        for index, stage in enumerate(definition.stages):
            if stage.id not in reachable:
                kind = "outcome" if stage.is_outcome else "stage"
                self.report(("stages", index, "id"), f"{kind} {stage.id!r} cannot be reached from {definition.first_stage.id!r}")


def check_references(parsed: ParsedProcess, known_processes: Iterable[str] = ()) -> list[Problem]:
    """Cross-reference problems of one schema-valid process (unknown ids, duplicates, reachability)."""
    known = set(known_processes) | {parsed.definition.process}
    return _Checker(parsed, known).run()


def validate_texts(
    sources: list[tuple[str, str]], known_processes: Iterable[str] = (),
    library: dict[str, ProcessDefinition] | None = None,
) -> tuple[list[ParsedProcess], list[Problem]]:
    """Validate several process files together (they may depend on each other).

    ``sources`` is a list of (file name, text); ``library`` the definitions already in force (their
    fields are what hand-offs into them may set). Returns the valid ones and all problems. A library
    settings file among them is validated too (its problems are reported) but not returned.
    """
    valid, _settings, problems = validate_library_texts(sources, known_processes, library)
    return valid, problems


def validate_library_texts(
    sources: list[tuple[str, str]], known_processes: Iterable[str] = (),
    library: dict[str, ProcessDefinition] | None = None,
) -> tuple[list[ParsedProcess], ParsedSettings | None, list[Problem]]:
    """Validate the files of a library together: processes and at most one library settings file.

    Returns the valid processes, the valid settings (None when none was given or they are invalid)
    and every problem. The settings may name roles of the given processes and of ``library``.
    """
    parsed: list[ParsedProcess] = []
    settings_files: list[ParsedSettings] = []
    problems: list[Problem] = []
    for file, text in sources:
        try:
            item = parse_library_text(text, file)
        except ProcessInvalid as invalid:
            problems.extend(invalid.problems)
            continue
        if isinstance(item, ParsedSettings):
            settings_files.append(item)
        else:
            parsed.append(item)
    known = set(known_processes) | {item.definition.process for item in parsed}
    seen: dict[str, str] = {}
    valid = []
    for item in parsed:
        item_problems = check_references(item, known)
        key = item.definition.process
        if key in seen:
            item_problems.append(Problem(item.file, item.lines.line_of(("process",)),
                                         f"process {key!r} is also defined in {seen[key]}"))
        seen.setdefault(key, item.file)
        problems.extend(item_problems)
        if not item_problems:
            valid.append(item)
    handoff_problems = check_handoff_targets(valid, library)
    if handoff_problems:
        bad_files = {problem.file for problem in handoff_problems}
        valid = [item for item in valid if item.file not in bad_files]
        problems.extend(handoff_problems)
    settings = None
    for extra in settings_files[1:]:
        problems.append(Problem(extra.file, 1, f"a library has one settings file; {settings_files[0].file} is another"))
    if settings_files:
        roles = {role for item in parsed for role in item.definition.roles}
        roles |= {role for definition in (library or {}).values() for role in definition.roles}
        settings_problems = check_settings(settings_files[0], roles)
        problems.extend(settings_problems)
        if not settings_problems and len(settings_files) == 1:
            settings = settings_files[0]
    return valid, settings, problems


def check_handoff_targets(items: list[ParsedProcess],
                          library: dict[str, ProcessDefinition] | None = None) -> list[Problem]:
    """Hand-offs between processes: every target field must exist in the target process (validated together,
    else as in ``library``)."""
    by_key = dict(library or {})
    by_key.update({item.definition.process: item.definition for item in items})
    problems = []
    for item in items:
        for stage_index, stage in enumerate(item.definition.stages):
            for index, handoff in enumerate(stage.handoffs):
                target = by_key.get(handoff.process)
                if target is None:
                    continue
                for name in handoff.fields:
                    if target.field_type(name) is None:
                        path = ("stages", stage_index, "handoffs", index, "fields", name)
                        problems.append(Problem(item.file, item.lines.line_of(path),
                                                f"{handoff.process} has no field {name!r}"))
    return problems


def validate_paths(paths: Iterable[str | FsPath], known_processes: Iterable[str] = (),
                   library: dict[str, ProcessDefinition] | None = None) -> tuple[list[ParsedProcess], list[Problem]]:
    """Validate process files on disk (directories are searched for *.yaml / *.yml)."""
    valid, _settings, problems = validate_library_paths(paths, known_processes, library)
    return valid, problems


def validate_library_paths(
    paths: Iterable[str | FsPath], known_processes: Iterable[str] = (),
    library: dict[str, ProcessDefinition] | None = None,
) -> tuple[list[ParsedProcess], ParsedSettings | None, list[Problem]]:
    """Validate a library on disk: process files and its settings file (see `validate_library_texts`)."""
    sources: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for path in expand_paths(paths):
        try:
            raw = FsPath(path).read_bytes()
            sources.append((str(path), raw.decode("utf-8-sig")))
        except OSError as error:
            problems.append(Problem(str(path), 0, f"cannot read file: {error.strerror or error}"))
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            problems.append(Problem(str(path), line, "file is not UTF-8 text"))
    valid, settings, found = validate_library_texts(sources, known_processes, library)
    return valid, settings, problems + found


def expand_paths(paths: Iterable[str | FsPath]) -> list[FsPath]:
    """Files named directly, plus the *.yaml and *.yml files of named directories (sorted)."""
    result: list[FsPath] = []
    for path in paths:
        path = FsPath(path)
        if path.is_dir():
            result.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            result.append(path)
    return result


def parse_valid(text: str, file: str = "<text>", known_processes: Iterable[str] = ()) -> ParsedProcess:
    """Parse one process and check its references; raise `ProcessInvalid` on any problem."""
    parsed = parse_text(text, file)
    problems = check_references(parsed, known_processes)
    if problems:
        raise ProcessInvalid(sorted(problems))
    return parsed
