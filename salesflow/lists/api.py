"""``/api/saved-filters``, ``/api/lists/{records,accounts}/export``, ``/api/audit/events``: the lists people use.

The same service functions as the web pages (`salesflow.lists.saved`, `.exports`, `.trail`): a saved
filter is the caller's own (another user's is 404); an export holds exactly what the list shows the
caller and is logged as a ``security.export`` event; the audit trail is for holders of the library
right ``audit_trail`` (403 for others) and leaves out events of records the caller may not see.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from salesflow.api.errors import responses
from salesflow.api.records import event_data, single_query_values
from salesflow.api.schemas import MAX_ID, MAX_OFFSET, MAX_PAGE, AccountQuery, IsoDate, RecordQuery, Text
from salesflow.engine.errors import NotPermitted
from salesflow.lists import exports, saved, trail
from salesflow.people import access
from salesflow.records import queries
from salesflow.web.templatetags.salesflow_web import current_language

filters_router = Router(tags=["lists"])
lists_router = Router(tags=["lists"])
audit_router = Router(tags=["audit"])

FilterId = Path(..., ge=1, le=MAX_ID, description="The saved filter's id.")
ListKey = Literal[tuple(saved.LISTS)]  # type: ignore[valid-type]
Format = Literal["csv", "xlsx"]


class SavedFilterIn(Schema):
    """A filter to save: the list, a name (the same name replaces it) and the list's query parameters."""

    list: ListKey
    name: Text = Field(max_length=saved.MAX_NAME)
    query: dict[str, Text] = Field(default_factory=dict, description="The list's query parameters, e.g. "
                                                                     '{"status": "won", "sort": "-amount"}.')


class SavedFilterOut(Schema):
    """A saved filter; ``url`` opens the list with it."""

    id: int
    list: str
    name: str
    query: dict[str, str]
    url: str
    created_at: datetime.datetime


class TrailQuery(Schema):
    """Filters and page of the audit trail; every filter optional."""

    user: Text | None = Field(default=None, description="The acting user's user name.")
    record: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    process: Text | None = Field(default=None, description="Process key.")
    kind: Text | None = Field(default=None, description="Event kind, e.g. stage_changed or security.export.")
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    limit: int = Field(default=100, ge=1, le=MAX_PAGE)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class TrailExportQuery(TrailQuery):
    """The audit trail's filters and the file format."""

    format: Format = "csv"


class RecordExportQuery(RecordQuery):
    """The record list's filters (as ``GET /api/records``) and the file format."""

    format: Format = "csv"


class AccountExportQuery(AccountQuery):
    """The account list's filters (as ``GET /api/accounts``) and the file format."""

    format: Format = "csv"


class TrailEventOut(Schema):
    """One event of the audit trail."""

    seq: int
    at: datetime.datetime
    kind: str
    record: int | None
    process: str
    from_stage: str
    to_stage: str
    activity: str
    approval: str
    actor: str
    role: str
    payload: dict[str, Any]
    imported: bool


class TrailPage(Schema):
    """One page of the audit trail, newest first."""

    count: int
    limit: int
    offset: int
    items: list[TrailEventOut]


def _staff(user: Any) -> None:
    if not access.is_staff_member(user):
        raise NotPermitted("your roles do not allow this")


def _browsing(user: Any) -> None:
    if not trail.may_browse(user):
        raise NotPermitted(f"browsing the audit trail needs the library right {trail.TRAIL_RIGHT}")


def _params(query: Schema, *left_out: str) -> dict[str, Any]:
    return {name: getattr(value, "value", value) for name, value in query.dict().items()
            if value is not None and name not in left_out}


def _download(download: exports.Download) -> HttpResponse:
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.name}"'
    response["X-Row-Count"] = str(download.rows)
    return response


# --- saved filters -------------------------------------------------------------------------------

@filters_router.get("", response=responses({200: list[SavedFilterOut]}, 400, 403), summary="List your saved filters",
                    operation_id="list_saved_filters")
