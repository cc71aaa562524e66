"""Rows of the audit-trail browser: each event with its record, process and a sentence saying what happened."""

from __future__ import annotations

import json
from typing import Any

from salesflow.lists import sentences, trail
from salesflow.process.model import ProcessDefinition
from salesflow.records.models import Event, ProcessVersion, Record
from salesflow.records.services import definition_of
from salesflow.web.event_kinds import kind_name
from salesflow.web.presenters import describe_event

#: Payload values shown for an event without a record sentence (longer ones are cut).
SUMMARY_ITEMS = 5
SUMMARY_CHARS = 60


def _definitions(events: list[Event]) -> dict[tuple[str, int], ProcessDefinition]:
    wanted = {(event.process, event.process_version) for event in events if event.process and event.process_version}
    found: dict[tuple[str, int], ProcessDefinition] = {}
    if not wanted:
        return found
    versions = ProcessVersion.objects.select_related("process").filter(
        process__key__in={key for key, _ in wanted}, version__in={number for _, number in wanted})
    for version in versions:
        if (version.process.key, version.version) in wanted:
            found[(version.process.key, version.version)] = definition_of(version)
    return found


def summary(payload: dict[str, Any]) -> str:
    """A payload in a few ``key: value`` pairs (for events the timeline has no sentence for)."""
    parts = []
    for key, value in list(payload.items())[:SUMMARY_ITEMS]:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        parts.append(f"{key}: {text[:SUMMARY_CHARS]}{'…' if len(text) > SUMMARY_CHARS else ''}")
    return "; ".join(parts)


def rows(events: list[Event], user: Any, language: str) -> list[dict[str, Any]]:
    """The page's events as table rows, as ``user`` may read them."""
    payloads = trail.reader_view(events, user)
    definitions = _definitions(events)
    titles = dict(Record.objects.filter(pk__in={e.record_id for e in events if e.record_id}).values_list("pk", "title"))
    result = []
    for event in events:
        payload = payloads[event.seq]
        definition = definitions.get((event.process, event.process_version))
        text, note = "", ""
        if event.record_id and definition is not None:
            described = describe_event(event, definition, {}, language, payload)
            text, note = described["text"], described["note"]
        if not text or text == kind_name(event.kind):
            text, note = sentences.describe(event.kind, payload) or (summary(payload), "")
        result.append({"seq": event.seq, "at": event.at, "kind": event.kind, "kind_name": kind_name(event.kind),
                       "actor": event.actor_name,
                       "record": event.record_id, "record_title": titles.get(event.record_id, ""),
                       "process": event.process, "text": text, "note": note})
    return result
