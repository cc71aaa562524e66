"""Events on a visible record never name a record its reader may not see (ISO 27001 A.8.3).

Links, hand-offs and hand-off origins store the other record's id in the event payload. Before a
timeline, an API event page or the CLI shows such events to a user, `reader_payloads` replaces every
id of a record hidden from them by ``None`` and marks the payload ``"hidden_record": true``; the
stored event (and its hash) is never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

#: Event kind → payload keys holding the id of another record.
RECORD_REFERENCES: dict[str, tuple[str, ...]] = {
    "link_added": ("target", "to", "from"),
    "link_removed": ("target", "to", "from"),
    "handoff_sent": ("target",),
}
#: The key marking a payload from which a hidden record was taken out.
HIDDEN_MARK = "hidden_record"


def _references(kind: str, payload: dict[str, Any]) -> list[int]:
    ids = [payload.get(key) for key in RECORD_REFERENCES.get(kind, ())]
    origin = payload.get("origin") if kind == "record_created" else None
    if isinstance(origin, dict):
        ids.append(origin.get("record"))
    return [pk for pk in ids if isinstance(pk, int) and not isinstance(pk, bool)]


def _redact(kind: str, payload: dict[str, Any], hidden: set[int]) -> dict[str, Any]:
    result = dict(payload)
    for key in RECORD_REFERENCES.get(kind, ()):
        if result.get(key) in hidden:
            result[key] = None
            result[HIDDEN_MARK] = True
    origin = result.get("origin") if kind == "record_created" else None
    if isinstance(origin, dict) and origin.get("record") in hidden:
        result["origin"] = {**origin, "record": None}
        result[HIDDEN_MARK] = True
    return result


def reader_payloads(events: Iterable[Any], user: Any | None) -> dict[int, dict[str, Any]]:
    """Each event's payload (by ``seq``) as ``user`` may read it (None: unchanged, the administrator's view).

    One query finds which of the records the events name the user may see.
    """
    events = list(events)
    payloads = {event.seq: dict(event.payload or {}) for event in events}
    if user is None:
        return payloads
    named = {pk for event in events for pk in _references(event.kind, payloads[event.seq])}
    if not named:
        return payloads
    from salesflow.people import access

    visible = set(access.visible_records(user).filter(pk__in=named).values_list("pk", flat=True))
    hidden = named - visible
    if not hidden:
        return payloads
    return {event.seq: _redact(event.kind, payloads[event.seq], hidden) for event in events}


def for_reader(events: Iterable[Any], user: Any | None, batch: int = 5000) -> Iterator[Any]:
    """The events, each carrying the payload ``user`` may read (exports stream through it in batches).

    The instances handed out carry the reader's copy of the payload; they are never saved (the event
    log is append-only), so the stored events stay as they are.
    """
    if user is None:
        yield from events
        return
    pending: list[Any] = []
    for event in events:
        pending.append(event)
        if len(pending) >= batch:
            yield from _with_payloads(pending, user)
            pending = []
    yield from _with_payloads(pending, user)


def _with_payloads(events: list[Any], user: Any) -> list[Any]:
    payloads = reader_payloads(events, user)
    for event in events:
        event.payload = payloads[event.seq]
    return events
