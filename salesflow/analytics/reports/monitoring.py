"""Mystery shopping and satisfaction: the seed's "% score on mystery shopping" and "level of customer (end
customer and channel) satisfaction", from the assessments made with the checklists the library's ``monitoring``
settings name.

Scope: assessments dated within ``--from/--to`` that the reader may see (`QualityRows`). Per quarter and per
subject: the number of assessments, the mean score (percent, one decimal) and the pass rate (passed /
assessments). ``trend`` is the mean score of the last quarter minus that of the first (points).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from salesflow.analytics.reports.base import Column, Data, Params, Report, Table, ratio
from salesflow.engine.texts import N_

#: How each metric's subjects are named in the tables (the subject kinds of the checklists).
SUBJECT_LABELS = {"partner": "partner", "user": "rep", "account": "end customer", "record": "record"}
#: The audiences of the satisfaction report: metric → label.
AUDIENCES = {"customer_satisfaction": "end customer", "channel_satisfaction": "channel"}


def quarter(day: datetime.date) -> str:
    """The quarter of a date, e.g. ``2026-Q3``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def in_range(rows: Iterable[dict[str, Any]], params: Params) -> list[dict[str, Any]]:
    """The rows dated within ``--from/--to`` (inclusive)."""
    return [row for row in rows if (params.date_from is None or row["date"] >= params.date_from)
            and (params.date_to is None or row["date"] <= params.date_to)]


def mean(values: list[float]) -> float | None:
    """The mean rounded to one decimal (None for no values)."""
    return round(sum(values) / len(values), 1) if values else None


def stats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Assessments, mean score and pass rate of some assessment rows."""
    return {"assessments": len(rows), "score": mean([row["score"] for row in rows]),
            "passed": sum(1 for row in rows if row["passed"]),
            "pass_rate": ratio(sum(1 for row in rows if row["passed"]), len(rows))}


def group_rows(rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], tuple[Any, ...]]
               ) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    """Rows grouped by ``key``, in key order."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return dict(sorted(groups.items(), key=lambda item: tuple(str(part) for part in item[0])))


def trend(period_rows: list[dict[str, Any]]) -> float | None:
    """Mean score of the last period minus that of the first (None with fewer than two periods)."""
    scored = [row for row in period_rows if row["score"] is not None]
    if len(scored) < 2:
        return None
    return round(scored[-1]["score"] - scored[0]["score"], 1)


def _tables(rows: list[dict[str, Any]], label: Callable[[dict[str, Any]], str], group_title: str
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    periods = [{"period": period, "group": group, **stats(items)}
               for (period, group), items in group_rows(rows, lambda row: (quarter(row["date"]), label(row))).items()]
    subjects = []
    for (group, subject), items in group_rows(rows, lambda row: (label(row), row["subject"])).items():
        items = sorted(items, key=lambda row: (row["date"], row["id"]))
        by_period = [{"score": mean([row["score"] for row in part])}
                     for part in group_rows(items, lambda row: (quarter(row["date"]),)).values()]
        subjects.append({"group": group, "subject": subject, **stats(items), "last_date": items[-1]["date"].isoformat(),
                         "last_score": items[-1]["score"], "trend": trend(by_period)})
    return periods, subjects


def _columns(group_title: str) -> tuple[list[Column], list[Column]]:
    figures = [Column("assessments", N_("Assessments"), "int"), Column("score", N_("Mean score %"), "num"),
               Column("passed", N_("Passed"), "int"), Column("pass_rate", N_("Pass rate"), "pct")]
    return ([Column("period", N_("Quarter")), Column("group", group_title), *figures],
            [Column("group", group_title), Column("subject", N_("Subject")), *figures, Column("last_date", N_("Last")),
             Column("last_score", N_("Last score %"), "num"), Column("trend", N_("Trend (points)"), "num")])


def mystery_shopping(data: Data, params: Params) -> Report:
    """Mystery-shopping score by partner / rep / quarter, its trend and pass rate."""
    rows = in_range((row for row in data.quality.assessments if row["metric"] == "mystery_shopping"), params)
    periods, subjects = _tables(rows, lambda row: SUBJECT_LABELS.get(row["subject_kind"], row["subject_kind"]),
                                "Subject kind")
    overall = [{"score": mean([row["score"] for row in items])}
               for items in group_rows(rows, lambda row: (quarter(row["date"]),)).values()]
    summary = {**stats(rows), "trend": trend(overall), "periods": len(overall)}
    for kind, label in (("partner", "partners"), ("user", "reps")):
        part = [row for row in rows if row["subject_kind"] == kind]
        summary[f"{label}_score"] = mean([row["score"] for row in part])
        summary[f"{label}_pass_rate"] = ratio(sum(1 for row in part if row["passed"]), len(part))
    period_columns, subject_columns = _columns("Subject kind")
    return Report("mystery-shopping", N_("Mystery shopping"), params.to_data(), summary,
                  {"periods": Table(period_columns, periods, N_("Mystery-shopping score by quarter")),
                   "subjects": Table(subject_columns, subjects, N_("Mystery-shopping score by partner and rep"))},
                  notes=["Score % as the checklist scores it; pass rate = passed / assessments; trend = mean score of "
                         "the last quarter − mean score of the first (points)."])


def satisfaction(data: Data, params: Params) -> Report:
    """End-customer and channel satisfaction by quarter and subject."""
    rows = in_range((row for row in data.quality.assessments if row["metric"] in AUDIENCES), params)
    periods, subjects = _tables(rows, lambda row: AUDIENCES[row["metric"]], "Audience")
    summary: dict[str, Any] = {"assessments": len(rows)}
    for metric, label in AUDIENCES.items():
        part = [row for row in rows if row["metric"] == metric]
        key = label.replace(" ", "_")
        by_period = [{"score": mean([row["score"] for row in items])}
                     for items in group_rows(part, lambda row: (quarter(row["date"]),)).values()]
        summary[f"{key}_assessments"] = len(part)
        summary[f"{key}_score"] = mean([row["score"] for row in part])
        summary[f"{key}_pass_rate"] = ratio(sum(1 for row in part if row["passed"]), len(part))
        summary[f"{key}_trend"] = trend(by_period)
    period_columns, subject_columns = _columns("Audience")
    return Report("satisfaction", N_("Customer and channel satisfaction"), params.to_data(), summary,
                  {"periods": Table(period_columns, periods, N_("Satisfaction by quarter")),
                   "subjects": Table(subject_columns, subjects, N_("Satisfaction by customer and partner"))},
                  notes=["End customer: assessments with the customer-satisfaction checklists; channel: with the "
                         "channel-satisfaction checklists (library settings, monitoring)."])
