"""Finding and opening the files of an export folder (CSV, or Salesforce's data-plan JSON tree)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from salesflow.interop.tabular import Sheet, SheetError, open_sheet


def find_file(directory: Path, names: tuple[str, ...]) -> Path | None:
    """The first file of ``directory`` whose name matches one of ``names`` (ignoring case)."""
    if not directory.is_dir():
        return None
    present = {entry.name.lower(): entry for entry in directory.iterdir() if entry.is_file()}
    for name in names:
        entry = present.get(name.lower())
        if entry is not None:
            return entry
    return None


def open_tree_json(path: Path) -> Sheet:
    """A Salesforce CLI tree export (``sf data export tree``: ``{"records": [...]}``) as a sheet.

    ``attributes.referenceId`` becomes the ``Id`` column; references ``@AccountRef1`` lose their ``@``.
    """
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise SheetError(name, "the file is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise SheetError(name, f"not valid JSON: {error.msg}", row=error.lineno) from None
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise SheetError(name, 'not a Salesforce tree export ({"records": [...]} expected)')
    if not records:
        raise SheetError(name, "the file has no records")
    header = ["Id"]
    for record in records:
        if isinstance(record, dict):
            for key in record:
                if key != "attributes" and key not in header:
                    header.append(key)

    def value(item: Any) -> Any:
        if isinstance(item, str) and item.startswith("@"):
            return item[1:]
        if item is None:
            return ""
        if isinstance(item, bool):
            return "1" if item else "0"
        return item if isinstance(item, str) else str(item)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, record in enumerate(records, start=2):
            if not isinstance(record, dict):
                continue
            attributes = record.get("attributes") or {}
            cells = [str(attributes.get("referenceId") or "")]
            cells.extend(value(record.get(key)) for key in header[1:])
            yield number, cells

    return Sheet(name, header, rows())


def open_source(path: Path) -> Sheet:
    """A ``.csv``/``.xlsx`` file or a ``.json`` tree export as a sheet."""
    if path.suffix.lower() == ".json":
        return open_tree_json(path)
    return open_sheet(path)
