"""Analyse any event log — XES, CSV, Parquet, or Salesflow's own — without importing it.

`read_log` reads a file into an Arrow table (case, activity, timestamp in UTC; rows in file
order); `analyze` computes, vectorised over Arrow/NumPy arrays (no loop over events in Python):

- ``cases``, ``events``, ``activities`` (events per activity),
- ``variants`` (distinct activity sequences), ``start_activities``, ``end_activities``,
- ``dfg``: every directly-follows pair with its count and the mean and median seconds between the two,
- ``case_duration``: mean, median and P90 of (last − first timestamp) per case, in seconds.

Events of a case are ordered by timestamp; events with equal timestamps keep their order in the
file — as pm4py does (it sorts by case, timestamp and file position), so the numbers are the
ones pm4py computes. A log already grouped by case in time order (XES files, most exports) is used
as it is; any other is sorted once (DuckDB, parallel). Medians and the P90 interpolate linearly
(pandas/numpy's default). Variants are counted by a 128-bit hash of each case's activity sequence.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from salesflow.engine.errors import BadInput

UTC_MICROS = pa.timestamp("us", tz="UTC")
FORMATS = (".xes", ".xes.gz", ".csv", ".csv.gz", ".parquet")


def _kind(path: Path) -> str:
    name = path.name.lower()
    for suffix in (".xes.gz", ".csv.gz", ".xes", ".csv", ".parquet", ".pq"):
        if name.endswith(suffix):
            return {".pq": ".parquet", ".csv.gz": ".csv"}.get(suffix, suffix)
    raise BadInput(f"{path}: unknown log format (expected {', '.join(FORMATS)})")


def _timestamps(column: pa.ChunkedArray | pa.Array, path: Path, name: str, fmt: str | None = None) -> pa.Array:
    """A column as UTC timestamps (text: see `salesflow.analytics.csv_logs.text_timestamps`; no zone = UTC)."""
    import pyarrow.compute as pc

    if pa.types.is_timestamp(column.type):
        if column.type.tz is None:
            column = pc.assume_timezone(column, "UTC")
        return column.cast(UTC_MICROS)
    if pa.types.is_date(column.type):
        return column.cast(pa.timestamp("us")).cast(UTC_MICROS)
    if pa.types.is_dictionary(column.type):
        column = column.cast(pa.string())
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        raise BadInput(f"{path}: column {name!r} holds {column.type}, not timestamps")
    from salesflow.analytics.csv_logs import text_timestamps

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return text_timestamps(column, path, name, fmt)


def _standard(table: pa.Table, path: Path, case: str, activity: str, timestamp: str,
              timestamp_format: str | None = None) -> pa.Table:
    missing = [name for name in (case, activity, timestamp) if name not in table.column_names]
    if missing:
        raise BadInput(f"{path}: no column {', '.join(repr(name) for name in missing)} (columns: "
                       f"{', '.join(table.column_names)}); name them with --case/--activity/--timestamp")
    cases = table.column(case)
    activities = table.column(activity)
    for name, column in ((case, cases), (activity, activities)):
        if column.null_count:
            import pyarrow.compute as pc

            first = pc.index(pc.is_null(column), True).as_py()
            raise BadInput(f"{path}: line {first + 2}, column {name!r}: the value is empty")
    def text(column: pa.ChunkedArray) -> pa.ChunkedArray:
        if pa.types.is_dictionary(column.type) or pa.types.is_string(column.type):
            return column
        return column.cast(pa.string())

    return pa.table({
        "case": text(cases),
        "activity": text(activities),
        "timestamp": _timestamps(table.column(timestamp), path, timestamp, timestamp_format),
    })


def read_log(path: str | os.PathLike[str], case: str | None = None, activity: str | None = None,
             timestamp: str | None = None, *, separator: str | None = None, encoding: str | None = None,
             timestamp_format: str | None = None) -> pa.Table:
    """Read an event log file into (case, activity, timestamp); bad input raises `BadInput`.

    CSV: ``separator`` and ``encoding`` are found out unless given (`salesflow.analytics.csv_logs`);
    ``timestamp_format`` (strftime codes) applies to text timestamps of CSV and Parquet logs.
    """
    file = Path(path)
    if not file.is_file():
        raise BadInput(f"{file}: no such file")
    kind = _kind(file)
    if kind in (".xes", ".xes.gz"):
        from salesflow.interop.xes import XesError, read_xes_table

        try:
            table = read_xes_table(file, resource=False)
        except XesError as error:
            raise BadInput(str(error)) from None
        return _standard(table, file, "case", "activity", "timestamp")
    names = (case or "case", activity or "activity", timestamp or "timestamp")
    if kind == ".csv":
        from salesflow.analytics.csv_logs import read_csv_columns

        table, _ = read_csv_columns(file, names, separator, encoding)
        return _standard(table, file, *names, timestamp_format)
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(file)
        wanted = [name for name in names if name in schema.names]
        table = pq.read_table(file, columns=wanted, read_dictionary=[name for name in names[:2] if name in wanted])
    except (pa.ArrowInvalid, OSError) as error:
        raise BadInput(f"{file}: not a readable Parquet file: {str(error).splitlines()[0]}") from None
    return _standard(table, file, *names, timestamp_format)


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Integer codes and the distinct values of a (small-vocabulary) string or dictionary column."""
    if pa.types.is_dictionary(column.type):
        column = column.unify_dictionaries()
        dictionary = column.chunk(0).dictionary if column.num_chunks else pa.array([], pa.string())
        codes = np.concatenate([chunk.indices.to_numpy(zero_copy_only=False) for chunk in column.chunks]) \
            if column.num_chunks else np.zeros(0, dtype=np.int32)
        # a dictionary may repeat a value: map every index to the first index of its value
        values = dictionary.to_pylist()
        first: dict[str, int] = {}
        remap = np.array([first.setdefault(value, index) for index, value in enumerate(values)], dtype=np.int64)
        used = sorted(set(first.values()))
        dense = np.full(len(values), -1, dtype=np.int64)
        dense[used] = np.arange(len(used))
        return dense[remap][codes] if len(codes) else codes.astype(np.int64), [values[i] for i in used]
    encoded = column.combine_chunks().dictionary_encode()
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary.to_pylist()


