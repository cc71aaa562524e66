"""Which process definitions the process map shows: the approved version of every process in the database.

The pure layout lives in `process_map`; this module only picks the definitions (Django side).
"""

from __future__ import annotations

from salesflow.guidelines.process_map import ProcessMap, build_process_map
from salesflow.process.model import ProcessDefinition
from salesflow.records.models import Process, ProcessVersion
from salesflow.records.services import definition_of


def approved_definitions(instead: ProcessVersion | None = None) -> list[ProcessDefinition]:
    """The current approved version of every process; ``instead`` stands in for its own process's version
    (so a draft's guideline shows the map with the draft in it). Processes without an approved version are left out."""
    definitions = []
    for process in Process.objects.order_by("key"):
        if instead is not None and instead.process_id == process.pk:
            definitions.append(definition_of(instead))
            continue
        current = process.current_version()
        if current is not None:
            definitions.append(definition_of(current))
    return definitions


def definitions_of(versions: list[ProcessVersion]) -> list[ProcessDefinition]:
    """The newest of the given versions per process (e.g. those in force at the end of an audit period)."""
    newest: dict[str, ProcessVersion] = {}
    for version in versions:
        known = newest.get(version.process.key)
        if known is None or version.version > known.version:
            newest[version.process.key] = version
    return [definition_of(newest[key]) for key in sorted(newest)]


def current_map(language: str = "en") -> ProcessMap:
    """The process map of the approved versions."""
    return build_process_map(approved_definitions(), language)
