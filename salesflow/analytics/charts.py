"""Vega-Lite charts of the reports (drawn in the browser by the vendored vega-embed, or as SVG/PNG by vl-convert)."""

from __future__ import annotations

from typing import Any

from salesflow.analytics.reports.base import DIMENSION_NAMES, Report
from salesflow.engine.errors import BadInput
from salesflow.engine.texts import N_

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
WIDTH = 560
HEIGHT = 280
CHART_FORMATS = ("svg", "png")
#: The axis of a count: whole numbers only (no "0.5 contracts").
COUNT_AXIS = {"tickMinStep": 1, "format": "d"}


def _base(title: str, data: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"$schema": SCHEMA, "title": title, "width": WIDTH, "height": HEIGHT, "data": {"values": data},
            "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}, "axis": {"labelLimit": 240}},
            **extra}


def _group_color(rows: list[dict[str, Any]]) -> dict[str, Any]:
    groups = {row.get("group") for row in rows}
    return {"color": {"field": "group", "type": "nominal", "title": N_("Group")}} if len(groups) > 1 else {}


def funnel_chart(report: Report) -> dict[str, Any]:
    rows = [row for row in report.tables["stages"].rows if row["outcome"] != "lost"]
    if len({row["process"] for row in rows}) > 1:   # every process side by side: name the process
        rows = [dict(row, stage_title=f"{row['process']}: {row['stage_title']}") for row in rows]
    return _base(N_("Records entering each stage"), rows, mark={"type": "bar", "tooltip": True}, encoding={
        "y": {"field": "stage_title", "type": "nominal", "sort": None, "title": None},
        "x": {"field": "entered", "type": "quantitative", "title": N_("Records"), "axis": COUNT_AXIS},
        "yOffset": {"field": "group"} if _group_color(rows) else None,
        **_group_color(rows)})


def durations_chart(report: Report) -> dict[str, Any]:
    rows = report.tables["stages"].rows
    y = {"field": "stage_title", "type": "nominal", "sort": None, "title": None}
    offset = {"yOffset": {"field": "group"}} if _group_color(rows) else {}
    return _base(N_("Time in stage (days): median bar, P75–P90 line, limit tick"), rows, layer=[
        {"mark": {"type": "rule", "strokeWidth": 2, "color": "#94a3b8"},
         "encoding": {"y": y, **offset, "x": {"field": "p75_days", "type": "quantitative", "title": N_("Days")},
                      "x2": {"field": "p90_days"}}},
        {"mark": {"type": "bar", "tooltip": True},
         "encoding": {"y": y, **offset, "x": {"field": "median_days", "type": "quantitative"},
                      **_group_color(rows)}},
        {"mark": {"type": "tick", "color": "#dc2626", "thickness": 2},
         "encoding": {"y": y, "x": {"field": "max_days", "type": "quantitative"}}},
    ])


def adherence_chart(report: Report) -> dict[str, Any]:
    rows = report.tables["groups"].rows
    return _base(N_("Adherence score"), rows, mark={"type": "bar", "tooltip": True}, encoding={
        "y": {"field": "group", "type": "nominal", "title": None},
        "x": {"field": "score", "type": "quantitative", "title": N_("Score"), "scale": {"domain": [0, 100]}}})


def winrate_chart(report: Report) -> dict[str, Any]:
    name = report.main
    rows = report.tables[name].rows
    return _base(report.tables[name].title, rows, mark={"type": "bar", "tooltip": True},
                 encoding={"y": {"field": "group", "type": "nominal", "title": None},
                           "x": {"field": "win_rate", "type": "quantitative", "title": N_("Win rate"),
                                 "axis": {"format": "%"}}})


def forecast_chart(report: Report) -> dict[str, Any]:
    summary = report.summary
    won = summary["won"]
    rows = [
        {"measure": N_("Won"), "value": won},
        {"measure": N_("Won + commit"), "value": won + summary["commit"]},
        {"measure": N_("Expected (weighted)"), "value": summary["expected"]},
        {"measure": N_("Monte Carlo P50"), "value": summary["p50"], "low": summary["p10"], "high": summary["p90"]},
    ]
    axis_title = N_("Amount (%(period)s)", period=summary.get("period", ""))
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "bar", "tooltip": True},
         "encoding": {"y": {"field": "measure", "type": "nominal", "title": None, "sort": None},
                      "x": {"field": "value", "type": "quantitative", "title": axis_title}}},
        {"mark": {"type": "errorbar", "ticks": True, "color": "#1e293b"},
         "encoding": {"y": {"field": "measure", "type": "nominal", "sort": None},
                      "x": {"field": "low", "type": "quantitative", "title": axis_title}, "x2": {"field": "high"}}},
    ]
    if summary.get("target") is not None:
        layers.append({"data": {"values": [{"target": summary["target"]}]},
                       "mark": {"type": "rule", "color": "#dc2626", "strokeWidth": 2, "tooltip": True},
                       "encoding": {"x": {"field": "target", "type": "quantitative"}}})
    return _base(N_("Forecast %(period)s vs target (P10–P90 band)", period=summary.get("period", "")), rows, layer=layers)


