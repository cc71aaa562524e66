"""Actions of a record become tasks (ISO 9001 9.3.3: a management review's actions are followed up).

The library settings name, per kind of record, the text field holding its actions
(``quality.actions_to_tasks``, e.g. a management review's actions). Each line of that field is
``OWNER: what [YYYY-MM-DD]``: OWNER is a username or a person's full name, the date (if any) is the
due date. `do_actions_to_tasks` turns every line not yet a task into a task on the record — owned by
the person named, so it shows on their My work — and appends one ``actions_became_tasks`` event naming
the tasks and their lines, all in one transaction: a bad line, an unknown person or one who may not see
the record changes nothing. Running it again adds only the lines added since.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from salesflow.engine import authority
from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.people import access
from salesflow.records import eventlog

#: The event appended on the record.
ACTIONS_BECAME_TASKS = "actions_became_tasks"
#: The most actions one run turns into tasks.
MAX_ACTIONS = 50
_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


@dataclass(frozen=True)
class Action:
    """One line of the actions field."""

    line: int
    owner: str
    subject: str
    due: datetime.date | None


def parse_actions(text: str) -> list[Action]:
    """The actions of a text, one a line (``OWNER: what [YYYY-MM-DD]``); raises BadInput naming the line."""
    actions = []
    for number, raw in enumerate(str(text or "").splitlines(), start=1):
        line = _BULLET.sub("", raw).strip()
        if not line:
            continue
        owner, sep, what = line.partition(":")
        if not sep or not owner.strip() or not what.strip():
            raise BadInput(f"actions line {number}: expected 'OWNER: what [YYYY-MM-DD]', got {line[:100]!r}")
        dates = _DATE.findall(what)
        due = None
        if dates:
            try:
                due = datetime.date.fromisoformat(dates[-1])
            except ValueError:
                raise BadInput(f"actions line {number}: {dates[-1]!r} is no date (YYYY-MM-DD)") from None
        actions.append(Action(number, owner.strip(), what.strip()[:300], due))
    if len(actions) > MAX_ACTIONS:
        raise BadInput(f"actions: at most {MAX_ACTIONS} lines at once, got {len(actions)}")
    return actions


def actions_field(record: Any) -> str:
    """The record's text field of actions (library settings ``quality.actions_to_tasks``); BadInput if none."""
    kind = record.process.record_type
    for item in access.policy().settings.quality.actions_to_tasks:
        if item.record == kind:
            return item.field
    raise BadInput(f"records of the kind {kind} have no actions that become tasks "
                   "(library settings quality.actions_to_tasks)")


def _person(name: str, line: int) -> Any:
    from salesflow.people.models import User

    people = User.objects.filter(is_active=True).exclude(roles=None).distinct()
    found = list(people.filter(username=name)) or [
        person for person in people.filter(Q(last_name__iexact=name.split()[-1]))
        if person.display_name.casefold() == name.casefold()]
    if len(found) != 1:
        problem = "no active user" if not found else "more than one user"
        raise BadInput(f"actions line {line}: {problem} named {name[:100]!r} (a username or a full name)")
    return found[0]


def _refuse(user: Any, record: Any) -> None:
    from salesflow.records.services import actor_for, definition_of, refuse_read_only

    refuse_read_only(user)
    definition = definition_of(record.process_version)
    if authority.editor_role(definition, record.to_state(), actor_for(user)) is None:
        raise NotPermitted(f"{user.username} may not change record {record.pk}: its actions become tasks by those "
                           "who may edit it")


def do_actions_to_tasks(record_id: Any, user: Any, now: datetime.datetime | None = None) -> list[Any]:
    """Turn the record's actions into tasks on it (those not yet tasks); returns the new tasks.

    Raises NotFound (a record ``user`` may not see), NotPermitted (may not edit it), BadInput (a bad line,
    an unknown person, one who may not see the record), Conflict (no actions, or every one is a task).
    """
    from salesflow.activities.models import TASK, Activity
    from salesflow.activities.services import Target, do_add_task
    from salesflow.records.services import actorship, get_record

    record = get_record(record_id, user)
    _refuse(user, record)
    field = actions_field(record)
    actions = parse_actions(record.values.get(field) or "")
    if not actions:
        raise Conflict(f"record {record.pk} has no actions yet (field {field})")
    owners = {action.line: _person(action.owner, action.line) for action in actions}
    existing = set(Activity.objects.filter(record=record, kind=TASK).values_list("owner_id", "subject"))
    now = now or timezone.now()
    created, rows = [], []
    with transaction.atomic():
        for action in actions:
            owner = owners[action.line]
            if (owner.pk, action.subject) in existing:
                continue
            if not access.can_view(owner, record):
                raise BadInput(f"actions line {action.line}: {owner.username} may not see record {record.pk}")
            task = do_add_task(user, Target(record=record, account=record.customer), action.subject,
                               due=action.due, owner=owner.username,
                               body=f"{record.title} ({field}, line {action.line})", now=now)
            created.append(task)
            rows.append({"line": action.line, "activity": task.pk, "owner": owner.pk, "owner_name": owner.display_name,
                         "due": action.due.isoformat() if action.due else None})
        if not created:
            raise Conflict(f"every action of record {record.pk} is already a task")
        eventlog.append([EventDraft(kind=ACTIONS_BECAME_TASKS, from_stage=record.stage,
                                    payload={"field": field, "tasks": rows})],
                        actor=actorship(user), at=now, record_id=record.pk, process=record.process.key,
                        process_version=record.process_version.version)
    return created


def actions_panel(record: Any, user: Any, language: str) -> dict[str, Any] | None:
    """What the record page shows about its actions becoming tasks (None: its kind has no actions field)."""
    from salesflow.activities.models import TASK, Activity
    from salesflow.records.services import actor_for, definition_of

    try:
        field = actions_field(record)
    except BadInput:
        return None
    definition = definition_of(record.process_version)
    declared = definition.fields.get(field)
    may = (not access.is_read_only(user) and record.outcome == ""
           and authority.editor_role(definition, record.to_state(), actor_for(user)) is not None)
    tasks = list(Activity.objects.filter(record=record, kind=TASK).order_by("id"))
    try:
        lines = parse_actions(record.values.get(field) or "")
    except BadInput:
        lines = []  # a bad line: the button names it when pressed
        pending = True
    else:
        pending = any(line.subject not in {task.subject for task in tasks} for line in lines)
    return {"field": declared.title.get_text(language) if declared is not None and declared.title else field,
            "has_actions": bool(str(record.values.get(field) or "").strip()), "may": may and pending,
            "tasks": [{"subject": task.subject, "owner": task.owner_name, "due": task.due_date,
                       "done": task.done_at is not None} for task in tasks]}
