"""Checklists (scored assessments) as library YAML: the typed definition and its validation.

A checklist is one YAML file (see README, "Checklists and assessments")::

    checklist: partner-mystery-shopping
    title: {en: Mystery shopping of a channel partner, de: Mystery Shopping beim Vertriebspartner}
    version: 1
    subject: partner          # partner | user | account | record
    responsible: sales_quality
    pass_mark: 80             # percent
    raises: nonconformity     # optional: the process a failed critical question starts a record in
    sections:
      - id: welcome
        title: Welcome
        questions:
          - {id: greeted, text: "Greeted within two minutes", type: yes_no, weight: 2}
          - {id: product, text: "Knowledge of the product", type: scale, scale: 5, weight: 3, na: true}

Reading and reporting reuse the process machinery: `salesflow.process.loader` (line numbers, bounded
YAML) and the ``file:line: message`` problems of `salesflow.process.validate`. Nothing here knows
about Django; scoring is `salesflow.engine.scoring`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path as FsPath
from typing import Annotated, Any

from pydantic import Field, ValidationError

from salesflow.process.loader import LineMap, Path, YamlProblem, load_yaml
from salesflow.process.model import Ident, Strict, Text
from salesflow.process.validate import Problem, ProcessInvalid, _schema_message, expand_paths

#: The most sections, and questions per checklist, a checklist may have (bounds for forms and memory).
MAX_SECTIONS = 50
MAX_QUESTIONS = 500
#: The largest scale (answers 1..n).
MAX_SCALE = 100
#: The largest checklist file read.
MAX_FILE_BYTES = 1024 * 1024


class Subject(StrEnum):
    """What a checklist assesses."""

    partner = "partner"
    user = "user"
    account = "account"
    record = "record"


class QuestionType(StrEnum):
    """How a question is answered."""

    yes_no = "yes_no"
    yes_no_partial = "yes_no_partial"
    scale = "scale"


class Question(Strict):
    """One scored question."""

    id: Ident
    text: Text
    type: QuestionType
    scale: Annotated[int, Field(ge=2, le=MAX_SCALE)] | None = Field(
        default=None, description="For type scale: the number of steps n (answers 1..n).")
    weight: Annotated[Decimal, Field(gt=0, le=1000, max_digits=9, decimal_places=3)] = Field(
        default=Decimal(1), description="Weight of the question in the score (default 1).")
    na: bool = Field(default=False, description="May be answered 'na' (not applicable): then left out of the score.")
    critical: bool = Field(default=False, description="Answered 'no', the assessment fails whatever the score.")


class Section(Strict):
    """A titled group of questions."""

    id: Ident
    title: Text
    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS)


class ChecklistDefinition(Strict):
    """A checklist file: a versioned, scored questionnaire about a partner, user, account or record."""

    checklist: Ident = Field(description="Identifier of the checklist (stable across versions).")
    title: Text
    version: Annotated[int, Field(ge=1, le=1_000_000)]
    subject: Subject
    responsible: Ident = Field(description="Role id that carries out assessments with this checklist.")
    pass_mark: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=1)] = Field(
        description="Score in percent at or above which an assessment passes.")
    raises: Ident | None = Field(
        default=None, description="Process key (e.g. nonconformity) a failed critical question starts a record in.")
    sections: list[Section] = Field(min_length=1, max_length=MAX_SECTIONS)

    def questions(self) -> list[Question]:
        """Every question in order."""
        return [question for section in self.sections for question in section.questions]

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return next((question for question in self.questions() if question.id == question_id), None)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready data of the definition (what the database stores)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass
class ParsedChecklist:
    """A checklist file that passed the schema: its definition, source text and line map."""

    definition: ChecklistDefinition
    source: str
    file: str
    lines: LineMap


def parse_checklist_text(text: str, file: str = "<text>") -> ParsedChecklist:
    """Parse and schema-check one checklist's text. Raises `ProcessInvalid` (file:line problems)."""
    try:
        data, lines = load_yaml(text)
    except YamlProblem as problem:
        raise ProcessInvalid([Problem(file, problem.line, problem.message)]) from None
    if not isinstance(data, dict):
        raise ProcessInvalid([Problem(file, 1, "a checklist file must be a YAML mapping (key: value)")])
    if "checklist" not in data:
        raise ProcessInvalid([Problem(file, 1, "not a checklist: the key 'checklist' is missing")])
    try:
        definition = ChecklistDefinition.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc: Path = tuple(part for part in item["loc"] if part != "function-plain")
            if item["type"] == "extra_forbidden":
                line = lines.lines.get(loc, lines.line_of(loc[:-1]))
            else:
                line = lines.line_of(loc)
            problems.append(Problem(file, line, _schema_message(item, loc)))
        raise ProcessInvalid(sorted(set(problems))) from None
    return ParsedChecklist(definition=definition, source=text, file=file, lines=lines)


