"""Writing tables to CSV, Excel (.xlsx) and Parquet, streaming row by row.

Columns are typed (`Column.kind`: text, int, decimal, date, datetime, bool, json) so that Excel
and Parquet get real numbers and dates; CSV gets ISO text. Excel has no time zones: times are
written in UTC. A text that looks like a formula is written as text in Excel, never as a formula, and
with a leading apostrophe in CSV (`salesflow.csv_cells`).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from salesflow import csv_cells
from salesflow.interop.atomic import atomic_target

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


#: What each typed kind holds, for messages.
KIND_NAMES = {"int": "a whole number", "decimal": "a decimal number", "date": "a date (YYYY-MM-DD)",
              "datetime": "a date and time (ISO 8601)", "bool": "yes or no"}


class BadValue(ValueError):
    """A stored value does not fit its column's kind (names the row's first cell, the column and the value)."""


def typed(value: Any, kind: str) -> Any:
    """A value as its column's kind (stored field values are JSON: dates as ISO text, numbers maybe as text).

    Raises ``ValueError`` for a value that is not of the kind.
    """
    if value is None or value == "":
        return None
    if kind == "int":
        if type(value) is int:  # the common case, first
            return value
        if isinstance(value, bool):
            raise ValueError("a yes/no value is not a whole number")
        number = Decimal(str(value).strip())
        if number != number.to_integral_value():
            raise ValueError("not a whole number")
        return int(number)
    if kind == "decimal":
        return value if isinstance(value, Decimal) else Decimal(str(value).strip())
    if kind == "date":
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        return datetime.date.fromisoformat(text) if len(text) == 10 else datetime.datetime.fromisoformat(text).date()
    if kind == "datetime":
        moment = value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(str(value).strip())
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "ja", "wahr"):
            return True
        if text in ("false", "no", "0", "nein", "falsch"):
            return False
        raise ValueError("not yes or no")
    return value


def _typed_rows(columns: list[Column], rows: Iterable[list[Any]], strict: bool) -> Iterator[list[Any]]:
    """The rows with every value of a typed column converted (`typed`).

    A value that does not fit raises `BadValue` when ``strict`` (Parquet columns have one type),
    else it is kept as it is (Excel writes it as text).
    """
    kinds = [column.kind for column in columns]
    for row in rows:
        converted = []
        for column, kind, value in zip(columns, kinds, row, strict=True):
            try:
                converted.append(typed(value, kind))
            except (ValueError, ArithmeticError, TypeError) as error:
                if not strict:
                    converted.append(value)
                    continue
                raise BadValue(f"{columns[0].name} {row[0]}, column {column.name}: {value!r} is not"
                               f" {KIND_NAMES.get(kind, kind)} ({error})") from None
        yield converted


def write_table(path: str | Path, fmt: str, columns: list[Column], rows: Iterable[list[Any]]) -> int:
    """Write rows (lists in column order) to ``path`` in ``fmt``; returns the number of rows.

    The file is written under a temporary name and renamed when complete (`atomic_target`): on any
    failure (in Parquet a value that does not fit its column raises `BadValue`) ``path`` is left untouched.
    """
    writers = {"csv": _write_csv, "xlsx": _write_xlsx, "parquet": _write_parquet}
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r} (csv, xlsx, parquet)")
    if fmt != "csv":  # CSV is text: values are written as stored
        rows = _typed_rows(columns, rows, strict=fmt == "parquet")
    with atomic_target(path) as temporary:
        return writers[fmt](temporary, columns, rows)


def _write_csv(target: Path, columns: list[Column], rows: Iterable[list[Any]]) -> int:
    count = 0
    kinds = [column.kind for column in columns]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv_cells.writer(handle)
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
