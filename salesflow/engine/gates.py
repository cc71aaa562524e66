"""Which requirements of a gate, an outcome or an activity do not hold for a record."""

from __future__ import annotations

from decimal import Decimal

from salesflow.engine.authority import approver_roles
from salesflow.engine.errors import Item
from salesflow.engine.fields import is_filled
from salesflow.engine.state import RecordState
from salesflow.process.model import ProcessDefinition, Requirements, Stage


def record_amount(state: RecordState) -> Decimal | None:
    """The record's amount as a Decimal, None when not set."""
    value = state.values.get("amount")
    return Decimal(str(value)) if is_filled(value) else None


def approval_holds(definition: ProcessDefinition, state: RecordState, approval_id: str) -> bool:
    """True when the approval was granted and still covers the record's amount."""
    grant = state.approvals.get(approval_id)
    if not grant:
        return False
    approval = definition.approvals[approval_id]
    if approval.role:
        return True
    amount = record_amount(state)
    granted = grant.get("amount")
    if grant.get("currency") and grant["currency"] != state.values.get("currency"):
        return False    # granted for an amount in another currency
    return amount is not None and granted is not None and amount <= Decimal(str(granted))


def unmet_requirements(
    definition: ProcessDefinition, state: RecordState, requires: Requirements | None, stage: str | None = None,
    language: str = "en",
) -> list[Item]:
    """Items of ``requires`` that do not hold, in the order activities, fields, approvals."""
    if requires is None:
        return []
    items: list[Item] = []
    for activity_id in requires.activities:
        if activity_id not in state.done:
            activity = definition.activity(activity_id)
            who = definition.role_title(activity.responsible, language)
            items.append(Item("activity", activity_id,
                              f"activity {activity_id} not done: {activity.title.get_text(language)} (responsible: {who})",
                              stage))
    for field in requires.fields:
        if not is_filled(state.values.get(field)):
            declared = definition.fields.get(field)
            title = declared.title.get_text(language) if declared and declared.title else field
            items.append(Item("field", field, f"field {field} is empty: {title}", stage))
    for approval_id in requires.approvals:
        if not approval_holds(definition, state, approval_id):
            approval = definition.approvals[approval_id]
            amount = record_amount(state)
            grant = state.approvals.get(approval_id)
            if grant and amount is not None:
                detail = f"granted for {grant.get('amount')}, the amount is now {amount:f}: approve again"
            elif approval.by_amount and amount is None:
                detail = "set the amount first (the competence catalog depends on it)"
            else:
                roles = approver_roles(approval, amount)
                names = " or ".join(definition.role_title(role, language) for role in roles) or "nobody (above every band)"
                detail = f"to be approved by {names}"
            items.append(Item("approval", approval_id,
                              f"approval {approval_id} missing: {approval.title.get_text(language)} — {detail}", stage))
    return items


def decision_holds(state: RecordState, stage: Stage) -> bool:
    """True when the stage has no decision or it was answered yes in this visit of the stage."""
    if not stage.gate or not stage.gate.decision:
        return True
    return state.decisions.get(stage.id, {}).get("answer") == "yes"


def decision_item(definition: ProcessDefinition, stage: Stage, language: str = "en") -> Item:
    """The unmet item for a gate decision that has not been taken."""
    gate = stage.gate
    assert gate is not None and gate.decision is not None
    decider = definition.role_title(gate.decided_by or "", language)
    delegates = ", ".join(definition.role_title(role, language) for role in gate.delegable_to)
    extra = f" (or a delegated {delegates})" if delegates else ""
    return Item("decision", stage.id, f"decision missing: {gate.decision.get_text(language)} — decided by {decider}{extra}",
                stage.id)


def gate_unmet(definition: ProcessDefinition, state: RecordState, stage: Stage, language: str = "en") -> list[Item]:
    """What the stage's gate still needs (its requirements and required activities), without the decision."""
    return unmet_requirements(definition, state, definition.gate_requirements(stage), stage.id, language)


def gate_checklist(definition: ProcessDefinition, state: RecordState, stage: Stage, language: str = "en") -> list[dict]:
    """Every gate requirement with whether it holds: for the record page's checklist."""
    requires = definition.gate_requirements(stage)
    unmet = {(item.kind, item.id) for item in gate_unmet(definition, state, stage, language)}
    rows = []
    for kind, ids in (("activity", requires.activities), ("field", requires.fields), ("approval", requires.approvals)):
        for item_id in ids:
            rows.append({"kind": kind, "id": item_id, "met": (kind, item_id) not in unmet})
    if stage.gate and stage.gate.decision:
        rows.append({"kind": "decision", "id": stage.id, "met": decision_holds(state, stage)})
    return rows
