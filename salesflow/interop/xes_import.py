"""Import an XES event log as records of a process: one record per trace, activities mapped to stages/activities.

The mapping is YAML::

    activities:                     # XES concept:name → stage id or activity id
      A_SUBMITTED: qualification    # a stage: the record enters it
      W_Completeren aanvraag: {activity: risk_analysis}   # explicit, when an id is both
    unmapped: ignore                # or error (default): unmapped activities are problems
    lifecycle: [complete]           # transitions imported (default: complete, and events without one)
    title: concept:name             # trace attribute for the title (default: "<log> case <id>")
    amount: AMOUNT_REQ              # trace attribute holding the amount (optional)
    system: bpic2012                # names the source for idempotency (default: "xes:<file name>")

``org:resource`` becomes the acting user (an inactive placeholder ``xes-<resource>``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from salesflow.engine.errors import BadInput
from salesflow.interop import parsing
from salesflow.interop.engine import ImportSummary, ImportWriter, UserSpec, fingerprint, run_import
from salesflow.interop.generic import RecordIn, StepIn, write_records
from salesflow.interop.lengths import too_long
from salesflow.interop.problems import DEFAULT_LIMIT, ImportFailed, Problem
from salesflow.interop.progress import Progress, silent
from salesflow.interop.spreadsheet import load_mapping
from salesflow.interop.xes import XesError, iter_xes
from salesflow.records.services import definition_of, get_process


def _targets(mapping: dict[str, Any], definition: Any, name: str) -> tuple[dict[str, tuple[str, str]], list[Problem]]:
    """XES activity → ("stage"|"activity", id), and the problems of the mapping."""
    problems: list[Problem] = []
    targets: dict[str, tuple[str, str]] = {}
    entries = mapping.get("activities")
    if not isinstance(entries, dict) or not entries:
        return {}, [Problem(name, None, "activities", "a mapping of XES activity → stage or activity id is expected")]
    activities = definition.activities()
    for source, target in entries.items():
        if isinstance(target, dict) and len(target) == 1:
            kind, value = next(iter(target.items()))
            ok = (kind == "stage" and definition.has_stage(str(value))) or \
                (kind == "activity" and str(value) in activities)
            if ok:
                targets[str(source)] = (kind, str(value))
                continue
        elif isinstance(target, str):
            if definition.has_stage(target):
                targets[str(source)] = ("stage", target)
                continue
            if target in activities:
                targets[str(source)] = ("activity", target)
                continue
        problems.append(Problem(name, None, "activities", f"{source!r} → {target!r}: not a stage or activity of "
                                f"{definition.process}"))
    return targets, problems


def import_xes(path: str | Path, process: str, mapping_path: str | Path, *, dry_run: bool = False,
               skip_invalid: bool = False, problem_limit: int = DEFAULT_LIMIT,
               progress: Progress | None = None) -> ImportSummary:
    """Import an XES log; returns the summary or raises `ImportFailed` (nothing written)."""
    file = Path(path)
    mapping = load_mapping(mapping_path)
    version = get_process(process).current_version()
    if version is None:
        raise BadInput(f"process {process} has no approved version: approve one before importing")
    definition = definition_of(version)
    targets, problems = _targets(mapping, definition, str(mapping_path))
    unmapped_policy = str(mapping.get("unmapped", "error"))
    if unmapped_policy not in ("error", "ignore"):
        problems.append(Problem(str(mapping_path), None, "unmapped", "error or ignore expected"))
    if problems:
        raise ImportFailed(problems, f"{mapping_path}: {len(problems)} problem(s) in the mapping")
    lifecycles = {str(item).lower() for item in mapping.get("lifecycle") or ["complete"]}
    title_key = mapping.get("title")
    amount_key = mapping.get("amount")
    system = str(mapping.get("system") or f"xes:{file.name}")[:64]
    records: dict[str, RecordIn] = {}
    users: dict[str, UserSpec] = {}
    unmapped: dict[str, int] = {}
    bad: list[Problem] = []
    trace_of: dict[str, int] = {}
    duplicates: set[tuple[str, int]] = set()
    advance = (progress or silent)(f"reading {file.name}", None)
    try:
        for event in iter_xes(file):
            advance(1)
            if event.lifecycle is not None and event.lifecycle.lower() not in lifecycles:
                continue
            target = targets.get(event.activity)
            if target is None:
                unmapped[event.activity] = unmapped.get(event.activity, 0) + 1
                continue
            item = records.get(event.case)
            first_trace = trace_of.setdefault(event.case, event.trace_index)
            if first_trace != event.trace_index:
                if (event.case, event.trace_index) not in duplicates:
                    duplicates.add((event.case, event.trace_index))
                    bad.append(Problem(file.name, None, "concept:name", f"trace {event.trace_index}: duplicate case id "
                                       f"{event.case!r} (also trace {first_trace})"))
                continue
            if item is None:
                attributes = event.trace_attributes
                title = str(attributes.get(title_key)) if title_key and attributes.get(title_key) is not None \
                    else f"{file.name.split('.')[0]} case {event.case}"
                amount = None
                if amount_key and attributes.get(amount_key) not in (None, ""):
                    try:
                        amount = parsing.parse_money(attributes[amount_key])
                    except ValueError as error:
                        bad.append(Problem(file.name, None, str(amount_key),
                                           f"trace {event.trace_index} (case {event.case}): {error}"))
                for column, value, kind in ((str(title_key or "concept:name"), title, "title"),
                                            ("concept:name", event.case, "external_id")):
                    if message := too_long(value, kind):
                        bad.append(Problem(file.name, None, column,
                                           f"trace {event.trace_index} (case {event.case[:40]}): {message}"))
                item = records[event.case] = RecordIn(
                    external_id=event.case, title=title, amount=amount,
                    source={"system": system, "case": event.case})
            actor = None
            if event.resource:
                actor = event.resource
                if actor not in users and (message := too_long(f"xes-{actor}", "username")):
                    bad.append(Problem(file.name, None, "org:resource", f"trace {event.trace_index}: {message}"))
                users.setdefault(actor, UserSpec(actor, f"xes-{actor}"))
            kind, value = target
            item.steps.append(StepIn(f"{event.case}#{event.event_index}", event.timestamp,
                                     stage=value if kind == "stage" else None,
                                     activity=value if kind == "activity" else None, actor=actor,
                                     source={"event": event.event_index, "activity": event.activity}))
    except XesError as error:
        raise ImportFailed([Problem(file.name, None, "", str(error))], str(error)) from None
    if unmapped and unmapped_policy == "error":
        for name, count in sorted(unmapped.items()):
            bad.append(Problem(file.name, None, "concept:name", f"activity {name!r} ({count} event(s)) is not mapped "
                               "(map it under activities:, or set unmapped: ignore)"))
    if not records and not bad:
        bad.append(Problem(file.name, None, "", "the log has no events to import (after mapping)"))
    if bad and not (skip_invalid and records):
        raise ImportFailed(bad, f"{len(bad)} problem(s) found; nothing was written", limit=problem_limit)
    summary = ImportSummary(system, process)
    summary.skipped = bad
    if unmapped and unmapped_policy == "ignore":
        summary.notes.append(f"{sum(unmapped.values())} event(s) of {len(unmapped)} unmapped activities ignored")
    items = list(records.values())
    for item in items:
        item.fingerprint = fingerprint([item.title, item.amount])

    def work() -> None:
        writer = ImportWriter(system, process, summary)
        write_records(writer, items, list(users.values()), progress=progress)
    return run_import(work, summary, dry_run)