def waterfall_chart(report: Report) -> dict[str, Any]:
    """Start, one floating bar per change (green up, red down, grey without change) and the end."""
    rows = [dict(row, sign=("total" if row["kind"] in ("start", "end") else
                            "up" if row["amount"] > 0 else "down" if row["amount"] < 0 else "none"))
            for row in getattr(report, "chart", [])]
    for row in rows:
        if row["kind"] == "start":
            row["label"] = N_("Start %(day)s", day=report.summary["from"])
        elif row["kind"] == "end":
            row["label"] = N_("End %(day)s", day=report.summary["to"])
    x = {"field": "label", "type": "nominal", "sort": None, "title": None, "axis": {"labelAngle": -30}}
    return _base(N_("Open pipeline %(period)s: what changed", period=report.summary["period"]), rows, layer=[
        {"mark": {"type": "bar", "tooltip": True},
         "encoding": {"x": x, "y": {"field": "from", "type": "quantitative",
                                    "title": N_("Amount (%(currency)s)", currency=report.summary["currency"])},
                      "y2": {"field": "to"},
                      "color": {"field": "sign", "type": "nominal", "legend": None,
                                "scale": {"domain": ["total", "up", "down", "none"],
                                          "range": ["#2563eb", "#16a34a", "#dc2626", "#94a3b8"]}}}},
    ])


def slips_chart(report: Report) -> dict[str, Any]:
    """Slips per record (the records that slipped most first)."""
    rows = [dict(row, label=f"#{row['record_id']}") for row in report.tables["records"].rows[:20]]
    return _base(N_("Records whose close date slipped, by number of slips"), rows, mark={"type": "bar", "tooltip": True},
                 encoding={"y": {"field": "label", "type": "nominal", "sort": None, "title": None},
                           "x": {"field": "slips", "type": "quantitative", "title": N_("Slips"),
                                 "axis": {"tickMinStep": 1}}})


def stale_chart(report: Report) -> dict[str, Any]:
    """Days without an event per stale record against its stage's limit."""
    rows = [dict(row, label=f"#{row['record_id']}") for row in report.tables["records"].rows[:20]]
    y = {"field": "label", "type": "nominal", "sort": None, "title": None}
    return _base(N_("Stale records: days without an event (tick: the stage's limit)"), rows, layer=[
        {"mark": {"type": "bar", "tooltip": True, "color": "#f59e0b"},
         "encoding": {"y": y, "x": {"field": "days", "type": "quantitative", "title": N_("Days")}}},
        {"mark": {"type": "tick", "color": "#dc2626", "thickness": 2},
         "encoding": {"y": y, "x": {"field": "stale_days", "type": "quantitative"}}},
    ])


def lost_reasons_chart(report: Report) -> dict[str, Any]:
    """Lost amount per reason, the quarter's stacks side by side."""
    rows = report.tables["by_period"].rows
    return _base(N_("Lost amount by reason and quarter"), rows, mark={"type": "bar", "tooltip": True}, encoding={
        "x": {"field": "group", "type": "ordinal", "title": N_("Quarter")},
        "y": {"field": "amount", "type": "quantitative", "title": N_("Lost amount")},
        "color": {"field": "reason_title", "type": "nominal", "title": N_("Reason for loss")}})


def calibration_chart(report: Report) -> dict[str, Any]:
    rows = [dict(row, default=row["default_probability"] / 100.0) for row in report.tables["stages"].rows
            if row["n"]]
    x = {"field": "default", "type": "quantitative", "title": N_("Stage default probability"),
         "scale": {"domain": [0, 1]}, "axis": {"format": "%"}}
    return _base(N_("Calibration: empirical win rate (95% CI) vs default probability"), rows, layer=[
        {"data": {"values": [{"default": 0, "win_rate": 0}, {"default": 1, "win_rate": 1}]},
         "mark": {"type": "line", "strokeDash": [4, 4], "color": "#94a3b8"},
         "encoding": {"x": x, "y": {"field": "win_rate", "type": "quantitative"}}},
        {"mark": {"type": "errorbar", "ticks": True},
         "encoding": {"x": x, "y": {"field": "ci_low", "type": "quantitative", "title": N_("Win rate")},
                      "y2": {"field": "ci_high"}}},
        {"mark": {"type": "point", "filled": True, "size": 80, "tooltip": True},
         "encoding": {"x": x, "y": {"field": "win_rate", "type": "quantitative", "scale": {"domain": [0, 1]},
                                    "axis": {"format": "%"}}, **_group_color(rows)}},
    ])


