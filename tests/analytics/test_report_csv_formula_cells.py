"""Report CSVs (CLI ``report --format csv`` and the dashboard download share `to_csv`) neutralise formula texts."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from salesflow.analytics.render import to_csv
from salesflow.analytics.reports.base import Column, Report, Table


def test_report_csv_marks_formula_texts_and_keeps_negative_numbers() -> None:
    table = Table(columns=[Column("group", "Group"), Column("delta", "Delta", "money"), Column("share", "Share", "pct")],
                  rows=[{"group": "=HYPERLINK(\"http://evil\")", "delta": Decimal("-1500.00"), "share": -0.25},
                        {"group": "@team", "delta": -3, "share": None}])
    report = Report(kind="funnel", title="Funnel", params={}, summary={}, tables={"main": table})
    rows = list(csv.reader(io.StringIO(to_csv(report))))
    assert rows == [["group", "delta", "share"],
                    ["'=HYPERLINK(\"http://evil\")", "-1500.00", "-0.25"],
                    ["'@team", "-3", ""]]
