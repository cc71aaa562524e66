"""Reading IEEE 1849 XES event logs (``.xes`` and ``.xes.gz``): streaming, fast, tolerant.

`iter_xes` yields one `XesEvent` per event in file order; memory stays flat in the file size
(one trace at a time is held: a trace's attributes may follow its events). `read_xes_table`
gives the columns process-mining analyses need as a ``pyarrow.Table``.

Tolerated real-world quirks: a default namespace or none, files that do not validate against the
XSD, unknown attribute types (kept as text), nested attributes (meta attributes are skipped,
lists and containers kept), timestamps with any zone offset or none (normalised to UTC; a
timestamp without a zone is taken as UTC), a trace without ``concept:name`` (its case id becomes
``trace-<n>``). Refused with `XesError`: a file that is not XML, an event without
``time:timestamp`` or ``concept:name`` (the message names the trace and event index).
"""

from __future__ import annotations

import datetime
import gzip
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

UTC = datetime.UTC

#: XES keys that have their own fields on `XesEvent` (not repeated in ``attributes``).
STANDARD_KEYS = frozenset({"concept:name", "time:timestamp", "org:resource", "org:role", "lifecycle:transition"})


class XesError(ValueError):
    """The file cannot be read as an XES log; the message says where and why."""


@dataclass(slots=True)
class XesEvent:
    """One event of an XES log.

    ``attributes`` holds the event's other attributes (typed: str, int, float, bool, datetime,
    lists and dicts for list/container attributes); ``trace_attributes`` the attributes of its
    trace (one dict shared by all events of the trace; ``concept:name`` included).
    ``trace_index`` and ``event_index`` count from 0 in file order.
    """

    case: str
    activity: str
    timestamp: datetime.datetime
    resource: str | None = None
    role: str | None = None
    lifecycle: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    trace_attributes: dict[str, Any] = field(default_factory=dict)
    trace_index: int = 0
    event_index: int = 0


def parse_timestamp(text: str) -> datetime.datetime:
    """An XES ``date`` value as an aware UTC datetime (no zone: taken as UTC). Raises ValueError."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        parsed = _parse_timestamp_slowly(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse_timestamp_slowly(value: str) -> datetime.datetime:
    """Variants ``fromisoformat`` refuses: more than 6 fractional digits, a space before the zone."""
    main, sign, zone = value, "", ""
    for candidate in ("+", "-"):
        position = value.rfind(candidate)
        if position > 10:
            main, sign, zone = value[:position].rstrip(), candidate, value[position + 1:]
            break
    if "." in main:
        head, fraction = main.split(".", 1)
        main = f"{head}.{fraction[:6].ljust(6, '0')}"
    return datetime.datetime.fromisoformat(main + (sign + zone if sign else ""))


def _typed_value(kind: str, raw: str | None) -> Any:
    """The Python value of one XES attribute (unknown types and unparsable values stay text)."""
    if raw is None or kind == "string" or kind == "id":
        return raw
    try:
        if kind == "date":
            return parse_timestamp(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except ValueError:
        return raw
    if kind == "boolean":
        text = raw.strip().lower()
        return True if text == "true" else False if text == "false" else raw
    return raw


class _Node:
    """A list or container attribute while it is read (its nested attributes)."""

    __slots__ = ("kind", "key", "children", "in_values")

    def __init__(self, kind: str, key: str | None) -> None:
        self.kind = kind
        self.key = key
        self.children: list[tuple[str | None, Any]] = []
        self.in_values = False

    def value(self) -> Any:
        if self.kind == "list":
            return [value for _, value in self.children]
        return {key: value for key, value in self.children if key is not None}


def _open(path: Path) -> Any:
    """A binary stream of the file's XML (gzip recognised by its magic bytes, whatever the name)."""
    handle = open(path, "rb")  # noqa: SIM115 - closed by the caller
    magic = handle.read(2)
    handle.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=handle, mode="rb")
    return handle


#: One event as read: (case, trace attributes, trace index, event index, event attributes).
RawEvent = tuple[str, dict[str, Any], int, int, dict[str, Any]]


