"""Hand-offs: what a record passes to the next process when it enters a stage (lead → opportunity → order …)."""

from __future__ import annotations

import datetime
from typing import Any

from salesflow.engine.state import RecordState
from salesflow.process.model import Classification, Handoff, ProcessDefinition, Schedule

#: Classification levels, lowest first: a handed-over record is never less protected than its source.
_LEVELS = [item.value for item in Classification]


def handoff_values(handoff: Handoff, state: RecordState, target: ProcessDefinition) -> dict[str, Any]:
    """The target record's raw field values: mapped source fields and '=' literals; title and classification kept."""
    values: dict[str, Any] = {}
    for name, source in handoff.fields.items():
        value = source[1:] if source.startswith("=") else state.values.get(source)
        if value not in (None, ""):
            values[name] = value
    values.setdefault("title", state.values.get("title"))
    source_level = state.values.get("classification") or Classification.internal.value
    target_level = target.guideline.classification.value
    values["classification"] = max(source_level, target_level, key=_LEVELS.index)
    if "currency" not in values and state.values.get("currency"):
        values["currency"] = state.values["currency"]
    return values


def handoff_account(handoff: Handoff, state: RecordState) -> tuple[str, str]:
    """The company name and e-mail/domain the hand-off's account is found or created by."""
    if handoff.account is None:
        return "", ""
    name = str(state.values.get(handoff.account.name) or "").strip()
    domain = str(state.values.get(handoff.account.domain) or "").strip() if handoff.account.domain else ""
    return name, domain


def handoff_contact(handoff: Handoff, state: RecordState) -> dict[str, str]:
    """The contact's fields taken from the source record (empty when the hand-off creates none)."""
    if handoff.contact is None:
        return {}
    result = {}
    for key, source in handoff.contact.model_dump().items():
        if source and state.values.get(source) not in (None, ""):
            result[key] = str(state.values[source]).strip()
    return result


def schedule_due(schedule: Schedule, state: RecordState) -> datetime.date | None:
    """The date a schedule counts towards for a record (None when its date field is empty or invalid)."""
    text = state.values.get(schedule.date_field)
    if not text:
        return None
    try:
        due = datetime.date.fromisoformat(str(text))
    except ValueError:
        return None
    if schedule.minus_days_field:
        try:
            due -= datetime.timedelta(days=int(float(state.values.get(schedule.minus_days_field) or 0)))
        except (TypeError, ValueError, OverflowError):
            return None
    return due


def due_steps(schedule: Schedule, due: datetime.date, today: datetime.date) -> list[str]:
    """The firings that are due today: each ``days_before`` reached (as text), and 'breach' once past due."""
    steps = [str(days) for days in sorted(schedule.days_before, reverse=True) if today >= due - datetime.timedelta(days=days)]
    if schedule.breach and today > due:
        steps.append("breach")
    return steps
