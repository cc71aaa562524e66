"""Problems found in import files: ``file:row: column: message``, collected before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from salesflow.engine.errors import BadInput

#: How many problems a report shows by default (all are counted).
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class Problem:
    """One problem in an input file. ``row`` counts like a spreadsheet: the header is row 1."""

    file: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        text = f"{self.column}: {self.message}" if self.column else self.message
        return f"{where}: {text}" if where else text

    def to_data(self) -> dict[str, Any]:
        """JSON-ready problem."""
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Problems:
    """The problems of one import: per-row problems (rows that can be skipped) and fatal ones."""

    items: list[Problem] = field(default_factory=list)
    fatal: bool = False
    bad_rows: set[tuple[str, int]] = field(default_factory=set)

    def add(self, file: str, row: int | None, column: str, message: str) -> None:
        """Record a problem in a row (the row becomes invalid)."""
        self.items.append(Problem(file, row, column, message))
        if row is not None:
            self.bad_rows.add((file, row))

    def add_fatal(self, file: str, message: str, row: int | None = None, column: str = "") -> None:
        """Record a problem no skipping can get round (a missing column, an unreadable file)."""
        self.items.append(Problem(file, row, column, message))
        self.fatal = True

    def forget_since(self, count: int, file: str) -> None:
        """Forget the problems after the first ``count`` and every bad row of ``file`` (a pass over it is undone)."""
        del self.items[count:]
        self.bad_rows = {item for item in self.bad_rows if item[0] != file}

    def sort_since(self, count: int, first: str = "") -> None:
        """Sort the problems after the first ``count`` by row; within a row, messages starting with ``first``
        lead (a row's problems in the order its columns are checked)."""
        tail = self.items[count:]
        tail.sort(key=lambda item: (item.row or 0, not (first and item.message.startswith(first))))
        self.items[count:] = tail

    def is_bad(self, file: str, row: int) -> bool:
        """True if the row has a problem."""
        return (file, row) in self.bad_rows

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


class ImportFailed(BadInput):
    """The input has problems: nothing was written. ``problems`` lists them all."""

    def __init__(self, problems: list[Problem], message: str | None = None, limit: int = DEFAULT_LIMIT) -> None:
        self.problems = list(problems)
        self.limit = limit
        super().__init__(message or f"{len(self.problems)} problem(s) found; nothing was written")

    def lines(self) -> list[str]:
        """The problems as text lines, at most ``limit`` (with a note of how many more there are)."""
        shown = [str(problem) for problem in self.problems[: self.limit]]
        if len(self.problems) > self.limit:
            shown.append(f"… and {len(self.problems) - self.limit} more problem(s)")
        return shown

    def to_data(self) -> dict[str, Any]:
        data = super().to_data()
        data["problems"] = [problem.to_data() for problem in self.problems[: self.limit]]
        data["problem_count"] = len(self.problems)
        return data
