"""What the engine knows of a record and of the person acting on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who acts: a user with the roles they hold (role ids, as in the process library)."""

    user_id: int | None
    name: str
    roles: frozenset[str] = frozenset()

    def has(self, role: str | None) -> bool:
        """True if the actor holds ``role``."""
        return role is not None and role in self.roles


@dataclass
class RecordState:
    """The engine's view of a record: stage, owner, field values and what was done in the process.

    ``values`` holds every field (built-in and declared) in canonical JSON form: money and numbers
    as decimal strings, dates as ISO strings, users as user ids.
    ``done`` maps activity id → {"by": user id, "by_name": name}; ``decisions`` maps stage id →
    {"answer": "yes"|"no", "by": user id, "role": role}; ``approvals`` maps approval id →
    {"by": user id, "role": role, "amount": decimal string}; ``delegations`` maps stage id →
    {"user_id": id, "name": name}.
    """

    stage: str
    owner_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    approvals: dict[str, dict[str, Any]] = field(default_factory=dict)
    delegations: dict[str, dict[str, Any]] = field(default_factory=dict)
    probability_override: int | None = None

    def copy(self) -> RecordState:
        """A deep enough copy to change without touching this one."""
        return RecordState(
            stage=self.stage,
            owner_id=self.owner_id,
            values=dict(self.values),
            done={key: dict(value) for key, value in self.done.items()},
            decisions={key: dict(value) for key, value in self.decisions.items()},
            approvals={key: dict(value) for key, value in self.approvals.items()},
            delegations={key: dict(value) for key, value in self.delegations.items()},
            probability_override=self.probability_override,
        )

    def progress(self) -> dict[str, Any]:
        """The process progress part of the state as JSON-ready data (what records persist)."""
        return {
            "done": self.done,
            "decisions": self.decisions,
            "approvals": self.approvals,
            "delegations": self.delegations,
        }


@dataclass
class EventDraft:
    """An event the engine asks the persistence layer to append."""

    kind: str
    role: str = ""
    from_stage: str = ""
    to_stage: str = ""
    activity: str = ""
    approval: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    """The outcome of an allowed action: the new state and the events that record it."""

    state: RecordState
    events: list[EventDraft]
