"""CSV cells a spreadsheet will not run as formulas ("CSV injection", OWASP): the one helper of every CSV writer.

Excel, LibreOffice and Google Sheets treat a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a
formula (and some strip a leading tab or carriage return first). Every CSV the product writes passes
its cells through `safe_cell`, which puts an apostrophe before such a text: the spreadsheet then
shows the text as written (the apostrophe is its "this is text" mark) and runs nothing.

Numbers stay numbers: an ``int``, ``float`` or ``Decimal`` and a text that is exactly a number
(``-1200.50``, ``+3``, ``-1e3``) are written unchanged, since a spreadsheet reads them as that
number and nothing else. Only other text is neutralised, so ``-5`` stays ``-5`` but ``-2+3`` and
``=1+1`` become ``'-2+3`` and ``'=1+1``.

`restore_cell` undoes the mark when the product reads a CSV back (imports), so an exported file
re-imports with the original texts.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

#: First characters that make a spreadsheet evaluate a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The mark put before such a text.
TEXT_MARK = "'"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def needs_mark(text: str) -> bool:
    """True for a text a spreadsheet would run as a formula (a plain number is not one)."""
    return text[:1] in FORMULA_STARTS and _NUMBER.fullmatch(text) is None


def safe_cell(value: Any) -> Any:
    """The value as a CSV cell: a formula-like text gets a leading apostrophe; anything else is unchanged."""
    if isinstance(value, str) and needs_mark(value):
        return TEXT_MARK + value
    return value


def restore_cell(value: Any) -> Any:
    """Undo `safe_cell` on a cell read from CSV: ``'=1+1`` is ``=1+1`` again."""
    if isinstance(value, str) and value[:1] == TEXT_MARK and needs_mark(value[1:]):
        return value[1:]
    return value


class SafeWriter:
    """``csv.writer`` whose rows pass through `safe_cell` (header rows included)."""

    def __init__(self, stream: Any, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row of neutralised cells."""
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write many rows of neutralised cells."""
        for row in rows:
            self.writerow(row)


def writer(stream: Any, **options: Any) -> SafeWriter:
    """A CSV writer (``csv.writer`` options) that never writes a formula-like text cell as is."""
    return SafeWriter(stream, **options)
