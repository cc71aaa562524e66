"""The pipeline board: one column per stage with count, total and weighted amount, and the first cards.

Counts and sums are aggregated in SQL per stage over the records the user may see, the amounts in
the corporate currency at today's rates (a record in a currency without a rate is named, not added); each column
shows at most `CARDS_PER_COLUMN` cards and links to the filtered list for the rest, so the board
stays fast with ten thousand open records. Outcome columns show what was closed in the last
`CLOSED_DAYS` days (and are where a card is dropped to close it).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from salesflow.currency import orm as currency_orm
from salesflow.engine import actions
from salesflow.engine.errors import BadInput
from salesflow.engine.state import RecordState
from salesflow.lists.panel import list_tools
from salesflow.process.model import ProcessDefinition, Status
from salesflow.records import hygiene, queries, services
from salesflow.records.models import Process, ProcessVersion
from salesflow.web.i18n import localize
from salesflow.web.templatetags.salesflow_web import current_language
from salesflow.web.views.records import HEAVY, filter_options, row_of

CARDS_PER_COLUMN = 20
CLOSED_DAYS = 30
BOARD_FILTERS = ("owner", "team", "classification", "q")


def running_processes() -> list[Process]:
    """The processes with a version in force, by key (one query, whatever the size of the library)."""
    current = set(ProcessVersion.objects.filter(status=Status.approved.value, scheduled=False)
                  .values_list("process_id", flat=True))
    return [process for process in Process.objects.order_by("key") if process.pk in current]


def board_process(request: HttpRequest) -> tuple[Process | None, ProcessDefinition | None]:
    """The process the board shows: the one asked for, else the first opportunity process (the pipeline),
    else the first with an approved version."""
    processes = running_processes()
    wanted = request.GET.get("process")
    pipeline = next((item for item in processes if item.record_type == "opportunity"),
                    processes[0] if processes else None)
    process = next((item for item in processes if item.key == wanted), pipeline)
    if process is None:
        return None, None
    return process, services.definition_of(process.current_version())


def stage_sums(query: Any, factors: dict[str, Decimal]) -> dict[str, dict[str, Any]]:
    """Per stage: count, total amount, and the amount sums needed for the weighted amount (one query) — in the
    corporate currency at today's ``factors`` (a record in a currency without a rate adds nothing)."""
    amount = currency_orm.in_corporate(factors)
    weighted = ExpressionWrapper(amount * F("probability_override"),
                                 output_field=DecimalField(max_digits=32, decimal_places=2))
    rows = query.order_by().values("stage").annotate(
        count=Count("id"), total=Sum(amount),
        plain=Sum(amount, filter=Q(probability_override__isnull=True)),
        overridden=Sum(weighted, filter=Q(probability_override__isnull=False)),
    )
    return {row["stage"]: row for row in rows}


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The pipeline board of one process for the signed-in user."""
    language = current_language()
    process, definition = board_process(request)
    if process is None or definition is None:
        return render(request, "web/board.html", {"process": None, "columns": []})
    params = {name: request.GET.get(name, "") for name in BOARD_FILTERS}
    error = ""
    try:
        flt = queries.filter_from_params({**params, "process": process.key, "sort": "stage_entered"})
    except BadInput as refusal:
        error = localize(refusal.message)
        flt = queries.RecordFilter(process=process.key, sort="stage_entered")
    base = queries.records_for(request.user, flt).defer(*HEAVY)
    now = timezone.now()
    factors = currency_orm.factors_on(timezone.localdate(now))
    open_sums = stage_sums(base.filter(outcome=""), factors)
    closed_since = now - datetime.timedelta(days=CLOSED_DAYS)
    closed_sums = stage_sums(base.exclude(outcome="").filter(closed_at__gte=closed_since), factors)
    columns = []
    for stage in definition.stages:
        sums = (closed_sums if stage.is_outcome else open_sums).get(stage.id, {})
        total = sums.get("total") or Decimal(0)
        weighted = ((sums.get("plain") or Decimal(0)) * stage.probability + (sums.get("overridden") or Decimal(0))) / 100
        if stage.is_outcome:
            cards_query = base.filter(stage=stage.id, closed_at__gte=closed_since).order_by("-closed_at", "-id")
        else:
            cards_query = base.filter(stage=stage.id, outcome="")
        count = sums.get("count", 0)
        cards = hygiene.annotate_rows([row_of(record, language, now) for record in cards_query[:CARDS_PER_COLUMN]],
                                      now) if count else []
        list_params = {"process": process.key, "stage": stage.id,
                       "status": stage.outcome.value if stage.outcome else "open",
                       **{key: value for key, value in params.items() if value}}
        columns.append({
            "id": stage.id, "title": stage.display_title(language), "probability": stage.probability,
            "max_days": stage.max_days, "outcome": stage.outcome.value if stage.outcome else "",
            "count": count, "total": total, "weighted": weighted, "cards": cards,
            "more": max(0, count - len(cards)),
            "list_url": reverse("records") + "?" + urlencode(list_params),
            "targets": actions.allowed_targets(definition, RecordState(stage=stage.id)),
        })
    titles = {column["id"]: column["title"] for column in columns}
    for column in columns:
        column["target_options"] = [(target, titles[target]) for target in column["targets"]]
    open_columns = [column for column in columns if not column["outcome"]]
    summary = {
        "count": sum(column["count"] for column in open_columns),
        "total": sum((column["total"] for column in open_columns), Decimal(0)),
        "weighted": sum((column["weighted"] for column in open_columns), Decimal(0)),
        "currency": currency_orm.corporate(),
        "unconverted": currency_orm.unconverted(base.filter(outcome=""), factors),
    }
    return render(request, "web/board.html", {
        "process": process, "process_title": definition.title_text(language), "columns": columns,
        "summary": summary, "params": params, "error": error, "closed_days": CLOSED_DAYS,
        "options": filter_options(process.key, language),
        "processes": [(item.key, item.title_in(language)) for item in running_processes()],
        "board_url": request.get_full_path(),
        **list_tools(request, "board", {**params, "process": process.key}),
    }, status=400 if error else 200)
