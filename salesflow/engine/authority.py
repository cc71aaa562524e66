"""Who may do what: deciders and their delegates, the competence catalog, movers, editors.

Every answer is the role that grants the right (recorded on the event), or None when the actor
has no such right. Being the record's owner grants the owner's rights (moving, editing); the role
recorded then is the actor's first role in the process (or ``owner``). Activities follow the RACI
and closing a record early follows the decision it is, whoever owns the record. Amount bands are compared with the amount in
their own currency: the caller passes the conversion of the day (`BandConversion`), so these
functions stay pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from salesflow.engine.state import Actor, RecordState
from salesflow.process.model import Activity, Approval, Outcome, ProcessDefinition, Stage

OWNER = "owner"


def owner_role(definition: ProcessDefinition, actor: Actor) -> str:
    """The role to record when the actor acts as the record's owner."""
    for role in definition.roles:
        if actor.has(role):
            return role
    return OWNER


def is_owner(state: RecordState, actor: Actor) -> bool:
    """True if the actor owns the record."""
    return actor.user_id is not None and state.owner_id == actor.user_id


def decider_role(definition: ProcessDefinition, state: RecordState, stage: Stage, actor: Actor) -> str | None:
    """The role by which the actor may decide the stage's gate: the deciding role or a delegation."""
    gate = stage.gate
    if gate is None or gate.decided_by is None:
        return None
    if actor.has(gate.decided_by):
        return gate.decided_by
    delegation = state.delegations.get(stage.id) or state.delegations.get("*")
    if delegation and actor.user_id is not None and delegation.get("user_id") == actor.user_id:
        for role in gate.delegable_to:
            if actor.has(role):
                return role
    return None


def first_role(actor: Actor, roles: list[str] | tuple[str, ...]) -> str | None:
    """The first of ``roles`` the actor holds."""
    for role in roles:
        if actor.has(role):
            return role
    return None


def mover_role(definition: ProcessDefinition, state: RecordState, actor: Actor, gates: list[Stage]) -> str | None:
    """The role by which the actor may move the record past ``gates`` (None: not permitted).

    Deciders (and delegates) of the gates passed, the guideline's responsible role, roles with the
    ``move`` right, and the record's owner may move a record.
    """
    for stage in gates:
        role = decider_role(definition, state, stage, actor)
        if role:
            return role
    role = first_role(actor, [definition.guideline.responsible, *definition.rights.move])
    if role:
        return role
    if is_owner(state, actor):
        return owner_role(definition, actor)
    return None


def editor_role(definition: ProcessDefinition, state: RecordState, actor: Actor) -> str | None:
    """The role by which the actor may change the record's fields."""
    if is_owner(state, actor):
        return owner_role(definition, actor)
    return first_role(actor, [definition.guideline.responsible, *definition.rights.edit])


def creator_role(definition: ProcessDefinition, actor: Actor) -> str | None:
    """The role by which the actor may create records of the process (default: any of its roles)."""
    allowed = definition.rights.create or list(definition.roles)
    return first_role(actor, allowed)


def probability_role(definition: ProcessDefinition, state: RecordState, actor: Actor) -> str | None:
    """The role by which the actor may override the record's probability."""
    role = first_role(actor, [definition.guideline.responsible, *definition.rights.set_probability])
    if role:
        return role
    if is_owner(state, actor):
        return owner_role(definition, actor)
    return None


def override_role(definition: ProcessDefinition, state: RecordState, actor: Actor, gates: list[Stage]) -> str | None:
    """The role by which the actor may override unmet requirements with a reason.

    The deciding role of every gate passed (not a delegate), the guideline's responsible role and
    roles with the ``override`` right.
    """
    role = first_role(actor, [definition.guideline.responsible, *definition.rights.override])
    if role:
        return role
    deciders = [stage.gate.decided_by for stage in gates if stage.gate and stage.gate.decided_by]
    if deciders and all(actor.has(decider) for decider in deciders):
        return deciders[0]
    return None


def activity_roles(activity: Activity) -> list[str]:
    """Roles that may mark an activity done (RACI): responsible, accountable and the roles it names in ``done_by``."""
    roles = [activity.responsible]
    for role in ([activity.accountable] if activity.accountable else []) + list(activity.done_by):
        if role not in roles:
            roles.append(role)
    return roles


def activity_role(definition: ProcessDefinition, state: RecordState, actor: Actor, activity_id: str) -> str | None:
    """The role by which the actor may complete an activity (owning the record is not enough).

    Its responsible or accountable role, a role its ``done_by`` names, or — when the deciding role of
    the activity's stage is responsible or accountable for it — the user that stage's decision is
    delegated to.
    """
    stage, activity = definition.activities()[activity_id]
    role = first_role(actor, activity_roles(activity))
    if role:
        return role
    gate = stage.gate
    if gate is not None and gate.decided_by and gate.decided_by in (activity.responsible, activity.accountable):
        return decider_role(definition, state, stage, actor)
    return None


