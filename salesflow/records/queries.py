"""Record lists as every interface offers them: visible to the user, filtered, sorted, paged."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from salesflow.engine.errors import BadInput
from salesflow.engine.texts import N_
from salesflow.people import access
from salesflow.records.models import Record

#: Version columns a record list never needs (the parsed definition is cached by version id).
HEAVY_VERSION_COLUMNS = ("process_version__definition", "process_version__source")

#: Sort keys offered to users → ORM ordering.
SORTS: dict[str, list[str]] = {
    "id": ["id"], "-id": ["-id"],
    "title": ["title", "id"], "-title": ["-title", "-id"],
    "amount": ["amount", "id"], "-amount": ["-amount", "-id"],
    "close_date": ["close_date", "id"], "-close_date": ["-close_date", "-id"],
    "stage": ["stage", "id"], "-stage": ["-stage", "-id"],
    "updated": ["updated_at", "id"], "-updated": ["-updated_at", "-id"],
    "stage_entered": ["stage_entered_at", "id"], "-stage_entered": ["-stage_entered_at", "-id"],
}


@dataclass
class RecordFilter:
    """The filters of a record list; every field optional."""

    process: str | None = None
    stage: str | None = None
    owner: str | None = None          # user name
    team: str | None = None           # team name
    classification: str | None = None
    close_from: datetime.date | None = None
    close_to: datetime.date | None = None
    status: str | None = None         # open | won | lost | closed
    search: str | None = None         # in title and account
    sort: str = "-id"


def _date(value: Any, name: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise BadInput(N_("%(name)s: a date YYYY-MM-DD is expected, got %(value)s", name=name,
                          value=repr(str(value)[:40]))) from None


def filter_from_params(params: Any) -> RecordFilter:
    """Build a filter from query parameters (a dict or a QueryDict); bad values raise `BadInput`."""
    get = params.get
    sort = get("sort") or "-id"
    if sort not in SORTS:
        raise BadInput(N_("sort: one of %(allowed)s expected, got %(value)s", allowed=", ".join(SORTS),
                          value=repr(str(sort)[:40])))
    status = get("status") or None
    if status not in (None, "open", "won", "lost", "closed"):
        raise BadInput(N_("status: open, won, lost or closed expected, got %(value)s", value=repr(str(status)[:40])))
    return RecordFilter(
        process=get("process") or None, stage=get("stage") or None, owner=get("owner") or None,
        team=get("team") or None, classification=get("classification") or None,
        close_from=_date(get("close_from"), "close_from"), close_to=_date(get("close_to"), "close_to"),
        status=status, search=(get("q") or get("search") or "").strip() or None, sort=sort,
    )


def records_for(user: Any, flt: RecordFilter | None = None) -> QuerySet:
    """The records ``user`` may see, filtered and sorted."""
    query = access.visible_records(user, Record.objects.select_related("process", "process_version", "owner").defer(
        *HEAVY_VERSION_COLUMNS))
    return apply_filter(query, flt)


def apply_filter(query: QuerySet, flt: RecordFilter | None = None) -> QuerySet:
    """``query`` (records) filtered and sorted as ``flt`` says — no visibility rule (callers apply it)."""
    flt = flt or RecordFilter()
    if flt.process:
        query = query.filter(process__key=flt.process)
    if flt.stage:
        query = query.filter(stage=flt.stage)
    if flt.owner:
        query = query.filter(owner__username=flt.owner)
    if flt.team:
        query = query.filter(owner__teams__name=flt.team)
    if flt.classification:
        query = query.filter(classification=flt.classification)
    if flt.close_from:
        query = query.filter(close_date__gte=flt.close_from)
    if flt.close_to:
        query = query.filter(close_date__lte=flt.close_to)
    if flt.status == "open":
        query = query.filter(outcome="")
    elif flt.status == "closed":
        query = query.exclude(outcome="")
    elif flt.status in ("won", "lost"):
        query = query.filter(outcome=flt.status)
    if flt.search:
        query = query.filter(Q(title__icontains=flt.search) | Q(account__icontains=flt.search))
    return query.order_by(*SORTS.get(flt.sort, ["-id"]))
