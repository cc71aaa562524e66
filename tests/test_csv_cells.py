"""The one CSV cell helper: formula-like texts get an apostrophe, numbers stay numbers, imports undo the mark."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from salesflow import csv_cells


@pytest.mark.parametrize("text", ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tx", "\rx", "=", "-",
                                  "- note", "+49 30 1234", "-1e3x"])
def test_formula_like_text_is_marked(text: str) -> None:
    assert csv_cells.safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "", " =spaced", "1+1", "'=already", "-5", "-1200.50", "+3", "-1e3",
                                   "-.5", -5, Decimal("-1200.50"), -0.25, None, True])
def test_numbers_and_harmless_values_are_unchanged(value: object) -> None:
    assert csv_cells.safe_cell(value) == value


@pytest.mark.parametrize("text", ["=1+1", "-2+3", "@x", "\tx", "plain", "-5", "'quoted"])
def test_restore_undoes_the_mark(text: str) -> None:
    assert csv_cells.restore_cell(csv_cells.safe_cell(text)) == text


def test_the_writer_marks_every_row_and_keeps_csv_quoting() -> None:
    buffer = io.StringIO()
    writer = csv_cells.writer(buffer, lineterminator="\n")
    writer.writerow(["=title", "amount"])
    writer.writerows([["=HYPERLINK(\"http://x\",\"a, b\")", Decimal("-3.50")], ["ok", -7]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["'=title", "amount"], ["'=HYPERLINK(\"http://x\",\"a, b\")", "-3.50"], ["ok", "-7"]]
