"""Which process definitions the process map shows: the approved version of every process in the database.

The pure layout lives in `process_map`; this module only picks the definitions (Django side). A map is
laid out once per set of versions and language and kept in memory (`process_map_of`): every guideline of
the approved library shows the same map, and its layout costs more than the rest of the document.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from salesflow.guidelines.process_map import ProcessMap, build_process_map, render_map_svg
from salesflow.process.model import ProcessDefinition, Status
from salesflow.records.models import ProcessVersion
from salesflow.records.services import definition_of

#: How many laid-out maps and digests are kept (per library state and language: the map, a digest per process).
MAPS_KEPT = 128

_maps: OrderedDict[tuple[object, ...], object] = OrderedDict()  # maps and their digests
_maps_lock = threading.Lock()


def map_versions(instead: ProcessVersion | None = None) -> list[ProcessVersion]:
    """The approved version in force of every process (one query), by process key; ``instead`` stands in for
    its own process's version. Processes without an approved version are left out."""
    newest: dict[int, ProcessVersion] = {}
    for version in (ProcessVersion.objects.select_related("process").defer("source", "definition")
                    .filter(status=Status.approved.value, scheduled=False).order_by("process__key", "-version")):
        newest.setdefault(version.process_id, version)
    if instead is not None:
        newest[instead.process_id] = instead
    return sorted(newest.values(), key=lambda version: version.process.key)


def approved_definitions(instead: ProcessVersion | None = None) -> list[ProcessDefinition]:
    """The current approved version of every process; ``instead`` stands in for its own process's version
    (so a draft's guideline shows the map with the draft in it). Processes without an approved version are left out."""
    return [definition_of(version) for version in map_versions(instead)]


def _map_key(versions: list[ProcessVersion], language: str) -> tuple[object, ...] | None:
    if any(version.pk is None for version in versions):
        return None  # not stored: its content is not fixed by an id and a SHA-256
    return (language, *sorted((version.pk, version.sha256) for version in versions))


def _remember(key: tuple[object, ...], value: object) -> None:
    with _maps_lock:
        _maps[key] = value
        while len(_maps) > MAPS_KEPT:
            _maps.popitem(last=False)


def _known(key: tuple[object, ...]) -> object | None:
    with _maps_lock:
        value = _maps.get(key)
        if value is not None:
            _maps.move_to_end(key)
        return value


def process_map_of(versions: list[ProcessVersion], language: str = "en") -> ProcessMap:
    """The process map of these stored versions, laid out once per (versions, SHA-256s, language)."""
    key = _map_key(versions, language)
    known = _known(key) if key is not None else None
    if isinstance(known, ProcessMap):
        return known
    built = build_process_map([definition_of(version) for version in versions], language)
    if key is not None:
        _remember(key, built)
    return built


def map_digest(process_map: ProcessMap, highlight: str | None) -> str:
    """A SHA-256 of what a guideline prints of the map: the drawing with ``highlight`` and the hand-off table."""
    text = render_map_svg(process_map, highlight=highlight) + json.dumps(
        [row.cells() for row in process_map.handoffs], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def printed_map_digest(versions: list[ProcessVersion], language: str, highlight: str | None) -> str:
    """`map_digest` of `process_map_of` these versions, worked out once per (versions, language, highlight)."""
    key = _map_key(versions, language)
    known = _known(("digest", highlight, *key)) if key is not None else None
    if isinstance(known, str):
        return known
    digest = map_digest(process_map_of(versions, language), highlight)
    if key is not None:
        _remember(("digest", highlight, *key), digest)
    return digest


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