def _case_starts(case: pa.ChunkedArray) -> np.ndarray:
    """True where a row's case differs from the previous row's (and at row 0)."""
    import pyarrow.compute as pc

    parts = []
    previous = None
    for chunk in case.chunks:
        if len(chunk) == 0:
            continue
        change = np.empty(len(chunk), dtype=bool)
        if pa.types.is_dictionary(chunk.type):
            indices = chunk.indices.to_numpy(zero_copy_only=False)
            change[1:] = indices[1:] != indices[:-1]
            # Equal indices are equal values; different indices usually are too, but a dictionary may
            # repeat a value: compare the values themselves where the indices change.
            candidates = np.flatnonzero(change[1:]) + 1
            if len(candidates):
                values = chunk.dictionary
                here = values.take(pa.array(indices[candidates]))
                before = values.take(pa.array(indices[candidates - 1]))
                change[candidates] = pc.not_equal(here, before).to_numpy(zero_copy_only=False)
        else:
            strings = chunk if pa.types.is_string(chunk.type) else chunk.cast(pa.string())
            change[1:] = pc.not_equal(strings.slice(1), strings.slice(0, len(strings) - 1)).to_numpy(
                zero_copy_only=False)
        first = chunk[0].as_py()
        change[0] = previous is None or first != previous
        previous = chunk[len(chunk) - 1].as_py()
        parts.append(change)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def _heads(case: pa.ChunkedArray, starts: np.ndarray) -> pa.Array:
    """The case of every row where a case starts, as strings (taken chunk by chunk: cheap)."""
    parts = []
    offset = 0
    for chunk in case.chunks:
        local = np.flatnonzero(starts[offset:offset + len(chunk)])
        offset += len(chunk)
        if len(local):
            taken = chunk.take(pa.array(local))
            parts.append(taken.cast(pa.string()) if not pa.types.is_string(taken.type) else taken)
    return pa.concat_arrays(parts) if parts else pa.array([], pa.string())


def _micros(table: pa.Table) -> np.ndarray:
    """The timestamp column as microseconds since the epoch."""
    return table.column("timestamp").combine_chunks().cast(pa.int64()).to_numpy(zero_copy_only=False)


def _in_case_order(table: pa.Table) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """The log ordered by case, timestamp and file position (as it is when it already is, the common
    case), where each case starts, and the timestamps in microseconds."""
    import pyarrow.compute as pc

    case = table.column("case")
    starts = _case_starts(case)
    stamps = _micros(table)
    first_rows = np.flatnonzero(starts)
    grouped = len(first_rows) == len(pc.unique(_heads(case, starts))) if len(first_rows) else True
    backwards = bool(np.any((stamps[1:] < stamps[:-1]) & ~starts[1:])) if len(stamps) > 1 else False
    if grouped and not backwards:
        return table, starts, stamps
    import duckdb

    connection = duckdb.connect()
    cases = case.cast(pa.string()) if pa.types.is_dictionary(case.type) else case
    connection.register("event_log", pa.table({"case": cases, "timestamp": table.column("timestamp"),
                                               "row": pa.array(np.arange(table.num_rows, dtype=np.int64))}))
    order = connection.execute('SELECT "row" FROM event_log ORDER BY "case", "timestamp", "row"').arrow()
    order = order.read_all() if hasattr(order, "read_all") else order
    connection.close()
    table = table.take(order.column(0))
    return table, _case_starts(table.column("case")), _micros(table)


