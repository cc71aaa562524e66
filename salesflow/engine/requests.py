"""What a record asks of people: open approvals and decisions, asking for one, refusing an approval.

`open_requests` lists what the record waits for in its current stage (the approval's band role for the
record's amount, the gate's deciding role once the rest of the gate is met) — the lists My work and
the e-mails show.

A request names who is asked — the competence catalog's band role for the record's amount, the
gate's deciding role or the user its decision is delegated to — in its event; the service layer
notifies them. A refusal is an event with the reason; the approval stays not granted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from salesflow.engine import authority
from salesflow.engine.errors import BadInput, Conflict, Item, NotPermitted, Unmet
from salesflow.engine.gates import approval_holds, decision_holds, gate_unmet, record_amount
from salesflow.engine.state import Actor, EventDraft, RecordState, Result
from salesflow.engine.texts import N_, Names, Sentence
from salesflow.process.model import ProcessDefinition, Stage, Text

MAX_TEXT = 2000


def _open_stage(definition: ProcessDefinition, state: RecordState) -> Stage:
    stage = definition.stage(state.stage)
    if stage.is_outcome:
        raise Conflict(N_("the record is closed as %(stage)s", stage=Names("stages", [stage.id], stage.display_title())))
    return stage


def _note(text: str | None) -> str:
    note = (text or "").strip()
    if len(note) > MAX_TEXT:
        raise BadInput(N_("the note is longer than %(limit)s characters", limit=MAX_TEXT))
    return note


def _requester_role(definition: ProcessDefinition, state: RecordState, actor: Actor, what: Sentence) -> str:
    role = authority.editor_role(definition, state, actor)
    if role is None:
        raise NotPermitted(N_("only the record's owner or a role with the edit right may request %(what)s", what=what),
                           rule="request_right")
    return role


def approval_asked(definition: ProcessDefinition, state: RecordState, approval_id: str,
                   discount: Decimal | None = None) -> tuple[list[str], Decimal | None]:
    """Who is asked for an approval at the record's amount (and its quote's largest ``discount``): the band's
    role first, then the higher bands'."""
    if approval_id not in definition.approvals:
        raise BadInput(f"unknown approval {approval_id!r} (approvals of {definition.process}: "
                       f"{', '.join(definition.approvals) or 'none'})")
    approval = definition.approvals[approval_id]
    amount = record_amount(state)
    if approval.by_amount and amount is None:
        raise Unmet(N_("approval %(approval)s depends on the amount", approval=approval_id),
                    [Item("field", "amount", N_("field amount is empty: set the amount first"))])
    roles = authority.approver_roles(approval, amount, discount)
    if not roles:
        raise Conflict(N_("approval %(approval)s: nobody may approve %(amount)s (the amount is above every band)",
                           approval=approval_id, amount=f"{amount:f}"))
    return roles, amount


def request_approval(definition: ProcessDefinition, state: RecordState, actor: Actor, approval_id: str,
                     note: str = "", discount: Decimal | None = None) -> Result:
    """Ask for an approval under the competence catalog: the band role for the record's amount (and its quote's
    largest ``discount``) is asked."""
    _open_stage(definition, state)
    roles, amount = approval_asked(definition, state, approval_id, discount)
    if approval_holds(definition, state, approval_id):
        raise Conflict(N_("approval %(approval)s is already granted", approval=approval_id))
    role = _requester_role(definition, state, actor, N_("an approval"))
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
        raise BadInput(N_("stage %(stage)s has no decision to take", stage=stage.id))
    if decision_holds(state, stage):
        raise Conflict(N_("the decision of stage %(stage)s is already taken (yes)", stage=stage.id))
    role = _requester_role(definition, state, actor, N_("a decision"))
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
        names = Names("roles", roles, " or ".join(definition.role_title(item) for item in roles))
        raise NotPermitted(N_("approval %(approval)s is refused by whoever may grant it: %(roles)s",
                              approval=approval_id, roles=names),
                           rule="refuse_approval", params={"approval": approval_id, "roles": roles})
    if approval_holds(definition, state, approval_id):
        raise Conflict(N_("approval %(approval)s is already granted", approval=approval_id))
    text = (reason or "").strip()
    if not text:
        raise BadInput(N_("refusing an approval needs a written reason"))
    if len(text) > MAX_TEXT:
        raise BadInput(N_("the reason is longer than %(limit)s characters", limit=MAX_TEXT))
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


def open_requests(definition: ProcessDefinition, state: RecordState,
                  discounts: Mapping[str, Decimal] | None = None) -> list[OpenRequest]:
    """The approvals and the decision the record waits for in its current stage (``discounts``: the largest
    discount of the record's quote by the approval that covers it; read only for an approval still open)."""
    stage = definition.stage(state.stage)
    if stage.is_outcome:
        return []
    found = []
    amount = record_amount(state)
    for approval_id in needed_approvals(definition, stage.id):
        approval = definition.approvals.get(approval_id)
        if approval is None or approval_holds(definition, state, approval_id):
            continue
        roles = authority.approver_roles(approval, amount, discounts.get(approval_id) if discounts is not None else None)
        if roles:
            found.append(OpenRequest("approval", approval_id, roles[0], approval.title))
    gate = stage.gate
    if gate and gate.decision and gate.decided_by and not decision_holds(state, stage) \
            and not gate_unmet(definition, state, stage):
        found.append(OpenRequest("decision", stage.id, gate.decided_by, gate.decision))
    return found
