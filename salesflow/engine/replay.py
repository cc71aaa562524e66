"""Replay: a record's state rebuilt from its events alone, in log order.

One fold (`apply`) turns a record's events into the state they describe: stage, outcome, owner,
field values, probability override, what was done (activities, decisions, approvals,
delegations), its named members and its documents. It follows what each event's columns and
payload say and re-runs no rule of the process: an event is history, whatever today's rules are.

``audit verify`` compares the replayed state with the stored record (`differences`); the
analytics' value history (`salesflow.analytics.reports.tables.value_history`) reads the same
event kinds with the same meaning (`STAGE_EVENTS`, `FIELD_CHANGED`, …), so reports and records
agree on what the log says. Framework-free: no Django here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

#: The event kinds that change a record's state, and what they change.
RECORD_CREATED = "record_created"  # stage (to_stage), values, owner_id
STAGE_CHANGED = "stage_changed"  # stage (to_stage); clears the override and the outcome; payload.reopened
RECORD_CLOSED = "record_closed"  # outcome
FIELD_CHANGED = "field_changed"  # payload.field ← payload.new (``owner``: the owner's user id)
REVIEW_REOPENED = "review_reopened"  # payload.activities are no longer done
ACTIVITY_DONE = "activity_done"
DECISION_MADE = "decision_made"  # decision of stage from_stage
APPROVAL_GRANTED = "approval_granted"
APPROVAL_WITHDRAWN = "approval_withdrawn"  # a quote was revised: the approval of its earlier version no longer holds
PROBABILITY_OVERRIDDEN = "probability_overridden"  # payload.override
DELEGATED = "delegated"
DELEGATION_REVOKED = "delegation_revoked"
MEMBERS_CHANGED = "members_changed"  # payload.added / payload.removed (user names)
DOCUMENT_ADDED = "document_added"  # payload.document (id), name, version, sha256
#: A running record moved to a newer version of its process (`salesflow.engine.migration`): stage
#: (to_stage), payload.to_version; payload.dropped names what the new version no longer declares
#: (fields with their old values, activities, decisions, approvals, delegations); payload.override_cleared.
RECORD_MIGRATED = "record_migrated"
#: Events that put a record into a stage (its first one, or the next one).
STAGE_EVENTS = (RECORD_CREATED, STAGE_CHANGED)
#: Record fields kept in columns of their own (compared with the replayed values one by one).
COLUMN_FIELDS = ("title", "account", "amount", "currency", "close_date", "classification")


class EventFacts(NamedTuple):
    """What replay reads of one event (the columns of the event table it needs)."""

    seq: int
    record_id: int
    kind: str
    from_stage: str
    to_stage: str
    activity: str
    approval: str
    actor_id: int | None
    actor_name: str
    role: str
    payload: dict[str, Any]
    process_version: int | None = None  # the version number the event was written under


@dataclass
class DocumentFacts:
    """A document version as its ``document_added`` event recorded it."""

    name: str
    version: int
    sha256: str
    seq: int


@dataclass
class ReplayedRecord:
    """A record's state as its events tell it (see the module docstring)."""

    record_id: int
    created: bool = False
    stage: str = ""
    outcome: str = ""
    owner_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    probability_override: int | None = None
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    approvals: dict[str, dict[str, Any]] = field(default_factory=dict)
    delegations: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)
    documents: dict[int, DocumentFacts] = field(default_factory=dict)
    last_seq: int = 0
    #: The process version the record runs under: its ``record_created`` event's, then each migration's.
    process_version: int | None = None


def _payload(event: EventFacts) -> dict[str, Any]:
    return event.payload if isinstance(event.payload, dict) else {}


class StageFacts(NamedTuple):
    """What replay needs to know of the stage a record was created in."""

    outcome: str  # "" for an open stage
    probability: int  # the stage's default probability