def _median_by_group(values: np.ndarray, groups: np.ndarray, size: int) -> np.ndarray:
    """The median of ``values`` per group code (0 … size − 1; NaN for an empty group)."""
    kind = np.uint16 if size <= 65535 else np.int64
    order = np.argsort(groups.astype(kind), kind="stable")
    ordered = values[order]
    counts = np.bincount(groups, minlength=size)
    ends = np.cumsum(counts)
    medians = np.full(size, np.nan)
    for group in np.flatnonzero(counts):   # one step per directly-follows pair, not per event
        medians[group] = np.median(ordered[ends[group] - counts[group]:ends[group]])
    return medians


def _variants(codes: np.ndarray, first_rows: np.ndarray, lengths: np.ndarray) -> int:
    """Distinct activity sequences, by a 128-bit polynomial hash of each case's sequence (and its length)."""
    if not len(first_rows):
        return 0
    positions = np.arange(len(codes)) - np.repeat(first_rows, lengths)
    longest = int(lengths.max())
    hashes = []
    with np.errstate(over="ignore"):
        for base in (np.uint64(1_000_003), np.uint64(0x9E3779B97F4A7C15)):
            powers = np.cumprod(np.full(longest, base, dtype=np.uint64), dtype=np.uint64)
            contributions = (codes.astype(np.uint64) + np.uint64(1)) * powers[positions]
            hashes.append(np.add.reduceat(contributions, first_rows))
    keys = pa.table({"a": hashes[0], "b": hashes[1], "n": lengths})
    return keys.group_by(["a", "b", "n"]).aggregate([]).num_rows


def analyze_arrow(table: pa.Table) -> dict[str, Any]:
    """The analysis of a log table (case, activity, timestamp; rows in file order), vectorised."""
    table, starts, stamps = _in_case_order(table.select(["case", "activity", "timestamp"]))
    events = table.num_rows
    codes, names = _codes(table.column("activity"))
    first_rows = np.flatnonzero(starts)
    last_rows = np.append(first_rows[1:] - 1, events - 1) if len(first_rows) else first_rows
    lengths = last_rows - first_rows + 1
    size = len(names)
    if size * size < 2**31:
        codes = codes.astype(np.int32)
    follows = ~starts[1:]
    pairs = (codes[:-1] * size + codes[1:])[follows]
    seconds = (stamps[1:] - stamps[:-1])[follows] / 1e6
    counts = np.bincount(pairs, minlength=size * size)
    sums = np.bincount(pairs, weights=seconds, minlength=size * size)
    medians = _median_by_group(seconds, pairs, size * size)
    durations = (stamps[last_rows] - stamps[first_rows]) / 1e6

    def by_count(found: np.ndarray) -> dict[str, int]:
        pairs_ = [(names[index], int(found[index])) for index in np.flatnonzero(found)]
        return dict(sorted(pairs_, key=lambda item: (-item[1], item[0])))

    dfg = []
    for pair in np.flatnonzero(counts):
        dfg.append({"from": names[pair // size], "to": names[pair % size], "count": int(counts[pair]),
                    "mean_seconds": round(float(sums[pair] / counts[pair]), 3),
                    "median_seconds": round(float(medians[pair]), 3)})
    dfg.sort(key=lambda edge: (-edge["count"], edge["from"], edge["to"]))
    return {
        "cases": int(len(first_rows)),
        "events": int(events),
        "activities": by_count(np.bincount(codes, minlength=size)),
        "variants": _variants(codes, first_rows, lengths),
        "start_activities": by_count(np.bincount(codes[first_rows], minlength=size)),
        "end_activities": by_count(np.bincount(codes[last_rows], minlength=size)),
        "dfg": dfg,
        "case_duration": {
            "mean_seconds": round(float(durations.mean()), 3) if len(durations) else None,
            "median_seconds": round(float(np.median(durations)), 3) if len(durations) else None,
            "p90_seconds": round(float(np.percentile(durations, 90)), 3) if len(durations) else None,
        },
    }


def analyze(table: pa.Table) -> dict[str, Any]:
    """The analysis of a log read by `read_log`."""
    return analyze_arrow(table)


def analyze_file(path: str | os.PathLike[str], case: str | None = None, activity: str | None = None,
                 timestamp: str | None = None, **options: Any) -> dict[str, Any]:
    """`read_log` + `analyze` (``options``: separator, encoding, timestamp_format of `read_log`)."""
    return analyze(read_log(path, case, activity, timestamp, **options))
