"""The sales-controlling dashboard: every report with its chart (Vega-Lite), table and CSV/SVG/PNG downloads.

The dashboard page loads each report panel separately (htmx), so the first charts show while the
others are computed. Reports count only the records the signed-in user may see (the one visibility
rule of `salesflow.people.access`); forecast accuracy (company-wide snapshots) is shown to the roles
the library settings grant ``forecast_accuracy``; targets are set by those granted ``planning``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from salesflow.analytics import cache as report_cache
from salesflow.analytics.chart_labels import chart_labels, relabel, table_value
from salesflow.analytics.charts import chart_spec, render_spec
from salesflow.analytics.localized import notes, translate_spec, web_cell
from salesflow.analytics.options import params_from
from salesflow.analytics.render import to_csv
from salesflow.analytics.reports import CHAIN, KINDS, PROCESS_MANAGEMENT, Report, run_report
from salesflow.analytics.reports.base import DIMENSION_NAMES, DIMENSIONS
from salesflow.analytics.source import data_for
from salesflow.analytics.targets import (
    TargetInput,
    do_delete_target,
    do_set_target,
    import_targets_text,
    list_targets,
)
from salesflow.currency.settings import corporate_currency
from salesflow.engine.errors import BadInput, EngineError
from salesflow.people import access
from salesflow.records.queries import records_for
from salesflow.web.i18n import localize, translate_label
from salesflow.web.templatetags.salesflow_web import money

PARAM_KEYS = ("process", "from", "to", "by", "period", "as_of")
#: The library right (library settings) to set targets.
PLANNING_RIGHT = "planning"
TITLES = {
    "funnel": _("Funnel"), "durations": _("Time in stage"), "adherence": _("Process adherence"),
    "winrate": _("Win rate"), "forecast": _("Forecast vs target"),
    "waterfall": _("Pipeline waterfall"), "slips": _("Slipped close dates"), "stale": _("Stale records"),
    "lost-reasons": _("Reasons for loss"), "calibration": _("Probability calibration"),
    "accuracy": _("Forecast accuracy"), "plan": _("Sales plan"), "lead-to-win": _("Lead-to-win conversion"),
    "lead-to-order": _("Lead-to-order cycle time"), "renewals": _("Renewal rate"),
    "mystery-shopping": _("Mystery shopping"), "satisfaction": _("Customer and channel satisfaction"),
    "tat": _("Turn-around time per step"), "coaching": _("Coaching"),
}
#: Summary figures shown above each chart: (key, label, kind).
KEY_FIGURES: dict[str, list[tuple[str, str, str]]] = {
    "funnel": [("records", _("Records"), "int"), ("won", _("Won"), "int"), ("win_rate", _("Win rate"), "pct")],
    "durations": [("cycle_won_median_days", _("Median days to Won"), "days"), ("share_over", _("Stays over limit"), "pct")],
    "adherence": [("score", _("Adherence score"), "num"), ("gates_overridden", _("Gates overridden"), "int"),
                  ("sla_breaches", _("SLA breaches"), "int")],
    "winrate": [("closed", _("Closed"), "int"), ("win_rate", _("Win rate"), "pct"), ("won_amount", _("Won"), "money")],
    "forecast": [("won", _("Won"), "money"), ("expected", _("Expected"), "money"), ("target", _("Target"), "money"),
                 ("gap", _("Gap"), "money"), ("coverage", _("Coverage"), "num"), ("p10", _("P10"), "money"),
                 ("p50", _("P50"), "money"), ("p90", _("P90"), "money")],
    "waterfall": [("start", _("Open pipeline at the start"), "money"), ("end", _("Open pipeline at the end"), "money"),
                  ("change", _("Change"), "money")],
    "slips": [("slipped_records", _("Records that slipped"), "int"), ("slips", _("Slips"), "int"),
              ("slipped_amount", _("Amount of those"), "money")],
    "stale": [("stale", _("Stale records"), "int"), ("stale_share", _("Share of open records"), "pct"),
              ("stale_amount", _("Stale amount"), "money")],
    "lost-reasons": [("lost", _("Lost"), "int"), ("lost_amount", _("Lost amount"), "money"),
                     ("top_reason_share", _("Top reason's share of lost amount"), "pct")],
    "calibration": [("pairs", _("Record × stage pairs"), "int"), ("brier_default", _("Brier (defaults)"), "num"),
                    ("brier_suggested", _("Brier (suggested)"), "num")],
    "accuracy": [("snapshots", _("Snapshots"), "int"), ("mape", _("MAPE"), "pct"), ("bias", _("Bias"), "pct"),
                 ("band_hit_rate", _("P10–P90 hit rate"), "pct")],
    "plan": [("target", _("Target"), "money"), ("won", _("Won"), "money"), ("attainment", _("Attainment"), "pct"),
             ("coverage", _("Coverage"), "num")],
    "lead-to-win": [("leads", _("Leads"), "int"), ("conversion_rate", _("Conversion rate"), "pct"),
                    ("opportunity_win_rate", _("Opportunity win rate"), "pct"),
                    ("lead_to_win_rate", _("Lead-to-win rate"), "pct"), ("won_amount", _("Won"), "money")],
    "lead-to-order": [("lead_to_order_chains", _("Lead → order chains"), "int"),
                      ("lead_to_order_median_days", _("Median days lead → order"), "days"),
                      ("lead_to_order_p80_days", _("P80 days lead → order"), "days"),
                      ("opportunity_to_order_median_days", _("Median days opportunity → order"), "days")],
    "renewals": [("decided", _("Contracts decided"), "int"), ("renewal_rate", _("Renewal rate"), "pct"),
                 ("undecided", _("Due, undecided"), "int"),
                 ("renewal_opportunities", _("Renewal opportunities"), "int"),
                 ("renewal_win_rate", _("Renewal win rate"), "pct")],
}
KEY_FIGURES.update({
    "mystery-shopping": [("score", _("Mean score %"), "num"), ("pass_rate", _("Pass rate"), "pct"),
                         ("trend", _("Trend (points)"), "num"), ("assessments", _("Assessments"), "int")],
    "satisfaction": [("end_customer_score", _("End customer score %"), "num"),
                     ("channel_score", _("Channel score %"), "num"),
                     ("end_customer_trend", _("End customer trend (points)"), "num"),
                     ("channel_trend", _("Channel trend (points)"), "num")],
    "tat": [("steps", _("Steps"), "int"), ("stays", _("Stays"), "int"),
            ("share_over", _("Share over limit"), "pct")],
    "coaching": [("cadence", _("1:1s against the cadence"), "pct"), ("on_cadence", _("People on cadence"), "int"),
                 ("coverage", _("Recommended activities done"), "pct"), ("stalled", _("Stalled records"), "int")],
})
#: The dashboard's sections: the reports of each process, those across the sales chain, and those of sales
#: process management (assessments, 1:1s and the steps of every process: no process filter).
SECTIONS = [(_("Per process"), [kind for kind in KINDS if kind not in (*CHAIN, *PROCESS_MANAGEMENT)]),
            (_("Sales chain"), list(CHAIN)), (_("Sales process management"), list(PROCESS_MANAGEMENT))]
#: Query parameters the sales-process-management panels take (they speak of every process).
MANAGEMENT_KEYS = ("from", "to")


#: The longest chart title drawn on one line (a panel is about 560 px wide).
TITLE_LINE = 60


def _labels() -> dict[str, str]:
    """`chart_labels` in the active language."""
    return chart_labels(get_language() or "en")


def _web_spec(report: Report, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """The report's chart specification with its texts and category names in the active language
    (``labels``: `chart_labels`, when the caller has them already)."""
    spec = relabel(translate_spec(chart_spec(report)), labels if labels is not None else _labels())
    title = spec.get("title")
    if isinstance(title, str) and len(title) > TITLE_LINE and ": " in title:   # two lines, not cut off
        head, _sep, tail = title.partition(": ")
        spec["title"] = {"text": [f"{head}:", tail]}
    return spec


def _panel_spec(report: Report, labels: dict[str, str] | None = None) -> str:
    """The chart as JSON for a dashboard panel; '' when it has no data (the panel says so: no empty frame)."""
    spec = _web_spec(report, labels)
    return json.dumps(spec, default=str) if spec.get("data", {}).get("values") else ""


def _spec(report: Report, labels: dict[str, str] | None = None) -> str:
    """The report's chart specification, its texts in the active language, as JSON."""
    return json.dumps(_web_spec(report, labels), default=str)


