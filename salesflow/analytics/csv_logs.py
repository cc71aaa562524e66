"""CSV event logs as people have them: separator, encoding and timestamp format found out (or given).

- separator: ``,`` ``;`` tab or ``|`` — the one that splits the header into the most columns and
  every sampled row into as many (``--sep`` forces one);
- encoding: UTF-8 (a byte-order mark is dropped), else cp1252 (Windows, Excel in Western Europe);
  ``--encoding`` forces one;
- timestamps: ISO 8601 (with or without zone), day-first dates (``31.12.2026 17:30``,
  ``31/12/2026``), month-first (``12/31/2026 5:30``) when a day above 12 shows it, two-digit
  years, seconds and fractions optional; ``--timestamp-format`` (strftime codes) forces one.
  A timestamp without zone is taken as UTC.

A row that does not fit — more or fewer cells than the header, an empty case or activity, a
timestamp that is not one — is refused with its line number (`BadInput`).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from salesflow.engine.errors import BadInput

SEPARATORS = {",": ",", ";": ";", "\t": "tab", "|": "|"}
SAMPLE_BYTES = 1 << 16
UTC_MICROS = pa.timestamp("us", tz="UTC")
#: day.month.year (or with / or -), optional time: the shapes spreadsheets write.
DATE_SHAPE = (r"^\s*(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})[./-](?P<year>\d{4}|\d{2}),?"
              r"(?:[ T]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
              r"\s*(?P<half>[AaPp][Mm])?)?\s*$")


@dataclass(frozen=True)
class Dialect:
    """How a CSV file is written: its separator and encoding."""

    separator: str
    encoding: str

    def describe(self) -> str:
        """``separator ';', encoding cp1252`` (for messages)."""
        return f"separator {SEPARATORS.get(self.separator, self.separator)!r}, encoding {self.encoding}"


def _open_bytes(path: Path) -> Any:
    """A binary stream of the file (gzip inflated)."""
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")


def _encoding(path: Path, forced: str | None) -> str:
    """UTF-8 (``utf-8-sig`` with a byte-order mark) when the whole file decodes as UTF-8, else cp1252."""
    if forced:
        try:
            return codecs.lookup(forced).name
        except LookupError:
            raise BadInput(f"{path}: unknown encoding {forced!r} (e.g. utf-8, cp1252, latin-1)") from None
    decoder = codecs.getincrementaldecoder("utf-8")()
    with _open_bytes(path) as stream:
        first = stream.read(3)
        bom = first == codecs.BOM_UTF8
        chunk = first[3:] if bom else first
        try:
            while True:
                decoder.decode(chunk)
                chunk = stream.read(1 << 22)
                if not chunk:
                    decoder.decode(b"", final=True)
                    break
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig" if bom else "utf-8"


def _sample(path: Path, encoding: str) -> str:
    with _open_bytes(path) as stream:
        data = stream.read(SAMPLE_BYTES)
    text = data.decode(encoding, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _separator(text: str) -> str:
    """The candidate that gives the header most columns and every complete sampled row as many."""
    lines = text.splitlines()
    if len(text) >= SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]   # the last sampled line may be cut
    best, best_score = ",", (-1, -1)
    for separator in SEPARATORS:
        rows = list(csv.reader(lines[:50], delimiter=separator))
        if not rows:
            continue
        width = len(rows[0])
        fitting = sum(1 for row in rows[1:] if len(row) == width or not row)
        score = (fitting == len(rows) - 1 and width > 1, width)
        if score > best_score:
            best, best_score = separator, score
    return best


def dialect_of(path: Path, separator: str | None = None, encoding: str | None = None) -> Dialect:
    """The file's dialect: found out, or as forced by ``--sep`` / ``--encoding``."""
    chosen_encoding = _encoding(path, encoding)
    if separator is not None:
        separator = {"tab": "\t", "\\t": "\t"}.get(separator, separator)
        if len(separator) != 1:
            raise BadInput(f"--sep must be one character (or 'tab'), not {separator!r}")
        return Dialect(separator, chosen_encoding)
    return Dialect(_separator(_sample(path, chosen_encoding)), chosen_encoding)


