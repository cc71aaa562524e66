"""Excel files for the import tests: a plain workbook and copies with a DTD injected into one XML part."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import Workbook

LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>')
EXTERNAL = b'<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'


def workbook(path: Path, rows: list[list[object]]) -> Path:
    """A plain .xlsx with one sheet holding ``rows``."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def with_dtd(source: Path, target: Path, part: str, dtd: bytes, replace: tuple[bytes, bytes] | None = None) -> Path:
    """A copy of ``source`` whose ``part`` starts with ``dtd`` (after any XML declaration)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == part:
                if data.startswith(b"<?xml"):
                    declaration, body = data.split(b"?>", 1)
                    data = declaration + b"?>" + dtd + body
                else:
                    data = dtd + data
                if replace:
                    data = data.replace(*replace)
            copy.writestr(item, data)
    return target