def _chart_locale() -> str | None:
    """The d3 locale of the active language for rendered charts (None: vl-convert's default, en-US)."""
    return "de-DE" if (get_language() or "").startswith("de") else None


def _staff(request: HttpRequest) -> None:
    if not access.is_staff_member(request.user):
        raise PermissionDenied


def _may_see_accuracy(user: Any) -> bool:
    return access.has_right(user, "forecast_accuracy") or user.is_superuser


def may_plan(user: Any) -> bool:
    """True for users who may set targets."""
    return access.has_right(user, PLANNING_RIGHT) or user.is_superuser


def _query(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET.get(key, "").strip() for key in PARAM_KEYS if request.GET.get(key, "").strip()}


def _reader_state(request: HttpRequest) -> dict[str, Any]:
    """`report_cache.reader_state` of the request's user and language (a few queries: read once per request)."""
    return report_cache.reader_state(request.user, get_language() or "en", corporate_currency())


def _report_key(request: HttpRequest, kind: str, query: dict[str, str] | None = None,
                state: dict[str, Any] | None = None) -> str:
    """The cache key of the report ``kind`` for ``query`` (default: the request's) and the reader ``state`` (default:
    read now); 404: no such report; 403: not for this user."""
    if kind not in KINDS:
        raise Http404
    if kind == "accuracy" and not _may_see_accuracy(request.user):
        raise PermissionDenied
    return report_cache.report_key(kind, _query(request) if query is None else query,
                                   state if state is not None else _reader_state(request))