def check_checklist(parsed: ParsedChecklist, known_roles: Iterable[str] | None = None) -> list[Problem]:
    """Cross-checks a schema cannot express: unique ids, scale only on scale questions, known roles."""
    problems: list[Problem] = []

    def report(path: Path, message: str) -> None:
        problems.append(Problem(parsed.file, parsed.lines.line_of(path), message))

    definition = parsed.definition
    if known_roles is not None:
        roles = set(known_roles)
        if definition.responsible not in roles:
            report(("responsible",), f"unknown role {definition.responsible!r} "
                                     f"(known roles: {', '.join(sorted(roles)) or 'none'})")
    sections: set[str] = set()
    questions: set[str] = set()
    count = 0
    for section_index, section in enumerate(definition.sections):
        path: Path = ("sections", section_index)
        if section.id in sections:
            report((*path, "id"), f"duplicate section id {section.id!r}")
        sections.add(section.id)
        for index, question in enumerate(section.questions):
            count += 1
            question_path: Path = (*path, "questions", index)
            if question.id in questions:
                report((*question_path, "id"), f"duplicate question id {question.id!r}")
            questions.add(question.id)
            if question.type == QuestionType.scale and question.scale is None:
                report(question_path, f"question {question.id!r}: a scale question needs scale (the number of steps)")
            if question.type != QuestionType.scale and question.scale is not None:
                report((*question_path, "scale"), f"question {question.id!r}: only scale questions have a scale")
    if count > MAX_QUESTIONS:
        report(("sections",), f"a checklist has at most {MAX_QUESTIONS} questions (this one has {count})")
    return sorted(problems)


def parse_valid_checklist(text: str, file: str = "<text>",
                          known_roles: Iterable[str] | None = None) -> ParsedChecklist:
    """Parse one checklist and cross-check it; raise `ProcessInvalid` on any problem."""
    parsed = parse_checklist_text(text, file)
    problems = check_checklist(parsed, known_roles)
    if problems:
        raise ProcessInvalid(problems)
    return parsed


def validate_checklist_paths(paths: Iterable[str | FsPath], known_roles: Iterable[str] | None = None,
                             ) -> tuple[list[ParsedChecklist], list[Problem]]:
    """Validate checklist files on disk (directories are searched for *.yaml / *.yml).

    Returns the valid ones and every problem; two files with the same checklist id and version are a problem.
    """
    roles = None if known_roles is None else set(known_roles)
    valid: list[ParsedChecklist] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, int], str] = {}
    for path in expand_paths(paths):
        name = str(path)
        try:
            if FsPath(path).stat().st_size > MAX_FILE_BYTES:
                problems.append(Problem(name, 0, f"larger than {MAX_FILE_BYTES // 1024} KB: not a checklist"))
                continue
            raw = FsPath(path).read_bytes()
            text = raw.decode("utf-8-sig")
        except OSError as error:
            problems.append(Problem(name, 0, f"cannot read file: {error.strerror or error}"))
            continue
        except UnicodeDecodeError as error:
            problems.append(Problem(name, raw[: error.start].count(b"\n") + 1, "file is not UTF-8 text"))
            continue
        try:
            parsed = parse_valid_checklist(text, name, roles)
        except ProcessInvalid as invalid:
            problems.extend(invalid.problems)
            continue
        key = (parsed.definition.checklist, parsed.definition.version)
        if key in seen:
            problems.append(Problem(name, parsed.lines.line_of(("version",)),
                                    f"checklist {key[0]!r} version {key[1]} is also defined in {seen[key]}"))
            continue
        seen[key] = name
        valid.append(parsed)
    return valid, problems
