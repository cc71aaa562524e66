"""Export the event log as IEEE 1849 XES: one trace per record, for process-mining tools.

Each trace carries the record's attributes (``concept:name`` = record id, title, process, stage,
outcome, account, amount, currency, owner, close date); each event ``concept:name`` (the stage
entered, or the activity done), ``time:timestamp``, ``org:resource`` (who), ``org:role`` (in which
role), ``lifecycle:transition`` (complete), plus ``salesflow:kind``, ``salesflow:seq`` and
``salesflow:imported``. By default only stage entries (``record_created``, ``stage_changed``) and
activities (``activity_done``) are events; ``all_events`` adds every other kind (named by kind).
Writing streams: memory stays flat however many events there are. ``.gz`` output is gzipped.
"""

from __future__ import annotations

import datetime
import gzip
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from django.db.models import QuerySet

from salesflow.records.models import Event

from .exports import select_records
from .progress import Progress, silent

STAGE_KINDS = ("record_created", "stage_changed")
DEFAULT_KINDS = (*STAGE_KINDS, "activity_done")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
\t<global scope="trace">
\t\t<string key="concept:name" value="__INVALID__"/>
\t</global>
\t<global scope="event">
\t\t<string key="concept:name" value="__INVALID__"/>
\t\t<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
\t\t<string key="lifecycle:transition" value="complete"/>
\t</global>
\t<classifier name="Activity" keys="concept:name"/>
\t<classifier name="Activity and transition" keys="concept:name lifecycle:transition"/>
\t<string key="concept:name" value="salesflow"/>
\t<string key="source" value="Salesflow event log"/>
"""


def escape(value: Any) -> str:
    """Text safe inside a double-quoted XML attribute (characters XML 1.0 forbids are dropped)."""
    text = str(value)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\n" in text or "\r" in text or "\t" in text:
        text = text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return _INVALID_XML.sub("", text)


def timestamp(at: datetime.datetime) -> str:
    """An XES date: ISO 8601 in UTC with milliseconds (or microseconds where present)."""
    moment = at.astimezone(datetime.UTC)
    spec = "milliseconds" if moment.microsecond % 1000 == 0 else "microseconds"
    return moment.isoformat(timespec=spec)


def activity_name(event: Event) -> str:
    """The ``concept:name`` of an event: the stage entered, the activity done, or the kind."""
    if event.kind in STAGE_KINDS:
        return event.to_stage
    if event.kind == "activity_done":
        return event.activity
    return event.kind


#: Record columns a trace carries (read as plain values: no model objects per record).
TRACE_COLUMNS = ("pk", "title", "process__key", "stage", "currency", "classification", "outcome", "account",
                 "amount", "owner__username", "close_date")


def _trace_attributes(values: tuple[Any, ...]) -> list[str]:
    pk, title, process, stage, currency, classification, outcome, account, amount, owner, close_date = values
    lines = [f'\t\t<string key="concept:name" value="{pk}"/>',
             f'\t\t<string key="title" value="{escape(title)}"/>',
             f'\t\t<string key="process" value="{escape(process)}"/>',
             f'\t\t<string key="stage" value="{escape(stage)}"/>',
             f'\t\t<string key="currency" value="{escape(currency)}"/>',
             f'\t\t<string key="classification" value="{escape(classification)}"/>']
    if outcome:
        lines.append(f'\t\t<string key="outcome" value="{escape(outcome)}"/>')
    if account:
        lines.append(f'\t\t<string key="account" value="{escape(account)}"/>')
    if amount is not None:
        lines.append(f'\t\t<float key="amount" value="{amount:f}"/>')
    if owner:
        lines.append(f'\t\t<string key="owner" value="{escape(owner)}"/>')
    if close_date:
        lines.append(f'\t\t<date key="close_date" value="{close_date.isoformat()}T00:00:00.000+00:00"/>')
    return lines


def _write_trace(out: TextIO, record: tuple[Any, ...], events: list[Any]) -> None:
    parts = ["\t<trace>", *_trace_attributes(record)]
    for seq, kind, at, to_stage, activity, actor_name, role, imported in events:
        name = to_stage if kind in STAGE_KINDS else activity if kind == "activity_done" else kind
        parts.append("\t\t<event>")
        parts.append(f'\t\t\t<string key="concept:name" value="{escape(name)}"/>')
        parts.append(f'\t\t\t<date key="time:timestamp" value="{timestamp(at)}"/>')
        if actor_name:
            parts.append(f'\t\t\t<string key="org:resource" value="{escape(actor_name)}"/>')
        if role:
            parts.append(f'\t\t\t<string key="org:role" value="{escape(role)}"/>')
        parts.append('\t\t\t<string key="lifecycle:transition" value="complete"/>')
        parts.append(f'\t\t\t<string key="salesflow:kind" value="{escape(kind)}"/>')
        parts.append(f'\t\t\t<int key="salesflow:seq" value="{seq}"/>')
        parts.append(f'\t\t\t<boolean key="salesflow:imported" value="{"true" if imported else "false"}"/>')
        parts.append("\t\t</event>")
    parts.append("\t</trace>\n")
    out.write("\n".join(parts))


def _record_chunks(records: QuerySet, size: int = 2000) -> Iterator[list[tuple[Any, ...]]]:
    """The records (as `TRACE_COLUMNS` tuples) in id order, ``size`` at a time."""
    last = 0
    base = records.order_by("pk").values_list(*TRACE_COLUMNS)
    while True:
        chunk = list(base.filter(pk__gt=last)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


def write_xes(out: TextIO, records: QuerySet, *, all_events: bool = False,
              advance: Callable[[int], None] = lambda amount: None) -> tuple[int, int]:
    """Write the XES document for ``records``; returns (traces, events)."""
    out.write(HEADER)
    traces = events_written = 0
    wanted = None if all_events else set(DEFAULT_KINDS)
    for chunk in _record_chunks(records):
        by_record: dict[int, list[Any]] = {record[0]: [] for record in chunk}
        first, last = chunk[0][0], chunk[-1][0]
        if last - first + 1 <= 2 * len(chunk):  # dense ids: a range scan of the (record, seq) index
            query = Event.objects.filter(record_id__gte=first, record_id__lte=last)
        else:  # sparse (filtered or access-limited) records: exactly these
            query = Event.objects.filter(record_id__in=list(by_record))
        query = query.order_by("record_id", "seq")
        for row in query.values_list("record_id", "seq", "kind", "at", "to_stage", "activity", "actor_name", "role",
                                     "imported").iterator(chunk_size=20000):
            events = by_record.get(row[0])
            if events is not None and (wanted is None or row[2] in wanted):
                events.append(row[1:])
        for record in chunk:
            events = by_record[record[0]]
            if not events:
                continue
            _write_trace(out, record, events)
            traces += 1
            events_written += len(events)
        advance(len(chunk))
    out.write("</log>\n")
    return traces, events_written


def export_xes(path: str | Path, *, user: Any | None = None, flt: Any | None = None, all_events: bool = False,
               progress: Progress | None = None) -> tuple[int, int]:
    """Export the (visible, filtered) records' events to an XES file; logs ``security.export``."""
    from salesflow.people.security import log_security_event

    from .atomic import atomic_target
    from .exports import _filters

    target = Path(path)
    records = select_records(user, flt)
    advance = (progress or silent)("writing XES", records.count())
    opener = gzip.open if target.suffix.lower() == ".gz" else open
    with atomic_target(target) as temporary, opener(temporary, "wt", encoding="utf-8", newline="\n") as out:
        traces, events = write_xes(out, records, all_events=all_events, advance=advance)
    log_security_event("export", user, name="cli (admin context)", what="xes", format="xes", rows=events,
                       traces=traces, file=target.name, filters=_filters(flt),
                       context="user" if user is not None else "unrestricted")
    return traces, events