def _run(request: HttpRequest, kind: str, key: str | None = None, query: dict[str, str] | None = None) -> Report:
    query = _query(request) if query is None else query
    key = key or _report_key(request, kind, query)
    params = params_from(query)

    def compute() -> Report:
        with data_for("duckdb", request.user) as data:
            return run_report(kind, data, params)

    return report_cache.cached(key, compute)


def _compute_all(user: Any, language: str) -> Any:
    """A `report_cache.warm` computation: the missing reports of one reader on one load of the data."""

    def compute_all(missing: list[tuple[str, str, dict[str, str]]], store: Any) -> None:
        with translation.override(language), data_for("duckdb", user) as data:
            for key, kind, query in missing:
                try:
                    store(key, run_report(kind, data, params_from(query)))
                except EngineError:
                    continue  # the panel's own request shows the message

    return compute_all


def _panel_jobs(sections: list[Any]) -> list[tuple[str, dict[str, str]]]:
    """(kind, query) of every panel of the dashboard's ``sections``, in page order."""
    return [(kind, {key: value for key, value in QueryDict(querystring).items() if value})
            for _heading, kinds, querystring, _management in sections for kind, _title in kinds]


def _warm_panels(request: HttpRequest, sections: list[Any], state: dict[str, Any] | None = None) -> None:
    """Start computing the dashboard's panels in the background (their requests then wait for the results)."""
    from django.conf import settings

    if not getattr(settings, "SALESFLOW_REPORT_WARM", True):
        return
    language = get_language() or "en"
    report_cache.warm(_panel_jobs(sections), state or _reader_state(request), _compute_all(request.user, language))


