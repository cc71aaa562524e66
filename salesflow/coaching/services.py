"""Domain actions of coaching, each writing its change and its event in one transaction, and who sees what.

- `do_set_manager`: who manages (and coaches) a user (``manager_set``);
- `do_hold_meeting`: a 1:1 the manager held with a person they manage, with notes and agreed actions
  (``one_to_one_held``); the actions show on both people's My work until done;
- `do_complete_action`: one of both marks an agreed action done (``one_to_one_action_done``).

A 1:1 is seen by its manager, its person, the manager's own manager and the oversight roles of the library.
The cadence (days between 1:1s) comes from the library settings' ``coaching`` section.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from salesflow.coaching.models import Action, Meeting
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.people import access
from salesflow.process.library_settings import CoachingSection
from salesflow.records import eventlog
from salesflow.records.services import NotFound, actorship, refuse_read_only

#: The library right to set who manages whom (library settings ``rights``).
ASSIGN_MANAGERS = "assign_managers"
MAX_NOTES = 10_000
MAX_ACTIONS = 20
MAX_ACTION_TEXT = 500


@dataclass(frozen=True)
class AgreedAction:
    """An action agreed in a 1:1 (input of `do_hold_meeting`)."""

    text: str
    due: datetime.date


def parse_actions(text: str) -> list[AgreedAction]:
    """Agreed actions from lines ``YYYY-MM-DD text`` (blank lines skipped); `BadInput` names the bad line."""
    actions = []
    for number, line in enumerate(str(text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        due_text, _sep, rest = line.partition(" ")
        try:
            due = datetime.date.fromisoformat(due_text)
        except ValueError:
            raise BadInput(f"actions, line {number}: 'YYYY-MM-DD what to do' expected, got {line[:80]!r}") from None
        actions.append(AgreedAction(rest.strip(), due))
    return actions


def meeting_data(meeting: Meeting) -> dict[str, Any]:
    """JSON-ready data of a 1:1 with its agreed actions (the CLI's ``--json`` and the API)."""
    return {"id": meeting.pk, "manager": meeting.manager.username, "person": meeting.person.username,
            "date": meeting.date.isoformat(), "notes": meeting.notes,
            "actions": [{"id": action.pk, "text": action.text, "due": action.due.isoformat(),
                         "done_at": action.done_at.isoformat() if action.done_at else None}
                        for action in meeting.actions.all()]}


def cadence() -> CoachingSection:
    """The coaching section of the library settings in force (the defaults without one)."""
    return access.policy().settings.coaching


def do_set_manager(person: Any, manager: Any | None, by: Any | None = None) -> Any:
    """Set (or clear, with None) who manages ``person``; refuses a cycle (nobody manages their own manager)."""
    if by is not None and not (by.is_superuser or access.has_right(by, ASSIGN_MANAGERS)):
        raise NotPermitted(f"{by.display_name} may not set who manages whom")
    if by is not None:
        refuse_read_only(by)
    if manager is not None:
        chain, current = set(), manager
        while current is not None and current.pk not in chain:
            if current.pk == person.pk:
                raise BadInput(f"{manager.username} cannot manage {person.username}: "
                               f"{person.username} manages {manager.username} (directly or indirectly)")
            chain.add(current.pk)
            current = current.manager
    with transaction.atomic():
        person.manager = manager
        person.save(update_fields=["manager"])
        eventlog.append([EventDraft(kind="manager_set", payload={
            "user_id": person.pk, "username": person.username,
            "manager_id": manager.pk if manager else None, "manager": manager.username if manager else None})],
            actor=actorship(by), at=timezone.now())
    return person


def do_hold_meeting(manager: Any, person: Any, date: datetime.date, notes: str = "",
                    actions: list[AgreedAction] | None = None, at: datetime.datetime | None = None) -> Meeting:
    """Record a 1:1 ``manager`` held with ``person`` (only their manager may), with notes and agreed actions."""
    refuse_read_only(manager)
    if person.manager_id != manager.pk:
        raise NotPermitted(f"{manager.username} is not the manager of {person.username}")
    actions = list(actions or [])
    at = at or timezone.now()
    if date > at.date():
        raise BadInput(f"date: a 1:1 is recorded once held; {date.isoformat()} is in the future")
    if len(notes) > MAX_NOTES:
        raise BadInput(f"notes: at most {MAX_NOTES} characters, got {len(notes)}")
    if len(actions) > MAX_ACTIONS:
        raise BadInput(f"actions: at most {MAX_ACTIONS}, got {len(actions)}")
    for number, action in enumerate(actions, 1):
        if not action.text.strip():
            raise BadInput(f"action {number}: the text is empty")
        if len(action.text) > MAX_ACTION_TEXT:
            raise BadInput(f"action {number}: at most {MAX_ACTION_TEXT} characters, got {len(action.text)}")
        if action.due < date:
            raise BadInput(f"action {number}: due {action.due.isoformat()} is before the meeting "
                           f"({date.isoformat()})")
    with transaction.atomic():
        meeting = Meeting.objects.create(manager=manager, person=person, date=date, notes=notes, created_at=at)
        created = [Action.objects.create(meeting=meeting, text=action.text.strip(), due=action.due)
                   for action in actions]
        eventlog.append([EventDraft(kind="one_to_one_held", payload={
            "meeting_id": meeting.pk, "manager_id": manager.pk, "person_id": person.pk, "date": date.isoformat(),
            "notes": notes, "actions": [{"id": item.pk, "text": item.text, "due": item.due.isoformat()}
                                        for item in created]})], actor=actorship(manager), at=at)
    return meeting


def do_complete_action(action_id: int, user: Any, at: datetime.datetime | None = None) -> Action:
    """Mark an agreed action done (its manager or its person may)."""
    refuse_read_only(user)
    at = at or timezone.now()
    with transaction.atomic():
        action = Action.objects.select_for_update().select_related("meeting").filter(pk=action_id).first()
        if action is None or user.pk not in (action.meeting.manager_id, action.meeting.person_id):
            raise NotFound(f"no action {action_id} of a 1:1 of yours")
        if action.done_at is not None:
            return action
        action.done_at, action.done_by = at, user
        action.save(update_fields=["done_at", "done_by"])
        eventlog.append([EventDraft(kind="one_to_one_action_done", payload={
            "action_id": action.pk, "meeting_id": action.meeting_id, "text": action.text})],
            actor=actorship(user), at=at)
    return action


# --- who sees what --------------------------------------------------------------------------------

def sees_everyone(user: Any | None) -> bool:
    """True for no user (the CLI), superusers and the library's oversight roles."""
    return user is None or user.is_superuser or access.is_oversight(user)


def visible_meetings(user: Any | None, queryset: QuerySet | None = None) -> QuerySet:
    """The 1:1s ``user`` may see: their own (as manager or person), those of people they manage, and all for
    oversight roles."""
    query = queryset if queryset is not None else Meeting.objects.all()
    if sees_everyone(user):
        return query
    return query.filter(Q(manager=user) | Q(person=user) | Q(manager__manager=user))


def may_coach_view(viewer: Any, person: Any) -> bool:
    """True when ``viewer`` may see ``person``'s coaching page: the person, their manager (or the manager's
    manager), or an oversight role."""
    if viewer.pk == person.pk or sees_everyone(viewer):
        return True
    manager = person.manager
    return manager is not None and (manager.pk == viewer.pk or manager.manager_id == viewer.pk)


def open_actions(user: Any) -> QuerySet:
    """The agreed actions still open that concern ``user`` (as manager or as person), the earliest due first."""
    return (Action.objects.filter(done_at__isnull=True)
            .filter(Q(meeting__manager=user) | Q(meeting__person=user))
            .select_related("meeting__manager", "meeting__person").order_by("due", "id"))


def people_managed_by(user: Any) -> QuerySet:
    """The active users ``user`` manages."""
    from salesflow.people.models import User

    return User.objects.filter(manager=user, is_active=True).order_by("username")