def closing_deciders(current: Stage, outcome: Stage) -> list[str]:
    """The roles whose decision closing a record in ``outcome`` from ``current`` is (empty: no decision).

    The outcome's own ``decided_by`` when the process names one; otherwise ending early (a lost
    outcome) from a stage whose gate asks a decision is that decision: its deciding role.
    """
    if outcome.decided_by is not None:
        return list(outcome.decided_by)
    gate = current.gate
    if outcome.outcome == Outcome.lost and gate is not None and gate.decision is not None and gate.decided_by:
        return [gate.decided_by]
    return []


def closing_role(definition: ProcessDefinition, state: RecordState, actor: Actor, current: Stage,
                 outcome: Stage) -> str | None:
    """The role by which the actor may take the decision to close the record in ``outcome`` (None: may not).

    With the default rule the gate's deciding role or the user its decision is delegated to; with an
    outcome's ``decided_by`` one of the roles it names.
    """
    if outcome.decided_by is not None:
        return first_role(actor, outcome.decided_by)
    return decider_role(definition, state, current, actor)


def closing_decided(state: RecordState, current: Stage, outcome: Stage) -> bool:
    """True when the decision to close was already taken: the stage's gate decision answered no (default rule),
    or answered no by one of the outcome's ``decided_by`` roles."""
    decision = state.decisions.get(current.id) or {}
    if decision.get("answer") != "no":
        return False
    return outcome.decided_by is None or decision.get("role") in outcome.decided_by


@dataclass(frozen=True)
class BandConversion:
    """The record's amount in the currency of the competence catalog's bands: ``1 from_currency = rate
    to_currency``, the rate in force on ``date`` (ISO), as the approval records it."""

    from_currency: str
    to_currency: str
    rate: Decimal
    date: str

    def band_amount(self, amount: Decimal) -> Decimal:
        """``amount`` in the bands' currency (to the cent)."""
        return (amount * self.rate).quantize(Decimal("0.01"))

    def to_data(self, amount: Decimal) -> dict[str, str]:
        """JSON-ready form for the approval's event."""
        return {"from": self.from_currency, "to": self.to_currency, "rate": f"{self.rate.normalize():f}",
                "date": self.date, "amount": f"{amount:f}", "converted": f"{self.band_amount(amount):f}"}


def band_amount(amount: Decimal | None, conversion: BandConversion | None) -> Decimal | None:
    """The amount the bands are compared with: ``amount`` converted into the bands' currency (as it is when
    record and bands share a currency: ``conversion`` None)."""
    if amount is None or conversion is None:
        return amount
    return conversion.band_amount(amount)


def band_for(approval: Approval, amount: Decimal) -> int | None:
    """Index of the competence-catalog band that applies to ``amount`` (None: above every band)."""
    for index, band in enumerate(approval.by_amount):
        if band.up_to is None or amount <= Decimal(str(band.up_to)):
            return index
    return None


def discount_band_for(approval: Approval, discount: Decimal) -> int | None:
    """Index of the discount band that applies to the largest discount ``discount`` (percent)."""
    for index, band in enumerate(approval.by_discount):
        if band.up_to is None or discount <= Decimal(str(band.up_to)):
            return index
    return None


def approver_roles(approval: Approval, amount: Decimal | None, discount: Decimal | None = None) -> list[str]:
    """Roles that may grant the approval for ``amount``: the band's role and every higher band's.

    With discount bands and a quote's largest ``discount`` (percent), a role must also be allowed by the
    discount band (its role or a higher one): the higher of the two authorities decides.
    """
    if approval.role:
        return [approval.role]
    roles: list[str] | None = None
    if approval.by_amount:
        if amount is None:
            return []
        index = band_for(approval, amount)
        if index is None:
            return []
        roles = []
        for band in approval.by_amount[index:]:
            if band.role not in roles:
                roles.append(band.role)
    if approval.by_discount and discount is not None:
        index = discount_band_for(approval, discount)
        allowed = [band.role for band in approval.by_discount[index:]] if index is not None else []
        roles = [role for role in (roles if roles is not None else allowed) if role in allowed]
    return roles or []


def approval_role(approval: Approval, amount: Decimal | None, actor: Actor,
                  discount: Decimal | None = None) -> str | None:
    """The role by which the actor may grant the approval for this amount (and largest discount)."""
    return first_role(actor, approver_roles(approval, amount, discount))


def delegator_role(definition: ProcessDefinition, actor: Actor, stages: list[Stage]) -> str | None:
    """The role by which the actor may delegate the decisions of ``stages``."""
    deciders = {stage.gate.decided_by for stage in stages if stage.gate and stage.gate.decided_by}
    if deciders and all(actor.has(role) for role in deciders):
        return sorted(deciders)[0]
    return first_role(actor, [definition.guideline.responsible])
