"""Writing tables to CSV, Excel (.xlsx) and Parquet, streaming row by row.

Columns are typed (`Column.kind`: text, int, decimal, date, datetime, bool, json) so that Excel
and Parquet get real numbers and dates; CSV gets ISO text. Excel has no time zones: times are
written in UTC. A text that looks like a formula is written as text in Excel, never as a formula.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMATS = ("csv", "xlsx", "parquet")


@dataclass(frozen=True)
class Column:
    """One exported column: its header and kind."""

    name: str
    kind: str = "text"  # text | int | decimal | date | datetime | bool | json


def format_for(path: str | Path, given: str | None) -> str:
    """The format: as given, or from the file's extension."""
    if given:
        return given
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise ValueError(f"cannot tell the format from {Path(path).name!r}: give --format csv, xlsx or parquet")


def _text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, (datetime.date, Decimal)):
        return value.isoformat() if isinstance(value, datetime.date) else f"{value:f}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_table(path: str | Path, fmt: str, columns: list[Column], rows: Iterable[list[Any]]) -> int:
    """Write rows (lists in column order) to ``path`` in ``fmt``; returns the number of rows."""
    target = Path(path)
    if fmt == "csv":
        return _write_csv(target, columns, rows)
    if fmt == "xlsx":
        return _write_xlsx(target, columns, rows)
    if fmt == "parquet":
        return _write_parquet(target, columns, rows)
    raise ValueError(f"unknown format {fmt!r} (csv, xlsx, parquet)")


def _write_csv(target: Path, columns: list[Column], rows: Iterable[list[Any]]) -> int:
    count = 0
    kinds = [column.kind for column in columns]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.name for column in columns])
        for row in rows:
            writer.writerow([_text(value, kind) for value, kind in zip(row, kinds, strict=True)])
            count += 1
    return count


def _write_xlsx(target: Path, columns: list[Column], rows: Iterable[list[Any]]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append([column.name for column in columns])
    kinds = [column.kind for column in columns]
    count = 0
    for row in rows:
        cells = []
        for value, kind in zip(row, kinds, strict=True):
            if value is None:
                cells.append(None)
                continue
            if kind == "json":
                value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
            elif kind == "datetime" and isinstance(value, datetime.datetime):
                value = value.astimezone(datetime.UTC).replace(tzinfo=None)
            elif kind == "decimal" and isinstance(value, (Decimal, str)):
                value = Decimal(value)
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # never a formula
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    workbook.save(target)
    return count


def _arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return {
        "int": pa.int64(), "decimal": pa.decimal128(17, 2), "date": pa.date32(),
        "datetime": pa.timestamp("us", tz="UTC"), "bool": pa.bool_(),
    }.get(kind, pa.string())


def _write_parquet(target: Path, columns: list[Column], rows: Iterable[list[Any]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(column.name, _arrow_type(column.kind)) for column in columns])
    kinds = [column.kind for column in columns]
    count = 0
    batch: list[list[Any]] = [[] for _ in columns]

    def convert(value: Any, kind: str) -> Any:
        if value is None:
            return None
        if kind == "json":
            return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        if kind == "decimal":
            return Decimal(value).quantize(Decimal("0.01"))
        if kind in ("text",) and not isinstance(value, str):
            return str(value)
        return value

    with pq.ParquetWriter(target, schema) as writer:
        for row in rows:
            for position, (value, kind) in enumerate(zip(row, kinds, strict=True)):
                batch[position].append(convert(value, kind))
            count += 1
            if len(batch[0]) >= 50000:
                writer.write_table(pa.table(batch, schema=schema))
                batch = [[] for _ in columns]
        if batch[0] or count == 0:
            writer.write_table(pa.table(batch, schema=schema))
    return count