#: The forecast-accuracy chart draws the latest periods only (the table keeps them all): more lines are unreadable.
ACCURACY_PERIODS = 4


def accuracy_chart(report: Report) -> dict[str, Any]:
    periods = sorted({str(row["period"]) for row in report.tables["snapshots"].rows})[-ACCURACY_PERIODS:]
    rows = [row for row in report.tables["snapshots"].rows if str(row["period"]) in periods]
    x = {"field": "taken_at", "type": "temporal", "title": N_("Snapshot")}
    color = {"field": "period", "type": "nominal", "title": N_("Period")}
    return _base(N_("Forecast over time vs actual won (P10–P90 band)"), rows, layer=[
        {"mark": {"type": "area", "opacity": 0.15},
         "encoding": {"x": x, "y": {"field": "p10", "type": "quantitative"}, "y2": {"field": "p90"}, "color": color}},
        {"mark": {"type": "line", "point": True, "tooltip": True},
         "encoding": {"x": x, "y": {"field": "expected", "type": "quantitative", "title": N_("Amount")}, "color": color}},
        {"mark": {"type": "line", "strokeDash": [6, 3]},
         "encoding": {"x": x, "y": {"field": "actual", "type": "quantitative"}, "color": color}},
    ])


def plan_chart(report: Report) -> dict[str, Any]:
    rows = []
    for row in report.tables["targets"].rows:
        label = row["value"] if row["scope"] == "all" else N_(
            "%(scope)s: %(value)s", scope=DIMENSION_NAMES.get(row["scope"], row["scope"]), value=row["value"])
        rows.append({"scope": label, "measure": N_("Target"), "value": row["target"]})
        rows.append({"scope": label, "measure": N_("Won"), "value": row["won"]})
        rows.append({"scope": label, "measure": N_("Expected"), "value": row["expected"]})
    return _base(N_("Targets: won and expected"), rows, mark={"type": "bar", "tooltip": True}, encoding={
        "y": {"field": "scope", "type": "nominal", "title": None},
        "yOffset": {"field": "measure", "sort": None},
        "x": {"field": "value", "type": "quantitative", "title": N_("Amount")},
        "color": {"field": "measure", "type": "nominal", "title": None, "sort": None}})


def lead_to_win_chart(report: Report) -> dict[str, Any]:
    rows = []
    for row in report.tables["sources"].rows:
        label = row["source"] if row["group"] == "all" else f"{row['group']}: {row['source']}"
        for measure, title in (("conversion_rate", N_("converted")), ("opportunity_win_rate", N_("opportunities won")),
                               ("lead_to_win_rate", N_("lead to win"))):
            rows.append({"source": label, "measure": title, "rate": row[measure], "leads": row["leads"]})
    return _base(N_("Lead-to-win conversion by lead source"), rows, mark={"type": "bar", "tooltip": True}, encoding={
        "y": {"field": "source", "type": "nominal", "title": None},
        "yOffset": {"field": "measure", "sort": None},
        "x": {"field": "rate", "type": "quantitative", "title": N_("Share of leads or opportunities"), "axis": {"format": "%"},
              "scale": {"domain": [0, 1]}},
        "color": {"field": "measure", "type": "nominal", "title": None, "sort": None}})


def lead_to_order_chart(report: Report) -> dict[str, Any]:
    rows = report.tables["spans"].rows
    y = {"field": "span_title", "type": "nominal", "sort": None, "title": None}
    offset = {"yOffset": {"field": "group"}} if _group_color(rows) else {}
    return _base(N_("Days along the chain: median bar, median–P80 line"), rows, layer=[
        {"mark": {"type": "rule", "strokeWidth": 2, "color": "#94a3b8"},
         "encoding": {"y": y, **offset, "x": {"field": "median_days", "type": "quantitative", "title": N_("Days")},
                      "x2": {"field": "p80_days"}}},
        {"mark": {"type": "bar", "tooltip": True},
         "encoding": {"y": y, **offset, "x": {"field": "median_days", "type": "quantitative"},
                      **_group_color(rows)}},
    ])


def renewals_chart(report: Report) -> dict[str, Any]:
    rows = report.tables["outcomes"].rows
    return _base(N_("How the contracts decided in the period ended"), rows, mark={"type": "bar", "tooltip": True},
                 encoding={"y": {"field": "group", "type": "nominal", "title": None},
                           "x": {"field": "contracts", "type": "quantitative", "title": N_("Contracts"),
                                 "axis": COUNT_AXIS},
                           "color": {"field": "stage_title", "type": "nominal", "title": N_("Outcome")}})