def apply(state: ReplayedRecord, event: EventFacts, stage_facts: Any = None) -> None:
    """Apply one event to ``state`` (events of other kinds change nothing).

    ``stage_facts(stage) -> StageFacts | None`` (optional) tells the stage a record was *created*
    in: an imported closed record starts in its outcome stage without a ``record_closed`` event,
    and an imported record whose first probability differs from its stage's default starts with
    that probability as its override (the ``probability`` of ``record_created``). Later outcomes
    and overrides come from their own events.
    """
    kind = event.kind
    payload = _payload(event)
    state.last_seq = event.seq
    if kind == RECORD_CREATED:
        state.created = True
        state.stage = event.to_stage
        state.process_version = event.process_version
        state.values = {key: value for key, value in (payload.get("values") or {}).items() if value is not None}
        state.owner_id = payload.get("owner_id")
        facts = stage_facts(event.to_stage) if stage_facts else None
        state.outcome = facts.outcome if facts else ""
        probability = payload.get("probability")
        state.probability_override = (int(probability) if facts and probability is not None
                                      and int(probability) != facts.probability else None)
    elif kind == STAGE_CHANGED:
        state.stage = event.to_stage
        state.probability_override = None
        state.outcome = ""
        reopened = payload.get("reopened") or {}
        for activity in reopened.get("activities") or ():
            state.done.pop(activity, None)
        for stage in reopened.get("decisions") or ():
            state.decisions.pop(stage, None)
        for approval in reopened.get("approvals") or ():
            state.approvals.pop(approval, None)
    elif kind == RECORD_MIGRATED:
        _migrate(state, event, payload)
    elif kind == RECORD_CLOSED:
        state.outcome = str(payload.get("outcome") or "")
        if payload.get("close_date"):  # an outcome sets the close date to the day of the close
            state.values["close_date"] = payload["close_date"]
    elif kind == FIELD_CHANGED:
        name, new = payload.get("field"), payload.get("new")
        if name == "owner":
            state.owner_id = new
        elif name:
            if new is None:
                state.values.pop(name, None)
            else:
                state.values[name] = new
    elif kind == REVIEW_REOPENED:
        for activity in payload.get("activities") or ():
            state.done.pop(activity, None)
    elif kind == ACTIVITY_DONE:
        state.done[event.activity] = {"by": event.actor_id, "by_name": event.actor_name, "role": event.role}
    elif kind == DECISION_MADE:
        state.decisions[event.from_stage] = {"answer": payload.get("answer"), "by": event.actor_id,
                                             "by_name": event.actor_name, "role": event.role}
    elif kind == APPROVAL_GRANTED:
        state.approvals[event.approval] = {"by": event.actor_id, "by_name": event.actor_name, "role": event.role,
                                           "amount": payload.get("amount")}
    elif kind == APPROVAL_WITHDRAWN:
        state.approvals.pop(event.approval, None)
    elif kind == PROBABILITY_OVERRIDDEN:
        override = payload.get("override")
        state.probability_override = int(override) if override is not None else None
    elif kind == DELEGATED:
        for stage in payload.get("stages") or ():
            state.delegations[stage] = {"user_id": payload.get("to_user_id"), "name": payload.get("to_name")}
    elif kind == DELEGATION_REVOKED:
        for stage in payload.get("stages") or ():
            state.delegations.pop(stage, None)
    elif kind == MEMBERS_CHANGED:
        state.members.update(payload.get("added") or ())
        state.members.difference_update(payload.get("removed") or ())
    elif kind == DOCUMENT_ADDED and payload.get("document") is not None:
        state.documents[int(payload["document"])] = DocumentFacts(
            str(payload.get("name", "")), int(payload.get("version") or 0), str(payload.get("sha256", "")), event.seq)


def _migrate(state: ReplayedRecord, event: EventFacts, payload: dict[str, Any]) -> None:
    """A ``record_migrated`` event: the new version and stage; what the new version no longer declares goes."""
    state.stage = event.to_stage
    version = payload.get("to_version")
    state.process_version = int(version) if version is not None else event.process_version
    dropped = payload.get("dropped") or {}
    for name in dropped.get("fields") or {}:
        state.values.pop(name, None)
    for key, items in (("activities", state.done), ("decisions", state.decisions), ("approvals", state.approvals),
                       ("delegations", state.delegations)):
        for item in dropped.get(key) or ():
            items.pop(item, None)
    if payload.get("override_cleared"):
        state.probability_override = None