def list_saved_filters(request: HttpRequest, list: ListKey | None = None) -> list[dict[str, Any]]:  # noqa: A002
    """The caller's saved filters (of one list, or of all), by name."""
    _staff(request.auth)
    found = saved.SavedFilter.objects.filter(user=request.auth)
    if list:
        found = found.filter(list=list)
    return [saved.filter_data(item) for item in found.order_by("list", "name", "id")]


@filters_router.post("", response=responses({201: SavedFilterOut}, 400, 403), summary="Save a filter",
                     operation_id="save_filter")
def save_filter(request: HttpRequest, payload: SavedFilterIn) -> Status:
    """Save the filter under a name (the same name replaces it); its parameters are checked as the list checks them."""
    _staff(request.auth)
    item = saved.do_save_filter(request.auth, payload.list, payload.name, payload.query)
    return Status(201, saved.filter_data(item))


@filters_router.delete("/{filter_id}", response=responses({200: SavedFilterOut}, 400, 404),
                       summary="Delete a saved filter", operation_id="delete_saved_filter")
def delete_saved_filter(request: HttpRequest, filter_id: int = FilterId) -> dict[str, Any]:
    """Delete one of the caller's saved filters; answers the filter as it was."""
    item = saved.do_delete_filter(request.auth, filter_id)
    return saved.filter_data(item)


# --- exports and the audit trail -----------------------------------------------------------------

@lists_router.get("/records/export", response=responses({200: None}, 400, 403), summary="Export the record list",
                  operation_id="export_record_list")
def export_record_list(request: HttpRequest, query: Query[RecordExportQuery]) -> HttpResponse:
    """The records ``GET /api/records`` lists with the same filters and sort, as CSV or xlsx (logged)."""
    single_query_values(request)
    _staff(request.auth)
    flt = queries.filter_from_params(_params(query, "format"))
    return _download(exports.export_records(request.auth, flt, query.format, current_language(), request=request,
                                            via="api"))


@lists_router.get("/accounts/export", response=responses({200: None}, 400, 403), summary="Export the account list",
                  operation_id="export_account_list")
def export_account_list(request: HttpRequest, query: Query[AccountExportQuery]) -> HttpResponse:
    """The accounts ``GET /api/accounts`` lists with the same filters and sort, as CSV or xlsx (logged)."""
    from salesflow.accounts.overview import AccountFilter

    single_query_values(request)
    _staff(request.auth)
    flt = AccountFilter(segment=query.segment or "", q=(query.q or "").strip(), customer=query.customer or "",
                        sort=query.sort)
    return _download(exports.export_accounts(request.auth, flt, query.format, request=request, via="api"))


@audit_router.get("/events", response=responses({200: TrailPage}, 400, 403), summary="Browse the audit trail",
                  operation_id="list_audit_events")
def list_audit_events(request: HttpRequest, query: Query[TrailQuery]) -> dict[str, Any]:
    """Events of the chain, newest first, filtered; events of records the caller may not see are left out."""
    single_query_values(request)
    _browsing(request.auth)
    flt = trail.filter_from_params(_params(query, "limit", "offset"))
    found = trail.events_for(request.auth, flt)
    shown = list(found[query.offset:query.offset + query.limit])
    payloads = trail.reader_view(shown, request.auth)
    items = [{**event_data(event, payloads[event.seq]), "record": event.record_id, "process": event.process}
             for event in shown]
    return {"count": found.count(), "limit": query.limit, "offset": query.offset, "items": items}


@audit_router.get("/events/export", response=responses({200: None}, 400, 403), summary="Export the audit trail",
                  operation_id="export_audit_events")
def export_audit_events(request: HttpRequest, query: Query[TrailExportQuery]) -> HttpResponse:
    """The filtered audit trail as CSV or xlsx (logged as a ``security.export`` event)."""
    single_query_values(request)
    _browsing(request.auth)
    flt = trail.filter_from_params(_params(query, "limit", "offset", "format"))
    return _download(exports.export_events(request.auth, flt, query.format, request=request, via="api"))