def _header(path: Path, dialect: Dialect) -> list[str]:
    text = _sample(path, dialect.encoding)
    rows = csv.reader(io.StringIO(text), delimiter=dialect.separator)
    return next(rows, [])


def _first_bad_row(path: Path, dialect: Dialect) -> str | None:
    """Where the file stops being a table: the line whose cell count differs from the header's."""
    with _open_bytes(path) as raw, io.TextIOWrapper(raw, encoding=dialect.encoding, newline="") as text:
        reader = csv.reader(text, delimiter=dialect.separator)
        header = next(reader, [])
        for row in reader:
            if row and len(row) != len(header):
                shown = dialect.separator.join(row)
                shown = shown if len(shown) <= 80 else shown[:77] + "…"
                return (f"line {reader.line_num}: {len(row)} cells where the header has {len(header)} "
                        f"({dialect.describe()}): {shown!r}")
    return None


def read_csv_columns(path: Path, names: tuple[str, str, str], separator: str | None = None,
                     encoding: str | None = None) -> tuple[pa.Table, Dialect]:
    """The three named columns as text, in file order, and the dialect read."""
    import pyarrow.csv as pacsv

    dialect = dialect_of(path, separator, encoding)
    header = _header(path, dialect)
    missing = [name for name in names if name not in header]
    if missing:
        raise BadInput(f"{path}: no column {', '.join(repr(name) for name in missing)} (columns: "
                       f"{', '.join(header)}; {dialect.describe()}); name them with --case/--activity/--timestamp"
                       + ("" if separator else ", the separator with --sep"))
    wanted = list(dict.fromkeys(names))
    try:
        with _open_bytes(path) as stream:
            table = pacsv.read_csv(
                stream,
                read_options=pacsv.ReadOptions(encoding="utf8" if dialect.encoding.startswith("utf-8")
                                               else dialect.encoding),
                parse_options=pacsv.ParseOptions(delimiter=dialect.separator, newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(include_columns=wanted,
                                                     column_types={name: pa.string() for name in wanted}))
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as error:
        where = _first_bad_row(path, dialect) if isinstance(error, pa.ArrowInvalid) else None
        raise BadInput(f"{path}: {where or 'not a readable CSV file: ' + str(error).splitlines()[0]}") from None
    return table, dialect


# --- timestamps ------------------------------------------------------------------------------------------

def _bad(path: Path, name: str, line: int, value: Any, expected: str) -> BadInput:
    return BadInput(f"{path}: line {line}, column {name!r}: {value!r} is not a timestamp{expected}")


def _first_null(values: pa.Array, source: pa.Array) -> int | None:
    """The first row where ``values`` is null but ``source`` is not."""
    import pyarrow.compute as pc

    lost = pc.and_(pc.is_null(values), pc.is_valid(source))
    return pc.index(lost, True).as_py() if pc.any(lost).as_py() else None


def _with_format(column: pa.Array, fmt: str, path: Path, name: str) -> pa.Array:
    """``--timestamp-format``: strftime codes (``%d.%m.%Y %H:%M``); a zone (``%z``) is honoured, else UTC."""
    import pyarrow.compute as pc

    try:
        parsed = pc.strptime(column, format=fmt, unit="us", error_is_null=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        raise BadInput(f"--timestamp-format {fmt!r}: {str(error).splitlines()[0]}") from None
    bad = _first_null(parsed, column)
    if bad is not None:
        raise _bad(path, name, bad + 2, column[bad].as_py(), f" in the format {fmt!r} (--timestamp-format)")
    if parsed.type.tz is None:
        parsed = pc.assume_timezone(parsed, "UTC")
    return parsed.cast(UTC_MICROS)


def _shaped(column: pa.Array, path: Path, name: str) -> pa.Array | None:
    """Day-first or month-first dates (``31.12.2026 17:30``) as UTC timestamps; None when the values
    have another shape. Which of day and month comes first: a value above 12 shows it; with ``.``
    as separator day-first (as written in Germany, Austria, Switzerland …); else it is asked for."""
    import pyarrow.compute as pc

    non_null = column.drop_null()
    if not len(non_null):
        return None
    parts = pc.extract_regex(column, DATE_SHAPE)
    bad = _first_null(parts, column)
    if bad is not None:
        if bad < 100 or pc.count(parts).as_py() == 0:
            return None     # not this shape at all: other readers may know it
        raise _bad(path, name, bad + 2, column[bad].as_py(), "")

    def field(key: str) -> pa.Array:
        return pc.struct_field(parts, key)

    def largest(key: str) -> int:
        return int(pc.max(field(key).cast(pa.int32())).as_py() or 0)

    first_above, second_above = largest("a") > 12, largest("b") > 12
    dotted = pc.all(pc.equal(field("sep"), ".")).as_py()
    if first_above and second_above:
        row = pc.index(pc.and_(pc.greater(field("a").cast(pa.int32()), 12),
                               pc.greater(field("b").cast(pa.int32()), 12)), True).as_py()
        raise _bad(path, name, row + 2, column[row].as_py(), " (neither day nor month can be above 12)")
    if second_above:
        day, month = field("b"), field("a")
    elif first_above or dotted:
        day, month = field("a"), field("b")
    else:
        raise BadInput(f"{path}: column {name!r}: dates like {non_null[0].as_py()!r} may be day-first or "
                       "month-first and no day above 12 tells which; give --timestamp-format, e.g. "
                       "'%d/%m/%Y %H:%M' or '%m/%d/%Y %H:%M'")
    year = field("year")
    year = pc.if_else(pc.equal(pc.utf8_length(year), 2), pc.binary_join_element_wise("20", year, ""), year)

    def two(values: pa.Array, default: str = "00") -> pa.Array:
        return pc.utf8_lpad(pc.if_else(pc.equal(values, ""), default, values), 2, "0")

    hour = two(field("hour")).cast(pa.int32())
    half = pc.utf8_lower(field("half"))
    hour = pc.if_else(pc.equal(half, "pm"), pc.add(pc.if_else(pc.equal(hour, 12), 0, hour), 12),
                      pc.if_else(pc.and_(pc.equal(half, "am"), pc.equal(hour, 12)), 0, hour))
    fraction = pc.utf8_slice_codeunits(pc.utf8_rpad(field("fraction"), 6, "0"), 0, 6)
    text = pc.binary_join_element_wise(
        year, "-", two(month), "-", two(day), "T", two(hour.cast(pa.string())), ":", two(field("minute")), ":",
        two(field("second")), ".", fraction, "")
    try:
        return pc.assume_timezone(text.cast(pa.timestamp("us")), "UTC").cast(UTC_MICROS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    for index, value in enumerate(text.to_pylist()):   # name the first impossible date (31.02., 25:00 …)
        if value is None:
            continue
        try:
            pa.array([value]).cast(pa.timestamp("us"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise _bad(path, name, index + 2, column[index].as_py(), " (no such date or time)") from None
    return None


def text_timestamps(column: pa.Array, path: Path, name: str, fmt: str | None = None) -> pa.Array:
    """A text column as UTC timestamps: with ``fmt``, else ISO 8601, else the shapes of `DATE_SHAPE`,
    else one by one (the odd ISO variants); the first value that is none names its line."""
    import pyarrow.compute as pc

    if fmt:
        return _with_format(column, fmt, path, name)
    try:
        return column.cast(UTC_MICROS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    try:   # ISO without zone: UTC
        return pc.assume_timezone(column.cast(pa.timestamp("us")), "UTC").cast(UTC_MICROS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    shaped = _shaped(column, path, name)
    if shaped is not None:
        return shaped
    from salesflow.interop.xes import parse_timestamp

    values = []
    for index, text in enumerate(column.to_pylist()):
        if text is None or text == "":
            raise BadInput(f"{path}: line {index + 2}, column {name!r}: the timestamp is empty")
        try:
            values.append(parse_timestamp(str(text)))
        except ValueError:
            raise _bad(path, name, index + 2, text, " (give its format with --timestamp-format, e.g. "
                       "'%d.%m.%Y %H:%M')") from None
    return pa.array(values, type=UTC_MICROS)