# --- comparing with a stored record -----------------------------------------------------------------

@dataclass(frozen=True)
class StoredRecord:
    """The stored columns of a record that replay can check (values without the column fields)."""

    record_id: int
    stage: str
    outcome: str
    owner_id: int | None
    title: str
    amount: Decimal | None
    currency: str
    close_date: str | None  # ISO date
    classification: str
    probability_override: int | None
    values: dict[str, Any]
    progress: dict[str, Any]
    members: frozenset[str] = frozenset()
    process_version: int | None = None  # the version number the record runs under


@dataclass(frozen=True)
class Difference:
    """One field where a stored record disagrees with its events."""

    record_id: int
    field: str
    stored: Any
    replayed: Any

    def message(self) -> str:
        """``record 17: amount is 999.00 in the record, its events say 120000``."""
        return (f"record {self.record_id}: {self.field} is {_show(self.stored)} in the record, "
                f"its events say {_show(self.replayed)}")

    def to_data(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"record": self.record_id, "field": self.field, "stored": _jsonable(self.stored),
                "replayed": _jsonable(self.replayed)}


def _show(value: Any) -> str:
    if value is None or value == "":
        return "empty"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(str(item) for item in sorted(value, key=str)) + "]" if value else "none"
    if isinstance(value, dict):
        return ", ".join(f"{key}={item}" for key, item in sorted(value.items())) or "none"
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value, key=str)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return value


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def differences(stored: StoredRecord, replayed: ReplayedRecord, *, default_classification: str = "internal",
                known_users: set[int] | None = None) -> list[Difference]:
    """Every field where ``stored`` disagrees with ``replayed`` (empty: they agree).

    ``default_classification`` is what a record created without one has (its guideline's);
    ``known_users``: an owner whose user was deleted is empty in the record but named by the events.
    """
    rid = stored.record_id
    found: list[Difference] = []

    def differ(name: str, stored_value: Any, replayed_value: Any) -> None:
        if stored_value != replayed_value:
            found.append(Difference(rid, name, stored_value, replayed_value))

    if not replayed.created:
        return [Difference(rid, "events", "a record", "no record_created event")]
    values = replayed.values
    differ("stage", stored.stage, replayed.stage)
    differ("outcome", stored.outcome or "", replayed.outcome or "")
    owner = replayed.owner_id
    if stored.owner_id is None and owner is not None and known_users is not None and owner not in known_users:
        owner = None  # the owner's user was deleted (the record keeps no owner; the events keep who it was)
    differ("owner", stored.owner_id, owner)
    differ("title", stored.title, values.get("title") or "")
    differ("amount", stored.amount, _amount(values.get("amount")))
    differ("currency", stored.currency, values.get("currency") or "EUR")
    differ("close_date", stored.close_date, values.get("close_date") or None)
    differ("classification", stored.classification, values.get("classification") or default_classification)
    differ("probability_override", stored.probability_override, replayed.probability_override)
    declared = {key: value for key, value in values.items() if key not in COLUMN_FIELDS}
    for name in sorted(set(declared) | set(stored.values)):
        differ(f"field {name}", stored.values.get(name), declared.get(name))
    progress = stored.progress or {}
    differ("done activities", sorted(progress.get("done") or {}), sorted(replayed.done))
    differ("decisions", {key: (item or {}).get("answer") for key, item in (progress.get("decisions") or {}).items()},
           {key: item.get("answer") for key, item in replayed.decisions.items()})
    differ("approvals", {key: _amount((item or {}).get("amount")) for key, item in
                         (progress.get("approvals") or {}).items()},
           {key: _amount(item.get("amount")) for key, item in replayed.approvals.items()})
    differ("delegations", {key: (item or {}).get("user_id") for key, item in
                           (progress.get("delegations") or {}).items()},
           {key: item.get("user_id") for key, item in replayed.delegations.items()})
    differ("members", set(stored.members), replayed.members)
    if stored.process_version is not None and replayed.process_version is not None:
        differ("process version", stored.process_version, replayed.process_version)
    return found