def _table_context(report: Report, name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    table = report.tables[name]
    labels = labels if labels is not None else _labels()
    return {"name": name, "title": translate_label(table.title),
            "columns": [{"label": translate_label(column.label), "kind": column.kind} for column in table.columns],
            "rows": [[(web_cell(row.get("stage_title", row.get(column.key)) if column.key == "stage"
                                else table_value(row.get(column.key), column.key, labels), column),
                       column.kind not in ("text", "list"))
                      for column in table.columns] for row in table.rows]}


def _figures(report: Report) -> list[dict[str, Any]]:
    from salesflow.analytics.reports.base import Column

    currency = corporate_currency()
    figures = []
    for key, label, kind in KEY_FIGURES.get(report.kind, []):
        if key not in report.summary:
            continue
        value = web_cell(report.summary.get(key), Column(key, label, kind))
        if kind == "money" and report.summary.get(key) is not None:
            value = f"{value} {currency}"
        figures.append({"label": label, "value": value})
    return figures


def _default_process() -> str:
    """What the dashboard shows first: the only opportunity process, else every process."""
    from salesflow.records.models import Process

    opportunities = list(Process.objects.filter(record_type="opportunity").values_list("key", flat=True)[:2])
    return opportunities[0] if len(opportunities) == 1 else "all"


def _adherence_links(query: dict[str, str], language: str) -> list[tuple[str, str]]:
    """(title, query string) of the adherence report of every process (prospecting, opportunities …)."""
    from salesflow.records.models import Process

    dates = {key: value for key, value in query.items() if key in MANAGEMENT_KEYS}
    return [(process.title_in(language), urlencode({**dates, "process": process.key, "by": "owner"}))
            for process in Process.objects.order_by("key")]


def _process_choices() -> list[tuple[str, str]]:
    """(key, title in the active language) of every process, for the filter."""
    from salesflow.records.models import Process
    from salesflow.web.templatetags.salesflow_web import current_language

    language = current_language()
    return [(process.key, process.title_in(language)) for process in Process.objects.order_by("key")]


def _processes() -> list[str]:
    from salesflow.records.models import Process

    return list(Process.objects.values_list("key", flat=True))


def _dashboard_query(request: HttpRequest) -> dict[str, str]:
    """The dashboard's filter (the process defaults to the only opportunity process)."""
    query = _query(request)
    if "process" not in query:
        query["process"] = _default_process()
    return query


def _sections(request: HttpRequest, query: dict[str, str]) -> list[tuple[Any, list[tuple[str, Any]], str, bool]]:
    """(heading, [(kind, title)], query string, process management?) of each section of the dashboard."""
    management = urlencode({key: value for key, value in query.items() if key in MANAGEMENT_KEYS})
    return [(heading, [(kind, TITLES[kind]) for kind in kinds if kind != "accuracy"
                       or _may_see_accuracy(request.user)],
             management if kinds == list(PROCESS_MANAGEMENT) else urlencode(query),
             kinds == list(PROCESS_MANAGEMENT)) for heading, kinds in SECTIONS]


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard: a filter bar and one panel per report (loaded by `panels`, one streamed request)."""
    _staff(request)
    query = _dashboard_query(request)
    try:
        params_from(query)
        error = None
    except EngineError as problem:
        error = localize(problem.message)
    sections = _sections(request, query)
    if error is None:
        _warm_panels(request, sections)
    return render(request, "analytics/dashboard.html", {
        "sections": sections, "adherence_links": _adherence_links(query, get_language() or "en"), "query": query,
        "querystring": urlencode(query), "currency": corporate_currency(),
        "error": error, "dimensions": [(dimension, translate_label(DIMENSION_NAMES[dimension])) for dimension in DIMENSIONS],
        "processes": _process_choices(), "may_plan": may_plan(request.user),
        "first_steps": not records_for(request.user).exists(),
    }, status=400 if error else 200)


def _panel_html(request: HttpRequest, kind: str, query: dict[str, str], state: dict[str, Any] | None = None,
                labels: Any = None) -> tuple[str, int]:
    """(HTML, status) of one report's panel for ``query``: key figures, chart, main table, downloads — or the
    message why it cannot be computed (400). The HTML is cached beside its report (same key). ``state``
    (`_reader_state`) and ``labels`` (a lazy `_labels`) when the caller draws several panels."""
    key = _report_key(request, kind, query, state)

    def draw() -> str:
        report = _run(request, kind, key, query)
        chosen = labels if labels is not None else _labels()
        return render_to_string("analytics/panel.html", {
            "kind": kind, "title": TITLES[kind], "report": report, "figures": _figures(report),
            "spec": _panel_spec(report, chosen), "table": _table_context(report, report.main, chosen),
            "querystring": urlencode(query),
        }, request)

    try:
        return report_cache.cached(f"{key}:panel", draw), 200
    except EngineError as problem:
        return render_to_string("analytics/panel_error.html", {"message": localize(problem.message),
                                                               "title": TITLES[kind]}, request), 400


@login_required
@require_GET
def panel(request: HttpRequest, kind: str) -> HttpResponse:
    """One report's panel (an htmx fragment; the dashboard loads them all through `panels`)."""
    _staff(request)
    html, status = _panel_html(request, kind, _query(request))
    return HttpResponse(html, status=status)


#: Ends each panel in the stream of `panels` (HTML escaping keeps it out of every panel's text).
PANEL_END = "\n<!-- /panel -->\n"


@login_required
@require_GET
def panels(request: HttpRequest) -> HttpResponse:
    """Every panel of the dashboard (same filter) in one streamed response, each sent as soon as it is computed:
    ``<div data-panel="KIND">…</div>`` followed by `PANEL_END`. One request instead of one per panel: no
    browser connection limit or server thread is waited for, and the reports are computed on one load of
    the data (the warm-up the dashboard page started; started here when it was not)."""
    _staff(request)
    query = _dashboard_query(request)
    try:
        params_from(query)
    except EngineError as problem:
        return HttpResponse(localize(problem.message), status=400, content_type="text/plain; charset=utf-8")
    sections = _sections(request, query)
    state = _reader_state(request)
    _warm_panels(request, sections, state)
    language = get_language() or "en"

    def stream() -> Any:
        with translation.override(language):
            labels = SimpleLazyObject(_labels)      # read once, and only when a panel is drawn here
            for kind, panel_query in _panel_jobs(sections):
                html, _status = _panel_html(request, kind, panel_query, state, labels)
                yield f'<div data-panel="{kind}">{html}</div>{PANEL_END}'

    response = StreamingHttpResponse(stream(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"      # a proxy (nginx) passes each panel on at once
    return response


@login_required
@require_GET
def report_page(request: HttpRequest, kind: str) -> HttpResponse:
    """A report on its own page with every table."""
    _staff(request)
    try:
        report = _run(request, kind)
    except EngineError as problem:
        messages.error(request, localize(problem.message))
        return redirect("controlling")
    calibrate = None
    if kind == "calibration" and report.params.get("process"):
        from salesflow.guidelines.calibration import may_calibrate

        if may_calibrate(request.user, report.params["process"]):
            calibrate = report.params["process"]
    labels = _labels()
    return render(request, "analytics/report.html", {
        "calibrate": calibrate,
        "kind": kind, "title": TITLES[kind], "report": report, "figures": _figures(report),
        "spec": _spec(report, labels), "report_title": localize(report.title), "notes": notes(report),
        "tables": [_table_context(report, name, labels) for name in report.tables],
        "querystring": urlencode(_query(request)), "summary": report.summary,
    })


@login_required
@require_GET
def report_csv(request: HttpRequest, kind: str) -> HttpResponse:
    """One table of a report as CSV (``?table=NAME``, default the main one)."""
    _staff(request)
    try:
        report = _run(request, kind)
        text = to_csv(report, request.GET.get("table") or None)
    except BadInput as problem:
        return HttpResponse(problem.message + "\n", status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    table = request.GET.get("table") or report.main
    response["Content-Disposition"] = f'attachment; filename="salesflow-{kind}-{table}.csv"'
    return response


@login_required
@require_GET
def report_chart(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A report's chart as SVG or PNG (rendered on the server by vl-convert)."""
    _staff(request)
    try:
        report = _run(request, kind)
    except BadInput as problem:
        return HttpResponse(problem.message + "\n", status=400, content_type="text/plain; charset=utf-8")
    content = render_spec(_web_spec(report), fmt, _chart_locale())
    response = HttpResponse(content, content_type="image/svg+xml" if fmt == "svg" else "image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="salesflow-{kind}.{fmt}"'
    return response


@login_required
@require_POST
def calibrate(request: HttpRequest, key: str) -> HttpResponse:
    """A draft version of the process with the calibration's suggested probabilities (the responsible role)."""
    from salesflow.guidelines.calibration import do_propose_calibrated_version

    _staff(request)
    try:
        version = do_propose_calibrated_version(key, request.user)
    except EngineError as problem:
        messages.error(request, localize(problem.message))
        return redirect(f"{reverse('controlling_report', args=['calibration'])}?{urlencode({'process': key})}")
    messages.success(request, _("Draft version %(version)s of %(process)s created with the suggested probabilities; "
                                "it goes through review and approval like any change.") % {
        "version": version.version, "process": key})
    return redirect("process", key=key)


def _target_input(data: Any) -> TargetInput:
    scope, value = data.get("scope", ""), data.get("value", "").strip()
    return TargetInput(period=data.get("period", ""), amount=data.get("amount", ""),
                       process=data.get("process") or None, team=value if scope == "team" else None,
                       owner=value if scope == "owner" else None, type=value if scope == "type" else None,
                       currency=data.get("currency") or corporate_currency())


@login_required
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    """The targets: list (filter by period), set or remove one (planners)."""
    _staff(request)
    period = request.GET.get("period", "").strip()
    if request.method == "POST":
        if not may_plan(request.user):
            raise PermissionDenied
        try:
            item = _target_input(request.POST)
            if request.POST.get("remove"):
                do_delete_target(item, request.user)
                messages.success(request, _("Target removed."))
            else:
                target = do_set_target(item, request.user)
                messages.success(request, _("Target %(period)s set: %(amount)s.") % {
                    "period": target.period, "amount": money(target.amount, target.currency)})
        except EngineError as problem:
            messages.error(request, localize(problem.message))
        return redirect(f"{request.path}?{urlencode({'period': period})}" if period else request.path)
    try:
        rows = list_targets(period or None)
    except EngineError as problem:
        messages.error(request, localize(problem.message))
        rows = list_targets()
    return render(request, "analytics/targets.html", {
        "targets": rows, "period": period, "may_plan": may_plan(request.user), "processes": _processes(),
        "corporate": corporate_currency(),
    })


@login_required
@require_POST
def targets_import(request: HttpRequest) -> HttpResponse:
    """Import targets from an uploaded CSV (all lines or none)."""
    _staff(request)
    if not may_plan(request.user):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file to import."))
        return redirect("controlling_targets")
    try:
        text = upload.read().decode("utf-8-sig")
        imported = import_targets_text(text, upload.name, request.user)
        messages.success(request, ngettext("%(count)d target imported from %(file)s.",
                                           "%(count)d targets imported from %(file)s.", len(imported))
                         % {"count": len(imported), "file": upload.name})
    except UnicodeDecodeError:
        messages.error(request, _("%(file)s: the file is not UTF-8 text.") % {"file": upload.name})
    except EngineError as problem:
        messages.error(request, localize(problem.message))
    return redirect("controlling_targets")
