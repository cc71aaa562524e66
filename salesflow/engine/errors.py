"""The engine's refusals. Each interface maps them in one table: CLI exit codes, HTTP statuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Item:
    """One unmet requirement: an activity not done, a field empty, an approval or decision missing."""

    kind: str  # activity | field | approval | decision | stage | outcome
    id: str
    message: str
    stage: str | None = None

    def to_data(self) -> dict[str, Any]:
        """The item as JSON-ready data."""
        data = {"kind": self.kind, "id": self.id, "message": self.message}
        if self.stage:
            data["stage"] = self.stage
        return data

    def __str__(self) -> str:
        return self.message


class EngineError(Exception):
    """Base of every refusal. ``code`` names the kind (bad_input, unmet, not_permitted, conflict).

    ``rule`` (optional) names the rule that refused and ``params`` its ids (stage, roles …), so that an
    interface can say the same in the reader's language; ``message`` is the English sentence.
    """

    code = "error"

    def __init__(self, message: str, rule: str = "", params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.params = params or {}

    def to_data(self) -> dict[str, Any]:
        """JSON-ready description of the refusal."""
        data: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.rule:
            data["rule"] = self.rule
        return data


class BadInput(EngineError):
    """The request itself is wrong: unknown stage, bad value, missing reason."""

    code = "bad_input"


class Unmet(EngineError):
    """A gate or requirement does not hold; ``items`` lists what is missing."""

    code = "unmet"

    def __init__(self, message: str, items: list[Item]) -> None:
        super().__init__(message)
        self.items = items

    def to_data(self) -> dict[str, Any]:
        data = super().to_data()
        data["unmet"] = [item.to_data() for item in self.items]
        return data

    def __str__(self) -> str:
        return self.message + "".join(f"\n  - {item.message}" for item in self.items)


class NotPermitted(EngineError):
    """The actor's roles do not allow the action."""

    code = "not_permitted"


class Conflict(EngineError):
    """The record changed or is in a state where the action no longer applies."""

    code = "conflict"
