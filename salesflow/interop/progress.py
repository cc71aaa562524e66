"""Progress bars on standard error (rich) for long imports and exports; silent when not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Advance = Callable[[int], None]
Progress = Callable[[str, int | None], Advance]


def silent(description: str, total: int | None) -> Advance:
    """A progress reporter that reports nothing."""
    return lambda amount: None


@contextmanager
def progress_bars(enabled: bool | None = None) -> Iterator[Progress]:
    """A progress reporter drawing rich bars on stderr (by default only when stderr is a terminal)."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield silent
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)
    tasks: list[Any] = []

    def start(description: str, total: int | None) -> Advance:
        for task in tasks:
            bars.update(task, visible=False)
        task = bars.add_task(description, total=total)
        tasks.append(task)
        return lambda amount: bars.advance(task, amount)

    with bars:
        yield start
