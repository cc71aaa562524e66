"""``/api/coaching``: 1:1 meetings of managers with the people they manage, through `salesflow.coaching.services`.

A 1:1 is seen by its manager, its person, the manager's own manager and the library's oversight roles; only
the person's manager records one (403); an agreed action is marked done by its manager or its person.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from salesflow.api.errors import responses
from salesflow.api.schemas import MAX_ID
from salesflow.coaching import services
from salesflow.engine.errors import NotPermitted
from salesflow.people import access
from salesflow.records.services import get_user

router = Router(tags=["coaching"])
ActionId = Path(..., ge=1, le=MAX_ID, description="The agreed action's id.")


class AgreedActionOut(Schema):
    """An action agreed in a 1:1."""

    id: int
    text: str
    due: str
    done_at: str | None


class MeetingOut(Schema):
    """A 1:1 meeting with its agreed actions."""

    id: int
    manager: str
    person: str
    date: str
    notes: str
    actions: list[AgreedActionOut]


class AgreedActionIn(Schema):
    """An action agreed, with its due date."""

    text: Annotated[str, Field(min_length=1, max_length=500)]
    due: datetime.date


class MeetingIn(Schema):
    """A 1:1 held (by the caller, the person's manager)."""

    person: Annotated[str, Field(min_length=1, max_length=150)]
    date: datetime.date
    notes: Annotated[str, Field(max_length=10_000)] = ""
    actions: Annotated[list[AgreedActionIn], Field(max_length=20)] = []


class MeetingFilter(Schema):
    """Which 1:1s to list."""

    person: Annotated[str | None, Field(max_length=150)] = None


def _staff(user: Any) -> None:
    if not access.is_staff_member(user):
        raise NotPermitted("coaching is for sales staff: your user holds no role")


@router.get("/meetings", response=responses({200: list[MeetingOut]}, 400, 403, 404), summary="List 1:1 meetings",
            operation_id="list_meetings")
def list_meetings(request: HttpRequest, filters: Query[MeetingFilter]) -> list[dict[str, Any]]:
    """The 1:1s the caller may see, newest first (at most 500)."""
    _staff(request.auth)
    query = services.visible_meetings(request.auth).select_related("manager", "person").prefetch_related("actions")
    if filters.person:
        query = query.filter(person=get_user(filters.person))
    return [services.meeting_data(meeting) for meeting in query.order_by("-date", "-id")[:500]]


@router.post("/meetings", response=responses({201: MeetingOut}, 400, 403, 404), summary="Record a 1:1 held",
             operation_id="hold_meeting")
def hold_meeting(request: HttpRequest, payload: MeetingIn) -> Status:
    """Record a 1:1 the caller held with a person they manage (an event ``one_to_one_held``)."""
    _staff(request.auth)
    actions = [services.AgreedAction(item.text, item.due) for item in payload.actions]
    meeting = services.do_hold_meeting(request.auth, get_user(payload.person), payload.date, payload.notes.strip(),
                                       actions)
    return Status(201, services.meeting_data(meeting))


@router.post("/actions/{action_id}/done", response=responses({200: AgreedActionOut}, 400, 403, 404),
             summary="Mark an agreed action done", operation_id="complete_meeting_action")
def complete_action(request: HttpRequest, action_id: int = ActionId) -> dict[str, Any]:
    """Mark the action done (its manager or its person; an event ``one_to_one_action_done``)."""
    _staff(request.auth)
    action = services.do_complete_action(action_id, request.auth)
    return {"id": action.pk, "text": action.text, "due": action.due.isoformat(),
            "done_at": action.done_at.isoformat() if action.done_at else None}
