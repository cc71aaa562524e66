"""What a record asks of people right now: approvals its stage needs and decisions its gate waits for.

Pure functions of a definition and a state. The role asked for an approval is the competence-catalog
band's role for the record's amount (the lowest role that may grant it); a decision is asked of the
gate's deciding role once everything else of the gate is met — the same lists My work shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from salesflow.engine import authority
from salesflow.engine.gates import approval_holds, decision_holds, gate_unmet, record_amount
from salesflow.engine.state import RecordState
from salesflow.process.model import ProcessDefinition, Text


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
