"""The audit trail as its reader may browse it: events filtered by user, record, process, kind and date.

Who may browse it is the library's right ``audit_trail`` (library settings), not a role named here.
An event of a record the reader may not see does not exist for them (ISO 27001 A.8.3): it is neither
listed, counted nor exported. Events of no record (security events, process versions …) are listed;
their payloads never name a hidden record, and a client address is left out as the API leaves it out.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from salesflow.engine.errors import BadInput
from salesflow.engine.texts import N_
from salesflow.people import access
from salesflow.records.models import Event, Record
from salesflow.records.redaction import reader_payloads

#: The library right to browse and export the audit trail.
TRAIL_RIGHT = "audit_trail"
#: Payload keys never shown in the browser (as in the API's event data).
PRIVATE_KEYS = ("address",)


@dataclass
class TrailFilter:
    """The filters of the audit-trail browser; every field optional."""

    user: str | None = None            # the actor's user name
    record: int | None = None
    process: str | None = None         # process key
    kind: str | None = None            # event kind, e.g. stage_changed, security.export
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def as_params(self) -> dict[str, str]:
        """The filter as query parameters (empty ones left out), e.g. for an export event's payload."""
        return {item.name: str(getattr(self, item.name)) for item in fields(self)
                if getattr(self, item.name) not in (None, "")}


def may_browse(user: Any) -> bool:
    """True when ``user`` holds the library right to browse the audit trail."""
    return access.is_staff_member(user) and access.has_right(user, TRAIL_RIGHT)


def _date(value: Any, name: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise BadInput(N_("%(name)s: a date YYYY-MM-DD is expected, got %(value)s", name=name,
                          value=repr(str(value)[:40]))) from None


def _text(value: Any, name: str, limit: int = 150) -> str | None:
    text = str(value or "").strip()
    if len(text) > limit or "\x00" in text:
        raise BadInput(N_("%(name)s: at most %(limit)s characters without NUL expected, got %(value)s", name=name,
                          limit=limit, value=repr(text[:40])))
    return text or None


def filter_from_params(params: Any) -> TrailFilter:
    """A `TrailFilter` from query parameters; `BadInput` names the parameter that is wrong."""
    get = params.get
    record_text = str(get("record") or "").strip().lstrip("#")
    if record_text and (not record_text.isdigit() or len(record_text) > 18):
        raise BadInput(N_("record: a record number is expected, got %(value)s", value=repr(record_text[:40])))
    flt = TrailFilter(user=_text(get("user"), "user"), record=int(record_text) if record_text else None,
                      process=_text(get("process"), "process", 64), kind=_text(get("kind"), "kind", 48),
                      date_from=_date(get("date_from"), "date_from"), date_to=_date(get("date_to"), "date_to"))
    if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
        raise BadInput(N_("date_to: %(to)s is before date_from %(from)s", to=flt.date_to, **{"from": flt.date_from}))
    return flt


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def events_for(user: Any, flt: TrailFilter | None = None) -> QuerySet:
    """The events ``user`` may see, filtered, newest first (events of hidden records left out)."""
    from salesflow.people.models import User

    flt = flt or TrailFilter()
    # Leaving out the few hidden records is far cheaper than keeping the many visible ones: a page deep in
    # 300 000 events takes 0.15 s instead of 4.4 s (SQLite). Records are never deleted, so every event of
    # a record is of a record the rule can judge; events of no record stay.
    query = Event.objects.exclude(record_id__in=Record.objects.exclude(access.visibility_filter(user)).values("pk"))
    if flt.user:
        actor = User.objects.filter(username=flt.user).values_list("pk", flat=True).first()
        query = query.filter(actor_id=actor) if actor is not None else query.none()
    if flt.record is not None:
        query = query.filter(record_id=flt.record)
    if flt.process:
        query = query.filter(process=flt.process)
    if flt.kind:
        query = query.filter(kind=flt.kind)
    if flt.date_from:
        query = query.filter(at__gte=_start_of(flt.date_from))
    if flt.date_to:
        query = query.filter(at__lt=_start_of(flt.date_to + datetime.timedelta(days=1)))
    return query.order_by("-seq")


def _listed_ids(payload: dict[str, Any]) -> list[int]:
    ids = payload.get("record_ids")
    return [pk for pk in ids if isinstance(pk, int)] if isinstance(ids, list) else []


def reader_view(events: Iterable[Event], user: Any) -> dict[int, dict[str, Any]]:
    """Each event's payload (by seq) as ``user`` may read it: links to hidden records unnamed
    (`salesflow.records.redaction`), hidden records left out of ``record_ids`` lists, no client address."""
    events = list(events)
    payloads = reader_payloads(events, user)
    listed = {pk for payload in payloads.values() for pk in _listed_ids(payload)}
    visible = set(access.visible_records(user).filter(pk__in=listed).values_list("pk", flat=True)) if listed else set()
    for payload in payloads.values():
        for key in PRIVATE_KEYS:
            payload.pop(key, None)
        ids = _listed_ids(payload)
        if ids:
            shown = [pk for pk in ids if pk in visible]
            payload["record_ids"] = shown
            if "count" in payload:
                payload["count"] = len(shown)
    return payloads


def stream(query: QuerySet, user: Any, batch: int = 2000) -> Iterator[tuple[Event, dict[str, Any]]]:
    """The events of ``query`` with their reader's payloads, in batches (exports stream through it)."""
    pending: list[Event] = []
    for event in query.iterator(chunk_size=batch):
        pending.append(event)
        if len(pending) >= batch:
            payloads = reader_view(pending, user)
            yield from ((item, payloads[item.seq]) for item in pending)
            pending = []
    payloads = reader_view(pending, user)
    yield from ((item, payloads[item.seq]) for item in pending)
