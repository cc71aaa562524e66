"""Separation of duties declared by a process (``separation_of_duties``): who may not act together.

A rule names user fields (or ``owner``) that must hold different people — e.g. an internal audit's
``auditor`` and ``auditee``, so that nobody audits their own work (ISO 9001 9.2.2 c) — and activities
that the user a field names may not mark done. The engine checks the rules on every change of a record;
nothing here names a process.
"""

from __future__ import annotations

from typing import Any

from salesflow.engine.errors import NotPermitted
from salesflow.engine.state import Actor, RecordState
from salesflow.process.model import ProcessDefinition, SeparationRule


def _user_of(state: RecordState, field: str) -> Any:
    return state.owner_id if field == "owner" else state.values.get(field)


def _title(rule: SeparationRule) -> str:
    return rule.title.get_text("en") if rule.title else rule.id


def check_fields(definition: ProcessDefinition, state: RecordState) -> None:
    """Refuse a state in which two fields of a ``distinct`` rule name the same user."""
    for rule in definition.separation_of_duties:
        seen: dict[Any, str] = {}
        for field in rule.distinct:
            user = _user_of(state, field)
            if user in (None, ""):
                continue
            if user in seen:
                raise NotPermitted(f"separation of duties ({_title(rule)}): {seen[user]} and {field} must be "
                                   "different people")
            seen[user] = field


def check_activity(definition: ProcessDefinition, state: RecordState, actor: Actor, activity_id: str) -> None:
    """Refuse an activity done by the user a ``not_done_by`` rule names for it."""
    for rule in definition.separation_of_duties:
        barred = rule.not_done_by
        if barred is None or activity_id not in barred.activities or actor.user_id is None:
            continue
        if _user_of(state, barred.field) == actor.user_id:
            raise NotPermitted(f"separation of duties ({_title(rule)}): {actor.name} is the record's {barred.field} "
                               f"and may not do {activity_id}")