def score_trend_chart(report: Report) -> dict[str, Any]:
    """Mean score per quarter, one line per subject kind (mystery shopping) or audience (satisfaction)."""
    rows = report.tables["periods"].rows
    return _base(N_("%(report)s: mean score by quarter", report=report.title), rows,
                 mark={"type": "line", "point": True, "tooltip": True},
                 encoding={"x": {"field": "period", "type": "ordinal", "title": None},
                           "y": {"field": "score", "type": "quantitative", "title": N_("Score %"),
                                 "scale": {"domain": [0, 100]}},
                           "color": {"field": "group", "type": "nominal", "title": None}})


def tat_chart(report: Report) -> dict[str, Any]:
    """Median and P90 days per step, the limit as a tick."""
    rows = [dict(row, step=N_("%(process)s: %(stage)s", process=row["process"], stage=row["stage_title"]))
            for row in report.tables["steps"].rows if row["count"]]
    y = {"field": "step", "type": "nominal", "sort": None, "title": None}
    return _base(N_("Turn-around time per step (days): median bar, median–P90 line, limit tick"), rows, layer=[
        {"mark": {"type": "rule", "strokeWidth": 2, "color": "#94a3b8"},
         "encoding": {"y": y, "x": {"field": "median_days", "type": "quantitative", "title": N_("Days")},
                      "x2": {"field": "p90_days"}}},
        {"mark": {"type": "bar", "tooltip": True},
         "encoding": {"y": y, "x": {"field": "median_days", "type": "quantitative"}}},
        {"mark": {"type": "tick", "color": "#dc2626", "thickness": 2},
         "encoding": {"y": y, "x": {"field": "max_days", "type": "quantitative"}}},
    ], height={"step": 16})   # one readable line per step, however many steps there are


def coaching_chart(report: Report) -> dict[str, Any]:
    """1:1s held and expected per person, with the activity coverage in the tooltip."""
    rows = []
    for row in report.tables["people"].rows:
        for measure, title in (("held", N_("held")), ("expected", N_("expected"))):
            rows.append({"person": f"{row['manager']} → {row['person']}", "measure": title, "value": row[measure],
                         "coverage": row["coverage"]})
    return _base(N_("1:1s held against the cadence"), rows, mark={"type": "bar", "tooltip": True}, encoding={
        "y": {"field": "person", "type": "nominal", "title": None}, "yOffset": {"field": "measure"},
        "x": {"field": "value", "type": "quantitative", "title": N_("1:1s"), "axis": COUNT_AXIS},
        "color": {"field": "measure", "type": "nominal", "title": None}})


CHARTS = {
    "funnel": funnel_chart, "durations": durations_chart, "adherence": adherence_chart, "winrate": winrate_chart,
    "forecast": forecast_chart, "waterfall": waterfall_chart, "slips": slips_chart,
    "stale": stale_chart, "lost-reasons": lost_reasons_chart, "calibration": calibration_chart, "accuracy": accuracy_chart, "plan": plan_chart,
    "lead-to-win": lead_to_win_chart, "lead-to-order": lead_to_order_chart, "renewals": renewals_chart,
    "mystery-shopping": score_trend_chart, "satisfaction": score_trend_chart, "tat": tat_chart,
    "coaching": coaching_chart,
}


def chart_spec(report: Report) -> dict[str, Any]:
    """The Vega-Lite specification of a report's chart."""
    spec = CHARTS[report.kind](report)
    if "encoding" in spec:
        spec["encoding"] = {key: value for key, value in spec["encoding"].items() if value is not None}
    return spec


def render_chart(report: Report, fmt: str) -> bytes:
    """The chart as SVG or PNG (vl-convert, no browser)."""
    return render_spec(chart_spec(report), fmt)


def render_spec(spec: dict[str, Any], fmt: str, locale: str | None = None) -> bytes:
    """A Vega-Lite specification as SVG or PNG (vl-convert, no browser); ``locale`` (e.g. ``de-DE``) writes the
    axes' numbers and months in that locale's format."""
    import vl_convert

    options: dict[str, Any] = {"format_locale": locale, "time_format_locale": locale} if locale else {}
    if fmt == "svg":
        return vl_convert.vegalite_to_svg(spec, **options).encode("utf-8")
    if fmt == "png":
        return vl_convert.vegalite_to_png(spec, scale=2, **options)
    raise BadInput(f"chart format: svg or png, got {fmt!r}")
