"""``/api/activities`` and ``/api/tasks``: the activity log and tasks on records, accounts and contacts.

The same service functions as the web forms and ``salesflow activity|task`` (`salesflow.activities.services`):
each change is an event in the chain; a record you may not see, and its activities, do not exist for you
(404, never listed nor counted). Auditors read but never write (403).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile

from salesflow.activities import services
from salesflow.activities.models import KINDS, LOGGED_KINDS
from salesflow.activities.parsing import MAX_FILE_BYTES
from salesflow.api.errors import responses
from salesflow.api.records import single_query_values
from salesflow.api.schemas import MAX_ID, MAX_OFFSET, MAX_PAGE, IsoDate, Text
from salesflow.engine.errors import BadInput
from salesflow.records.services import get_user

router = Router(tags=["activities"])
tasks_router = Router(tags=["activities"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ActivityId = Path(..., ge=1, le=MAX_ID, description="The activity's (or task's) id.")


class LoggedActivityOut(Schema):
    """A logged call, meeting, e-mail or note — or a task."""

    id: int
    kind: str
    subject: str
    body: str
    at: datetime.datetime
    duration_minutes: int | None
    outcome: str
    next_step: str
    participants: str
    record: int | None
    account: int | None
    contact: int | None
    owner: str | None
    owner_name: str
    logged_by: str
    due_date: datetime.date | None
    remind_on: datetime.date | None
    done_at: datetime.datetime | None
    done_by: str | None
    source: str | None
    source_id: str | None


class LoggedActivityPage(Schema):
    """One page of activities, newest first (open tasks: due date first)."""

    count: int
    limit: int
    offset: int
    items: list[LoggedActivityOut]


class ActivityTarget(Schema):
    """What it is about: a record, an account or a contact (at least one)."""

    record: Id | None = None
    account: Id | None = None
    contact: Id | None = None


class LoggedActivityIn(ActivityTarget):
    """Logged work: who (owner, default you), when (``at``, ISO 8601, default now), duration, outcome, next step."""

    kind: Literal[LOGGED_KINDS]  # type: ignore[valid-type]
    subject: Text = Field(min_length=1, max_length=300)
    at: Text | None = Field(None, max_length=40, examples=["2026-12-04T10:30:00+01:00"])
    duration_minutes: Annotated[int, Field(ge=0, le=services.MAX_MINUTES)] | None = None
    outcome: Text = Field("", max_length=500)
    next_step: Text = Field("", max_length=500)
    notes: Text = Field("", max_length=20_000)
    participants: Text = Field("", max_length=5000)
    owner: Text | None = Field(None, max_length=150, description="User name; default: you.")


class LoggedTaskIn(ActivityTarget):
    """A task: owner (default you), due date, reminder day (the owner is reminded by the scheduled job)."""

    subject: Text = Field(min_length=1, max_length=300)
    owner: Text | None = Field(None, max_length=150)
    due: IsoDate | None = None
    remind_on: IsoDate | None = None
    notes: Text = Field("", max_length=20_000)


class LoggedTaskDoneIn(Schema):
    """An optional note on what was done."""

    note: Text = Field("", max_length=2000)


class LoggedActivityQuery(Schema):
    """Filters of the activity list."""

    record: Id | None = None
    account: Id | None = None
    contact: Id | None = None
    kind: Literal[KINDS] | None = None  # type: ignore[valid-type]
    since: IsoDate | None = Field(None, description="From this day.")
    until: IsoDate | None = Field(None, description="Before this day.")
    owner: Text | None = Field(None, max_length=150, description="User name.")
    open_tasks: bool = Field(False, description="Only tasks not done.")
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 100
    offset: Annotated[int, Field(ge=0, le=MAX_OFFSET)] = 0


def _target(request: HttpRequest, payload: ActivityTarget) -> services.Target:
    return services.resolve_target(request.auth, payload.record, payload.account, payload.contact)


def _page(query: Any, limit: int, offset: int) -> dict[str, Any]:
    return {"count": query.count(), "limit": limit, "offset": offset,
            "items": [services.activity_data(item) for item in query[offset:offset + limit]]}


@router.get("", response=responses({200: LoggedActivityPage}, 400, 403, 404), summary="List activities and tasks",
            operation_id="list_activities")
def list_activities(request: HttpRequest, query: Query[LoggedActivityQuery]) -> dict[str, Any]:
    """Logged work and tasks you may see (of a record, an account — its records', contacts' and own —, a contact)."""
    single_query_values(request)
    owner = get_user(query.owner) if query.owner else None
    found = services.activities_for(
        request.auth, record=query.record, account=query.account, contact=query.contact, kind=query.kind or "",
        since=services.parse_moment(query.since), until=services.parse_moment(query.until),
        open_tasks=query.open_tasks, owner=owner)
    return _page(found, query.limit, query.offset)


@router.post("", response=responses({201: LoggedActivityOut}, 400, 403, 404), summary="Log a call, meeting, e-mail or note",
             operation_id="log_activity")
def log_activity(request: HttpRequest, payload: LoggedActivityIn) -> Status:
    """Log work on a record, account or contact; an ``activity_logged`` event is appended to the chain."""
    activity = services.do_log_activity(
        request.auth, _target(request, payload), payload.kind, payload.subject, at=payload.at,
        duration=payload.duration_minutes, outcome=payload.outcome, next_step=payload.next_step, body=payload.notes,
        participants=payload.participants, owner=payload.owner)
    return Status(201, services.activity_data(activity))


@router.post("/import", response=responses({201: list[LoggedActivityOut]}, 400, 403, 404, 409),
             summary="Import an e-mail (.eml) or a calendar invitation (.ics)", operation_id="import_activity")
def import_activity(request: HttpRequest, file: File[UploadedFile], record: Form[Id | None] = None,
                    account: Form[Id | None] = None, contact: Form[Id | None] = None) -> Status:
    """Log the e-mail or the invitation's meetings (multipart ``file``). A bad file is 400 naming it and the
    problem; the same Message-ID / UID on the same target again is 409; nothing is written then."""
    target = services.resolve_target(request.auth, record, account, contact)
    if file.size and file.size > MAX_FILE_BYTES:
        raise BadInput(f"{file.name}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; nothing was imported")
    created = services.do_import_file(request.auth, target, file.name or "upload", file.read())
    return Status(201, [services.activity_data(item) for item in created])


@router.get("/{activity_id}", response=responses({200: LoggedActivityOut}, 400, 404), summary="Read an activity",
            operation_id="get_activity")
def get_activity(request: HttpRequest, activity_id: int = ActivityId) -> dict[str, Any]:
    """One activity or task you may see."""
    return services.activity_data(services.get_activity(request.auth, activity_id))


@tasks_router.get("", response=responses({200: LoggedActivityPage}, 400, 403), summary="List tasks",
                  operation_id="list_tasks")
def list_tasks(request: HttpRequest, mine: bool = False, done: bool = False,
               limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 100,
               offset: Annotated[int, Field(ge=0, le=MAX_OFFSET)] = 0) -> dict[str, Any]:
    """Open tasks you may see (``mine=true``: yours; ``done=true``: done ones too), due date first."""
    single_query_values(request)
    found = services.activities_for(request.auth, kind="task", open_tasks=not done,
                                    owner=request.auth if mine else None)
    return _page(found, limit, offset)


@tasks_router.post("", response=responses({201: LoggedActivityOut}, 400, 403, 404), summary="Add a task",
                   operation_id="add_task")
def add_task(request: HttpRequest, payload: LoggedTaskIn) -> Status:
    """Add a task; a ``task_added`` event is appended (and the owner notified when it is someone else)."""
    task = services.do_add_task(request.auth, _target(request, payload), payload.subject, due=payload.due,
                                remind_on=payload.remind_on, owner=payload.owner, body=payload.notes)
    return Status(201, services.activity_data(task))


@tasks_router.post("/{task_id}/done", response=responses({200: LoggedActivityOut}, 400, 403, 404, 409),
                   summary="Mark a task done", operation_id="complete_task")
def complete_task(request: HttpRequest, payload: LoggedTaskDoneIn,
                  task_id: int = Path(..., ge=1, le=MAX_ID, description="The task's id.")) -> dict[str, Any]:
    """Mark a task done (a ``task_done`` event); done already is 409."""
    return services.activity_data(services.do_complete_task(request.auth, task_id, payload.note))