def iter_raw(path: str | os.PathLike[str], chunk_size: int = 1 << 20, parse_dates: bool = True) -> Iterator[RawEvent]:
    """Every event as a `RawEvent` tuple in file order (streaming; the basis of `iter_xes`).

    An expat parser (C) is fed the file in chunks; the handlers keep only the trace being read,
    so memory stays flat however large the file. Attributes nested in attributes (XES meta
    attributes) are skipped; ``list`` and ``container`` attributes become lists and dicts.
    With ``parse_dates=False`` date attributes stay text (for callers that convert them in bulk).
    Raises `XesError` on a file that is not well-formed XML.
    """
    file = Path(path)
    if not file.is_file():
        raise XesError(f"{file}: no such file")
    name = str(file)
    ready: list[RawEvent] = []
    depth = 0
    owner: dict[str, Any] | None = None  # the trace or event whose direct children are read
    owner_depth = -1
    trace: dict[str, Any] | None = None
    trace_depth = -1
    trace_index = -1
    pending: list[dict[str, Any]] = []
    nodes: list[tuple[int, _Node]] = []  # open list/container attributes with their depth
    typed = _typed_value
    timestamp = parse_timestamp

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth, owner, owner_depth, trace, trace_depth, trace_index, pending
        depth += 1
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if nodes:
            node_depth, node = nodes[-1]
            if depth == node_depth + 1 and tag == "values" and node.kind == "list":
                node.in_values = True
                return
            if depth == node_depth + 1 or (node.in_values and depth == node_depth + 2):
                if tag in ("list", "container"):
                    nodes.append((depth, _Node(tag, attrs.get("key"))))
                else:
                    node.children.append((attrs.get("key"), typed(tag, attrs.get("value"))))
            return
        if owner is not None and depth == owner_depth + 1:
            if tag == "event":
                if owner is trace:
                    owner = {}
                    owner_depth = depth
                return
            key = attrs.get("key")
            if key is None:
                return
            if tag == "string":
                owner[key] = attrs.get("value")
            elif tag == "date":
                raw = attrs.get("value")
                try:
                    owner[key] = timestamp(raw) if raw is not None and parse_dates else raw
                except ValueError:
                    owner[key] = raw
            elif tag in ("list", "container"):
                nodes.append((depth, _Node(tag, key)))
            else:
                owner[key] = typed(tag, attrs.get("value"))
            return
        if tag == "trace" and trace is None:
            trace = owner = {}
            trace_depth = owner_depth = depth
            trace_index += 1
            pending = []

    def end(tag: str) -> None:
        nonlocal depth, owner, owner_depth, trace, trace_depth
        if nodes and nodes[-1][0] == depth:
            _, node = nodes.pop()
            value = node.value()
            if nodes:
                nodes[-1][1].children.append((node.key, value))
            elif owner is not None and node.key is not None:
                owner[node.key] = value
        elif owner is not None and depth == owner_depth:
            if owner is trace:
                case = trace.get("concept:name")
                case = f"trace-{trace_index}" if case is None else str(case)
                for index, attributes in enumerate(pending):
                    ready.append((case, trace, trace_index, index, attributes))
                trace = owner = None
                trace_depth = owner_depth = -1
            else:
                pending.append(owner)
                owner = trace
                owner_depth = trace_depth
        depth -= 1

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    stream = _open(file)
    try:
        while True:
            chunk = stream.read(chunk_size)
            parser.Parse(chunk, not chunk)
            if ready:
                yield from ready
                ready.clear()
            if not chunk:
                break
    except expat.ExpatError as error:
        if error.code == expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS] and error.lineno <= 1 \
                and file.stat().st_size == 0:
            raise XesError(f"{name}: the file is empty") from None
        hint = ""
        if error.code == expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]:
            hint = " (a character that is not valid in the declared encoding, usually UTF-8?)"
        raise XesError(f"{name}:{error.lineno}: not well-formed XML: {expat.ErrorString(error.code)}{hint}") from None
    except (OSError, EOFError, zlib.error) as error:
        raise XesError(f"{name}: cannot be read ({error})") from None
    finally:
        stream.close()


