"""What a record asks of people: open approvals and decisions, asking for one, refusing an approval.

`open_requests` lists what the record waits for in its current stage (the approval's band role for the
record's amount, the gate's deciding role once the rest of the gate is met) — the lists My work and
the e-mails show.

A request names who is asked — the competence catalog's band role for the record's amount, the
gate's deciding role or the user its decision is delegated to — in its event; the service layer
notifies them. A refusal is an event with the reason; the approval stays not granted.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from salesflow.engine import authority
from salesflow.engine.errors import BadInput, Conflict, Item, NotPermitted, Unmet
from salesflow.engine.gates import approval_holds, decision_holds, gate_unmet, record_amount
from salesflow.engine.state import Actor, EventDraft, RecordState, Result
from salesflow.process.model import ProcessDefinition, Stage, Text

MAX_TEXT = 2000


def _open_stage(definition: ProcessDefinition, state: RecordState) -> Stage:
    stage = definition.stage(state.stage)
    if stage.is_outcome:
        raise Conflict(f"the record is closed as {stage.display_title()}")
    return stage


def _note(text: str | None) -> str:
    note = (text or "").strip()
    if len(note) > MAX_TEXT:
        raise BadInput(f"the note is longer than {MAX_TEXT} characters")
    return note


def _requester_role(definition: ProcessDefinition, state: RecordState, actor: Actor, what: str) -> str:
    role = authority.editor_role(definition, state, actor)
    if role is None:
        raise NotPermitted(f"only the record's owner or a role with the edit right may request {what}",
                           rule="request_right")
    return role


def approval_asked(definition: ProcessDefinition, state: RecordState, approval_id: str) -> tuple[list[str], Decimal | None]:
    """Who is asked for an approval at the record's amount: the band's role first, then the higher bands'."""
    if approval_id not in definition.approvals:
        raise BadInput(f"unknown approval {approval_id!r} (approvals of {definition.process}: "
                       f"{', '.join(definition.approvals) or 'none'})")
    approval = definition.approvals[approval_id]
    amount = record_amount(state)
    if approval.by_amount and amount is None:
        raise Unmet(f"approval {approval_id} depends on the amount",
                    [Item("field", "amount", "field amount is empty: set the amount first")])
    roles = authority.approver_roles(approval, amount)
    if not roles:
        raise Conflict(f"approval {approval_id}: nobody may approve {amount:f} (the amount is above every band)")
    return roles, amount


def request_approval(definition: ProcessDefinition, state: RecordState, actor: Actor, approval_id: str,
                     note: str = "") -> Result:
    """Ask for an approval under the competence catalog: the band role for the record's amount is asked."""
    _open_stage(definition, state)
    roles, amount = approval_asked(definition, state, approval_id)
    if approval_holds(definition, state, approval_id):
        raise Conflict(f"approval {approval_id} is already granted")
    role = _requester_role(definition, state, actor, "an approval")
    approval = definition.approvals[approval_id]
    payload: dict[str, Any] = {"title": approval.title.get_text("en"),
                               "amount": f"{amount:f}" if amount is not None else None,
                               "asked": roles[:1], "may_approve": roles}
    text = _note(note)
    if text:
        payload["note"] = text
    return Result(state.copy(), [EventDraft(kind="approval_requested", role=role, from_stage=state.stage,
                                            approval=approval_id, payload=payload)])


def decision_asked(definition: ProcessDefinition, state: RecordState, stage: Stage) -> dict[str, Any]:
    """Who is asked for a stage's decision: the user it is delegated to, else the deciding role."""
    delegation = state.delegations.get(stage.id) or state.delegations.get("*")
    if delegation and delegation.get("user_id"):
        return {"user_id": delegation["user_id"], "name": delegation.get("name", ""), "roles": []}
    return {"user_id": None, "name": "", "roles": [stage.gate.decided_by] if stage.gate and stage.gate.decided_by
            else []}


def request_decision(definition: ProcessDefinition, state: RecordState, actor: Actor, note: str = "") -> Result:
    """Ask for the current stage's gate decision (the deciding role, or the user it is delegated to)."""
    stage = _open_stage(definition, state)
    if not stage.gate or not stage.gate.decision or not stage.gate.decided_by:
        raise BadInput(f"stage {stage.id} has no decision to take")
    if decision_holds(state, stage):
        raise Conflict(f"the decision of stage {stage.id} is already taken (yes)")
    role = _requester_role(definition, state, actor, "a decision")
    asked = decision_asked(definition, state, stage)
    payload: dict[str, Any] = {"question": stage.gate.decision.get_text("en"), "asked": asked["roles"],
                               "delegate_id": asked["user_id"]}
    text = _note(note)
    if text:
        payload["note"] = text
    return Result(state.copy(), [EventDraft(kind="decision_requested", role=role, from_stage=stage.id,
                                            payload=payload)])


def refuse_approval(definition: ProcessDefinition, state: RecordState, actor: Actor, approval_id: str,
                    reason: str | None, requested_by: int | None = None) -> Result:
    """Refuse an approval with a written reason (whoever may grant it may refuse it); nothing is granted."""
    _open_stage(definition, state)
    roles, amount = approval_asked(definition, state, approval_id)
    role = authority.first_role(actor, roles)
    if role is None:
        names = " or ".join(definition.role_title(item) for item in roles)
        raise NotPermitted(f"approval {approval_id} is refused by whoever may grant it: {names}",
                           rule="refuse_approval", params={"approval": approval_id, "roles": roles})
    if approval_holds(definition, state, approval_id):
        raise Conflict(f"approval {approval_id} is already granted")
    text = (reason or "").strip()
    if not text:
        raise BadInput("refusing an approval needs a written reason")
    if len(text) > MAX_TEXT:
        raise BadInput(f"the reason is longer than {MAX_TEXT} characters")
    approval = definition.approvals[approval_id]
    payload: dict[str, Any] = {"title": approval.title.get_text("en"),
                               "amount": f"{amount:f}" if amount is not None else None, "reason": text,
                               "requested_by": requested_by}
    return Result(state.copy(), [EventDraft(kind="approval_refused", role=role, from_stage=state.stage,
                                            approval=approval_id, payload=payload)])


@dataclass(frozen=True)
class OpenRequest:
    """One thing the record waits for: ``kind`` approval|decision, the approval or stage id, the role asked."""

    kind: str
    id: str
    role: str
    title: Text


def needed_approvals(definition: ProcessDefinition, stage_id: str) -> list[str]:
    """Approvals the stage's gate or its activities require, in order."""
    stage = definition.stage(stage_id)
    needed = list(definition.gate_requirements(stage).approvals)
    for activity in stage.activities:
        if activity.requires:
            needed += [item for item in activity.requires.approvals if item not in needed]
    return needed


def open_requests(definition: ProcessDefinition, state: RecordState) -> list[OpenRequest]:
    """The approvals and the decision the record waits for in its current stage."""
    stage = definition.stage(state.stage)
    if stage.is_outcome:
        return []
    found = []
    amount = record_amount(state)
    for approval_id in needed_approvals(definition, stage.id):
        approval = definition.approvals.get(approval_id)
        if approval is None or approval_holds(definition, state, approval_id):
            continue
        roles = authority.approver_roles(approval, amount)
        if roles:
            found.append(OpenRequest("approval", approval_id, roles[0], approval.title))
    gate = stage.gate
    if gate and gate.decision and gate.decided_by and not decision_holds(state, stage) \
            and not gate_unmet(definition, state, stage):
        found.append(OpenRequest("decision", stage.id, gate.decided_by, gate.decision))
    return found
