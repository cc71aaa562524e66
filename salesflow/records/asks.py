"""Requests for approvals and decisions as the event log tells them: open, refused, answered.

The newest event about an approval (requested, refused, granted) or a stage's decision (requested,
decided) says where it stands: a request is open until it is answered; a refusal stands until the
next request. My work and the record page read this; the log stays the only source.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from salesflow.records.models import Event

APPROVAL_KINDS = ("approval_requested", "approval_refused", "approval_granted")
DECISION_KINDS = ("decision_requested", "decision_made")


@dataclass(frozen=True)
class Ask:
    """The newest event about one approval or decision of a record."""

    kind: str
    by: str
    by_id: int | None
    at: datetime.datetime
    payload: dict[str, Any]

    @property
    def open(self) -> bool:
        """True while a request waits for its answer."""
        return self.kind in ("approval_requested", "decision_requested")

    @property
    def refused(self) -> bool:
        """True when the approval was refused (and not asked for again since)."""
        return self.kind == "approval_refused"


def latest_asks(record_ids: list[int]) -> dict[tuple[int, str, str], Ask]:
    """Per (record id, "approval" | "decision", approval id | stage id): the newest event about it."""
    found: dict[tuple[int, str, str], Ask] = {}
    if not record_ids:
        return found
    rows = (Event.objects.filter(record_id__in=list(record_ids), kind__in=APPROVAL_KINDS + DECISION_KINDS)
            .order_by("seq").values_list("record_id", "kind", "approval", "from_stage", "actor_name", "actor_id",
                                         "at", "payload"))
    for record_id, kind, approval, stage, name, actor_id, at, payload in rows.iterator(chunk_size=500):
        key = (record_id, "approval", approval) if kind in APPROVAL_KINDS else (record_id, "decision", stage)
        found[key] = Ask(kind, name, actor_id, at, payload if isinstance(payload, dict) else {})
    return found
