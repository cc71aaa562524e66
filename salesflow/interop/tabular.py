"""Spreadsheets in and out: CSV (UTF-8, with or without BOM) and Excel ``.xlsx``, row by row.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row row 2
(a CSV cell with embedded line breaks still counts as one row). Headers match case-insensitively.
A CSV cell neutralised by an export (``'=1+1``, see `salesflow.csv_cells`) reads back as written.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesflow.csv_cells import restore_cell

csv.field_size_limit(64 * 1024 * 1024)


class SheetError(ValueError):
    """The file cannot be read as a table (encoding, format, emptiness); ``row`` where known."""

    def __init__(self, file: str, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.row = row
        self.message = message


def header_key(name: Any) -> str:
    """A header as compared: trimmed, lower case, single spaces, no BOM."""
    return " ".join(str(name or "").replace("\ufeff", "").strip().lower().split())


@dataclass
class Sheet:
    """A table being read: its header and an iterator of ``(row number, cells)``."""

    name: str
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    _index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for position, name in enumerate(self.header):
            self._index.setdefault(header_key(name), position)

    def index(self, *names: str) -> int | None:
        """The position of the first header matching one of ``names`` (case-insensitive), or None."""
        for name in names:
            position = self._index.get(header_key(name))
            if position is not None:
                return position
        return None

    def has(self, name: str) -> bool:
        """True if the sheet has the column."""
        return header_key(name) in self._index

    def duplicate_headers(self) -> list[str]:
        """Headers that occur more than once (ignoring case)."""
        seen: dict[str, int] = {}
        for name in self.header:
            seen[header_key(name)] = seen.get(header_key(name), 0) + 1
        return [name for name, count in seen.items() if count > 1 and name]


def open_sheet(path: str | Path, display_name: str | None = None) -> Sheet:
    """Open a ``.csv`` or ``.xlsx`` file for reading. Raises `SheetError` (empty, not UTF-8, not xlsx)."""
    file = Path(path)
    name = display_name or file.name
    if not file.is_file():
        raise SheetError(name, "no such file")
    if file.suffix.lower() in (".xlsx", ".xlsm"):
        return _open_xlsx(file, name)
    return _open_csv(file, name)


def _open_csv(file: Path, name: str) -> Sheet:
    raw = file.open("rb")
    head = raw.read(65536)
    if not head.strip(b"\xef\xbb\xbf \r\n\t"):
        raw.close()
        raise SheetError(name, "the file is empty (no header row)")
    try:
        first_line = head.decode("utf-8-sig").splitlines()[0]
    except UnicodeDecodeError as error:
        raw.close()
        raise SheetError(name, encoding_message(error), row=1) from None
    delimiter = sniff_delimiter(first_line)
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=False)
    try:
        header = next(reader)
    except UnicodeDecodeError as error:
        raw.close()
        raise SheetError(name, encoding_message(error), row=1) from None
    except csv.Error as error:
        raw.close()
        raise SheetError(name, f"not a readable CSV file: {error}", row=1) from None
    except StopIteration:
        raw.close()
        raise SheetError(name, "the file is empty (no header row)") from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                yield number, [restore_cell(value) for value in cells]
        except UnicodeDecodeError as error:
            raise SheetError(name, encoding_message(error), row=number + 1) from None
        except csv.Error as error:
            raise SheetError(name, f"not a readable CSV row: {error}", row=number + 1) from None
        finally:
            raw.close()

    return Sheet(name, [str(cell) for cell in header], rows())


def encoding_message(error: UnicodeDecodeError) -> str:
    """What to tell the user about a file that is not UTF-8 (names the first bad byte)."""
    byte = error.object[error.start:error.start + 1].hex() if error.object else "?"
    return (f"the file is not UTF-8 text (byte 0x{byte} cannot be decoded); save it as CSV UTF-8 "
            "(in Excel: Save As → CSV UTF-8)")


def sniff_delimiter(line: str) -> str:
    """Comma, semicolon or tab: whichever separates the header (outside quotes) most often."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda key: counts[key])
    return best if counts[best] else ","


#: Bytes of an XML part read at most to find its root element (the prolog before it is tiny in real files).
PROLOG_LIMIT = 256 * 1024


def _prolog_verdict(text: str) -> str | None:
    """'dtd', 'root' or None (undecided: more text needed) for the start of an XML document."""
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n\ufeff":
            position += 1
        rest = text[position:position + 4]
        if len(rest) < 4 and not rest.startswith("<") or rest in ("<", "<!", "<!-", "<?"):
            return None
        if rest.startswith("<?") or rest.startswith("<!--"):
            end = text.find("?>" if rest.startswith("<?") else "-->", position + 2)
            if end < 0:
                return None
            position = end + 2
            continue
        if rest.startswith("<!"):
            return "dtd"  # <!DOCTYPE …>: document type declarations (and with them entities) are refused
        return "root"


def xml_part_with_dtd(file: Path) -> str | None:
    """The first XML part of an .xlsx archive that declares a DTD (or whose prolog never ends), else None.

    Office files never need a DTD; a DTD is how entity expansion ("billion laughs") and external
    entities (reading local files or URLs) get into XML, so the file is refused before any parser sees it.
    """
    with zipfile.ZipFile(file) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            with archive.open(info) as part:
                head = b""
                verdict = None
                while verdict is None and len(head) < PROLOG_LIMIT:
                    chunk = part.read(4096)
                    if not chunk:
                        break
                    head += chunk
                    encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
                    verdict = _prolog_verdict(head.decode(encoding, errors="replace"))
                if verdict == "dtd" or (verdict is None and len(head) >= PROLOG_LIMIT):
                    return info.filename
    return None


def _open_xlsx(file: Path, name: str) -> Sheet:
    from openpyxl import load_workbook

    try:
        with_dtd = xml_part_with_dtd(file)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
        raise SheetError(name, f"not an Excel .xlsx file ({error.__class__.__name__})") from None
    if with_dtd is not None:
        raise SheetError(name, f"refused: the workbook part {with_dtd} declares a DTD (<!DOCTYPE …>), which"
                               " an Excel file never needs and which can hide entity expansion or external"
                               " entities; save the file again from Excel or LibreOffice")
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise SheetError(name, f"not an Excel .xlsx file ({error.__class__.__name__})") from None
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        workbook.close()
        raise SheetError(name, "the workbook has no sheet")
    iterator = sheet.iter_rows(values_only=True)
    header: list[Any] | None = None
    number = 0
    for cells in iterator:
        number += 1
        if any(cell not in (None, "") for cell in cells):
            header = list(cells)
            break
    if header is None:
        workbook.close()
        raise SheetError(name, "the file is empty (no header row)")
    while header and header[-1] in (None, ""):
        header.pop()
    width = len(header)
    start = number

    def rows() -> Iterator[tuple[int, list[Any]]]:
        current = start
        try:
            for cells in iterator:
                current += 1
                values = list(cells[:width])
                if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
                    continue
                yield current, ["" if value is None else value for value in values]
        except ValueError as error:  # defusedxml's refusals among them (entities, external references)
            raise SheetError(name, f"not a readable Excel sheet ({error.__class__.__name__})", row=current + 1) from None
        finally:
            workbook.close()

    return Sheet(name, ["" if cell is None else str(cell) for cell in header], rows())


def cell(cells: list[Any], position: int | None) -> Any:
    """The cell at ``position`` (None for a missing column or a short row); text trimmed."""
    if position is None or position >= len(cells):
        return None
    value = cells[position]
    return value.strip() if isinstance(value, str) else value