def iter_xes(path: str | os.PathLike[str]) -> Iterator[XesEvent]:
    """Every event of an XES log in file order (streaming; raises `XesError` on unreadable input)."""
    name = str(path)
    for case, trace_attributes, trace_index, event_index, attributes in iter_raw(path):
        timestamp = attributes.pop("time:timestamp", None)
        if not isinstance(timestamp, datetime.datetime):
            raise XesError(_missing(name, case, trace_index, event_index, "time:timestamp", timestamp))
        activity = attributes.pop("concept:name", None)
        if activity is None or activity == "":
            raise XesError(_missing(name, case, trace_index, event_index, "concept:name", None))
        resource = attributes.pop("org:resource", None)
        role = attributes.pop("org:role", None)
        lifecycle = attributes.pop("lifecycle:transition", None)
        yield XesEvent(
            case, str(activity), timestamp, None if resource is None else str(resource),
            None if role is None else str(role), None if lifecycle is None else str(lifecycle),
            attributes, trace_attributes, trace_index, event_index,
        )


def _missing(name: str, case: str, trace_index: int, event_index: int, key: str, value: Any) -> str:
    """The message for an event lacking a required attribute (or holding a bad one)."""
    problem = f"has no {key}" if value is None else f"has a bad {key} {value!r}"
    return f"{name}: trace {trace_index} (case {case}), event {event_index} {problem}"


def read_xes_table(path: str | os.PathLike[str], resource: bool = True) -> Any:
    """The log as a ``pyarrow.Table`` with columns case, activity, timestamp (UTC, µs), resource.

    Rows keep the file order. Raises `XesError` like `iter_xes`. The usual shape of XES is read
    by the column reader `salesflow.interop.xes_columns` (no Python per tag); any other by
    `iter_raw`. Timestamps are converted in bulk by Arrow; values Arrow refuses (no zone, odd
    fractions) are converted one by one. ``resource=False`` leaves the resource column out.
    """
    import pyarrow as pa

    from salesflow.interop.xes_columns import read_xes_columns

    if not Path(path).is_file():
        raise XesError(f"{path}: no such file")
    table = read_xes_columns(path, resource=resource)
    if table is not None:
        return table
    name = str(path)
    cases: list[str] = []
    activities: list[str] = []
    stamps: list[str] = []
    resources: list[str | None] = []
    for case, _, trace_index, event_index, attributes in iter_raw(path, parse_dates=False):
        stamp = attributes.get("time:timestamp")
        if not isinstance(stamp, str):
            raise XesError(_missing(name, case, trace_index, event_index, "time:timestamp", stamp))
        activity = attributes.get("concept:name")
        if activity is None or activity == "":
            raise XesError(_missing(name, case, trace_index, event_index, "concept:name", None))
        who = attributes.get("org:resource")
        cases.append(case)
        activities.append(activity if isinstance(activity, str) else str(activity))
        stamps.append(stamp)
        resources.append(who if who is None or isinstance(who, str) else str(who))
    columns = {
        "case": pa.array(cases, type=pa.string()),
        "activity": pa.array(activities, type=pa.string()),
        "timestamp": _timestamp_column(stamps, cases, name),
    }
    if resource:
        columns["resource"] = pa.array(resources, type=pa.string())
    return pa.table(columns)


def _timestamp_column(stamps: list[str], cases: list[str], name: str) -> Any:
    """XES date texts as an Arrow timestamp column (UTC, µs)."""
    import pyarrow as pa

    kind = pa.timestamp("us", tz="UTC")
    try:
        return pa.array(stamps, type=pa.string()).cast(kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    values = []
    for index, stamp in enumerate(stamps):
        try:
            values.append(parse_timestamp(stamp))
        except ValueError:
            raise XesError(f"{name}: case {cases[index]}, event {index} of the log has a bad time:timestamp "
                           f"{stamp!r}") from None
    return pa.array(values, type=kind)
