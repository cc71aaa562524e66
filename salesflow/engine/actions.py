"""The actions on a record. Each checks the rules and returns the new state and its events.

Nothing here is stored: the service layer locks the record, calls one of these functions, and
writes the returned state and events in one transaction. Every refusal is an `EngineError`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from salesflow.engine import authority, separation
from salesflow.engine.errors import BadInput, Conflict, Item, NotPermitted, Unmet
from salesflow.engine.fields import coerce, is_filled
from salesflow.engine.gates import (
    decision_holds,
    decision_item,
    gate_unmet,
    record_amount,
    unmet_requirements,
)
from salesflow.engine.state import Actor, EventDraft, RecordState, Result
from salesflow.engine.texts import N_, Names, Sentence
from salesflow.process.graph import MoveKind, default_targets, move_kind, skipped_stages, targets
from salesflow.process.model import Outcome, ProcessDefinition, Stage

MAX_REASON = 2000


def _require_open(definition: ProcessDefinition, state: RecordState) -> Stage:
    stage = definition.stage(state.stage)
    if stage.is_outcome:
        raise Conflict(N_("the record is closed as %(stage)s", stage=Names("stages", [stage.id], stage.display_title())))
    return stage


def _reason(reason: str | None, what: Sentence) -> str:
    text = (reason or "").strip()
    if not text:
        raise BadInput(N_("%(what)s needs a written reason", what=what))
    if len(text) > MAX_REASON:
        raise BadInput(N_("the reason is longer than %(limit)s characters", limit=MAX_REASON))
    return text


def effective_probability(definition: ProcessDefinition, state: RecordState) -> int:
    """The record's win probability: its override where set, otherwise its stage's default."""
    if state.probability_override is not None:
        return state.probability_override
    return definition.stage(state.stage).probability


def create(definition: ProcessDefinition, actor: Actor, values: dict[str, Any], owner_id: int | None,
           handed_over_by: str | None = None) -> Result:
    """Start a record in the first stage. ``values`` must already hold canonical values.

    ``handed_over_by`` is the role that made an authorised move whose hand-off starts this record (e.g. the
    conversion of a lead): the hand-off is the process's own consequence, so no create right is asked.
    """
    role = handed_over_by or authority.creator_role(definition, actor)
    if role is None:
        allowed = definition.rights.create or list(definition.roles)
        raise NotPermitted(N_("creating %(kind)s records needs one of the roles: %(roles)s", kind=definition.record,
                              roles=Names("role_ids", allowed, ", ".join(allowed))))
    if not is_filled(values.get("title")):
        raise BadInput(N_("%(field)s: a value is required", field="title"))
    values = dict(values)
    values.setdefault("classification", definition.guideline.classification.value)
    values.setdefault("currency", "EUR")
    for name, declared in definition.fields.items():
        if not is_filled(values.get(name)) and declared.default is not None:
            values[name] = coerce(definition, name, declared.default)
    missing = [name for name, declared in definition.fields.items() if declared.required and not is_filled(values.get(name))]
    if missing:
        raise BadInput(N_("required field(s) missing: %(fields)s", fields=Names("fields", missing, ", ".join(missing))))
    stage = definition.first_stage
    state = RecordState(stage=stage.id, owner_id=owner_id, values={k: v for k, v in values.items() if v is not None})
    separation.check_fields(definition, state)
    event = EventDraft(kind="record_created", role=role, to_stage=stage.id,
                       payload={"values": state.values, "owner_id": owner_id, "probability": stage.probability})
    return Result(state, [event])


def set_fields(definition: ProcessDefinition, state: RecordState, actor: Actor, changes: dict[str, Any]) -> Result:
    """Change field values (canonical values; owner changes included). One event per changed field."""
    _require_open(definition, state)
    role = authority.editor_role(definition, state, actor)
    if role is None:
        raise NotPermitted(N_("only the record's owner or a role with the edit right may change its fields"))
    new = state.copy()
    events = []
    for name, value in changes.items():
        if name == "owner":
            if value == state.owner_id:
                continue
            new.owner_id = value
            events.append(EventDraft(kind="field_changed", role=role, from_stage=state.stage,
                                     payload={"field": "owner", "old": state.owner_id, "new": value}))
            continue
        old = state.values.get(name)
        if old == value:
            continue
        if value is None:
            new.values.pop(name, None)
        else:
            new.values[name] = value
        events.append(EventDraft(kind="field_changed", role=role, from_stage=state.stage,
                                 payload={"field": name, "old": old, "new": value}))
    if not events:
        raise Conflict(N_("nothing changed: the fields already hold these values"))
    separation.check_fields(definition, new)
    events.extend(change_control_events(definition, state, new, role, changes))
    return Result(new, events)


def edit_fields(definition: ProcessDefinition, state: RecordState, actor: Actor, changes: dict[str, Any],
                quote: dict[str, Any] | None = None) -> Result:
    """A direct edit of fields (form, API, CLI): `set_fields`, except that while the record carries a current
    ``quote`` (its facts: number, version) the fields the process's ``quotes.fixed_fields`` names are the
    quote's: changing them is refused, so that amount and quote never drift apart (revise the quote)."""
    settings = definition.quotes
    if quote is not None and settings is not None:
        fixed = [name for name in settings.fixed_fields
                 if name in changes and changes[name] != state.values.get(name)]
        if fixed:
            raise Conflict(N_("%(fields)s: set by the current quote %(quote)s (version %(version)s); revise the "
                              "quote to change it", fields=Names("fields", fixed, ", ".join(fixed)),
                              quote=quote.get("number") or quote.get("id"), version=quote.get("version")))
    return set_fields(definition, state, actor, changes)


def change_control_events(definition: ProcessDefinition, old: RecordState, new: RecordState, role: str,
                          changes: dict[str, Any]) -> list[EventDraft]:
    """Re-open reviews when fields under change control change after their stage (ISO 9001 8.2.4).

    Changes ``new`` in place (the re-opened activities are no longer done) and returns one
    ``review_reopened`` event per rule that applies; its payload names the roles to notify.
    """
    events = []
    position = definition.open_index(old.stage)
    for rule in definition.change_control:
        start = definition.open_index(rule.from_stage)
        if position < 0 or start < 0 or position < start:
            continue
        changed = [name for name in rule.fields if name in changes and old.values.get(name) != new.values.get(name)]
        if not changed:
            continue
        reopened = [activity for activity in rule.reopen if activity in new.done]
        for activity in reopened:
            new.done.pop(activity, None)
        events.append(EventDraft(kind="review_reopened", role=role, from_stage=old.stage,
                                 payload={"fields": changed, "activities": reopened, "notify": list(rule.notify),
                                          "after_stage": rule.from_stage}))
    return events


def timer_move(definition: ProcessDefinition, state: RecordState, target: str, schedule_id: str) -> Result:
    """A move made by a schedule of the process when its time has come (no gate is asked: the timer is the rule)."""
    if definition.stage(state.stage).is_outcome or target == state.stage:
        raise Conflict(N_("the record is in %(stage)s: schedule %(schedule)s does not move it", stage=state.stage,
                           schedule=schedule_id))
    new = state.copy()
    new.stage = target
    new.probability_override = None
    payload = _move_payload(definition, state, target, move_kind(definition, state.stage, target))
    payload["schedule"] = schedule_id
    return Result(new, _arrival_events(definition, state, target, "system", payload))


def _move_payload(definition: ProcessDefinition, state: RecordState, target: str, kind: MoveKind) -> dict[str, Any]:
    """What every ``stage_changed`` event says: direction and the probabilities before and after."""
    destination = definition.stage(target)
    return {"direction": kind.value, "probability": destination.probability,
            "old_probability": effective_probability(definition, state),
            "forecast_category": destination.effective_forecast_category().value}


def _arrival_events(definition: ProcessDefinition, state: RecordState, target: str, role: str,
                    payload: dict[str, Any]) -> list[EventDraft]:
    """The ``stage_changed`` event of a move, and ``record_closed`` when the target is an outcome."""
    destination = definition.stage(target)
    events = [EventDraft(kind="stage_changed", role=role, from_stage=state.stage, to_stage=target, payload=payload)]
    if destination.is_outcome:
        events.append(EventDraft(kind="record_closed", role=role, from_stage=state.stage, to_stage=target,
                                 payload={"outcome": destination.outcome.value, "amount": state.values.get("amount"),
                                          "won": destination.outcome == Outcome.won}))
    return events


def close_on(result: Result, day: str) -> None:
    """An outcome sets the close date to the day of the close (ISO ``day``); the planned date stays in the event.

    Changes ``result`` in place when it enters an outcome: the state's ``close_date`` becomes ``day``
    and its ``record_closed`` event carries ``close_date`` and ``planned_close_date``.
    """
    for event in result.events:
        if event.kind == "record_closed":
            event.payload["planned_close_date"] = result.state.values.get("close_date")
            event.payload["close_date"] = day
            result.state.values["close_date"] = day


def _available_activities(definition: ProcessDefinition, state: RecordState) -> set[str]:
    current = definition.stage(state.stage)
    ids = {activity.id for activity in current.activities}
    if current.is_outcome:
        return ids
    # An activity of an earlier stage that this stage's gate requires again (e.g. a review re-opened by
    # change control) can be done here.
    ids.update(definition.gate_requirements(current).activities)
    for stage in definition.outcome_stages:
        ids.update(activity.id for activity in stage.activities)
    return ids


def do_activity(definition: ProcessDefinition, state: RecordState, actor: Actor, activity_id: str,
                note: str = "") -> Result:
    """Mark an activity of the current stage (or of an outcome stage) as done.

    A closed record accepts only the follow-up activities of the outcome stage it closed in
    (e.g. the kick-off meeting after Won); everything else is refused as a conflict.
    """
    current = definition.stage(state.stage)
    if current.is_outcome and activity_id not in {activity.id for activity in current.activities}:
        _require_open(definition, state)
    activities = definition.activities()
    if activity_id not in activities:
        raise BadInput(f"unknown activity {activity_id!r} (activities of {definition.process}: {', '.join(activities)})")
    owning_stage, activity = activities[activity_id]
    if activity_id not in _available_activities(definition, state):
        raise BadInput(N_("activity %(activity)s belongs to stage %(owning)s; the record is in %(stage)s",
                          activity=activity_id, owning=owning_stage.id, stage=state.stage))
    if activity_id in state.done:
        raise Conflict(N_("activity %(activity)s is already done", activity=activity_id))
    separation.check_activity(definition, state, actor, activity_id)
    role = authority.activity_role(definition, state, actor, activity_id)
    if role is None:
        raise activity_refusal(definition, owning_stage, activity_id)
    unmet = unmet_requirements(definition, state, activity.requires, owning_stage.id)
    if unmet:
        raise Unmet(N_("activity %(activity)s cannot be done yet", activity=activity_id), unmet)
    new = state.copy()
    new.done[activity_id] = {"by": actor.user_id, "by_name": actor.name, "role": role}
    payload: dict[str, Any] = {"title": activity.title.get_text("en")}
    if note:
        payload["note"] = note.strip()[:MAX_REASON]
    return Result(new, [EventDraft(kind="activity_done", role=role, from_stage=state.stage, activity=activity_id,
                                   payload=payload)])


def activity_refusal(definition: ProcessDefinition, stage: Stage, activity_id: str) -> NotPermitted:
    """Who does an activity (RACI): its responsible and accountable role, its ``done_by`` roles, a delegate."""
    activity = definition.activity(activity_id)
    roles = authority.activity_roles(activity)
    names = Names("roles", roles, " or ".join(definition.role_title(role) for role in roles))
    gate = stage.gate
    delegated = bool(gate and gate.decided_by and gate.delegable_to
                     and gate.decided_by in (activity.responsible, activity.accountable))
    text = (N_("activity %(activity)s is done by %(roles)s (or the user the stage's decision is delegated to)",
               activity=activity_id, roles=names) if delegated
            else N_("activity %(activity)s is done by %(roles)s", activity=activity_id, roles=names))
    return NotPermitted(text, rule="activity_roles",
                        params={"activity": activity_id, "roles": roles, "delegated": delegated})


def closing_refusal(definition: ProcessDefinition, current: Stage, outcome: Stage) -> NotPermitted:
    """Closing in ``outcome`` from ``current`` is a decision the actor may not take: who takes it."""
    roles = authority.closing_deciders(current, outcome)
    names = " or ".join(definition.role_title(role) for role in roles)
    delegates: list[str] = []
    if outcome.decided_by is None and current.gate is not None:
        delegates = list(current.gate.delegable_to)
    extra = f" (or a delegated {', '.join(definition.role_title(role) for role in delegates)})" if delegates else ""
    question = current.gate.decision.get_text("en") if current.gate and current.gate.decision else ""
    message = (f"closing the record as {outcome.display_title()} from {current.display_title()} is the decision of "
               f"{names}{extra}" + (f": {question}" if question and outcome.decided_by is None else ""))
    return NotPermitted(message, rule="closing_decision",
                        params={"stage": current.id, "outcome": outcome.id, "roles": roles, "delegates": delegates})


def decide(definition: ProcessDefinition, state: RecordState, actor: Actor, answer: str, note: str = "") -> Result:
    """Answer the current stage's gate decision (``yes`` lets the record move on)."""
    stage = _require_open(definition, state)
    if answer not in ("yes", "no"):
        raise BadInput(N_("a decision is answered yes or no, got %(value)s", value=repr(answer)))
    if not stage.gate or not stage.gate.decision:
        raise BadInput(N_("stage %(stage)s has no decision to take", stage=stage.id))
    role = authority.decider_role(definition, state, stage, actor)
    if role is None:
        raise NotPermitted(decision_item(definition, stage).message.replace("decision missing: ", "the decision "))
    if state.decisions.get(stage.id, {}).get("answer") == answer:
        raise Conflict(N_("the decision of stage %(stage)s is already %(answer)s", stage=stage.id,
                           answer=N_("yes") if answer == "yes" else N_("no")))
    new = state.copy()
    new.decisions[stage.id] = {"answer": answer, "by": actor.user_id, "by_name": actor.name, "role": role}
    payload: dict[str, Any] = {"question": stage.gate.decision.get_text("en"), "answer": answer}
    if answer == "no" and stage.gate.on_no:
        payload["on_no"] = stage.gate.on_no.get_text("en")
    if note:
        payload["note"] = note.strip()[:MAX_REASON]
    return Result(new, [EventDraft(kind="decision_made", role=role, from_stage=stage.id, payload=payload)])


def approve(definition: ProcessDefinition, state: RecordState, actor: Actor, approval_id: str, note: str = "",
            conversion: authority.BandConversion | None = None, quote: dict[str, Any] | None = None) -> Result:
    """Grant an approval under the competence catalog for the record's current amount.

    ``conversion``: the rate of the day from the record's currency into the bands' currency (None when
    they are the same); the bands are compared with the converted amount, and the event records the rate.
    ``quote``: the record's current quote version (``id``, ``number``, ``version``, ``max_discount_percent``)
    when the process's quotes need this approval: the discount bands apply and the grant is for that version.
    """
    _require_open(definition, state)
    if approval_id not in definition.approvals:
        raise BadInput(f"unknown approval {approval_id!r} (approvals of {definition.process}: "
                       f"{', '.join(definition.approvals) or 'none'})")
    approval = definition.approvals[approval_id]
    amount = record_amount(state)
    if approval.by_amount and amount is None:
        raise Unmet(N_("approval %(approval)s depends on the amount", approval=approval_id),
                    [Item("field", "amount", N_("field amount is empty: set the amount first"))])
    discount = Decimal(str(quote["max_discount_percent"])) if quote is not None else None
    compared = authority.band_amount(amount, conversion)
    roles = authority.approver_roles(approval, compared, discount)
    role = authority.first_role(actor, roles)
    if role is None:
        names = " or ".join(definition.role_title(item) for item in roles) or "nobody (the amount is above every band)"
        shown = f"{amount:f}" if conversion is None or amount is None else \
            f"{amount:f} {conversion.from_currency} ({compared:f} {conversion.to_currency} at {conversion.rate:f})"
        names = Names("roles", roles, names) if roles else N_("nobody (the amount is above every band)")
        if discount is not None and amount is not None:
            raise NotPermitted(N_("approval %(approval)s for %(amount)s with a discount of %(discount)s needs "
                                  "%(roles)s", approval=approval_id, amount=shown, discount=f"{discount:f} %",
                                  roles=names))
        raise NotPermitted(N_("approval %(approval)s for %(amount)s needs %(roles)s", approval=approval_id,
                              amount=shown, roles=names) if amount is not None
                           else N_("approval %(approval)s needs %(roles)s", approval=approval_id, roles=names))
    grant = state.approvals.get(approval_id)
    if grant and (approval.role or (amount is not None and amount <= Decimal(str(grant.get("amount"))))) and \
            (quote is None or grant.get("quote_version") == quote.get("version")):
        raise Conflict(N_("approval %(approval)s is already granted", approval=approval_id))
    band = authority.band_for(approval, compared) if compared is not None and approval.by_amount else None
    new = state.copy()
    new.approvals[approval_id] = {"by": actor.user_id, "by_name": actor.name, "role": role,
                                  "amount": f"{amount:f}" if amount is not None else None}
    payload: dict[str, Any] = {"title": approval.title.get_text("en"),
                               "amount": f"{amount:f}" if amount is not None else None}
    if conversion is not None and amount is not None:
        new.approvals[approval_id]["currency"] = conversion.from_currency
        payload["currency"] = conversion.from_currency
        payload["conversion"] = conversion.to_data(amount)
    if band is not None:
        limit = approval.by_amount[band].up_to
        payload["band"] = {"index": band, "up_to": limit, "role": approval.by_amount[band].role}
    if quote is not None:
        facts = {"quote": quote["id"], "quote_number": quote.get("number"), "quote_version": quote["version"],
                 "max_discount_percent": f"{discount:f}"}
        new.approvals[approval_id].update(facts)
        payload.update(facts)
        index = authority.discount_band_for(approval, discount) if approval.by_discount else None
        if index is not None:
            payload["discount_band"] = {"index": index, "up_to": approval.by_discount[index].up_to,
                                        "role": approval.by_discount[index].role}
    if note:
        payload["note"] = note.strip()[:MAX_REASON]
    return Result(new, [EventDraft(kind="approval_granted", role=role, from_stage=state.stage, approval=approval_id,
                                   payload=payload)])


def quote_changed(definition: ProcessDefinition, state: RecordState, actor: Actor, kind: str,
                  quote: dict[str, Any], amount: Decimal, currency: str) -> Result:
    """A quote of the record was created or revised (``kind`` ``quote_created`` | ``quote_revised``).

    Allowed in the stages the process's ``quotes`` names, to whoever may change the record's fields. The
    record's amount (and currency) follow the quote's total as a field change (change control applies), and
    a granted approval of the quotes is withdrawn: the new version needs its own.
    """
    stage = _require_open(definition, state)
    settings = definition.quotes
    if settings is None:
        raise BadInput(N_("%(process)s records carry no quotes", process=definition.process))
    if stage.id not in settings.stages:
        raise Conflict(N_("quotes are made in the stage(s) %(stages)s, the record is in %(stage)s",
                          stages=Names("stages", list(settings.stages), ", ".join(settings.stages)),
                          stage=Names("stages", [stage.id], stage.display_title())))
    role = authority.editor_role(definition, state, actor)
    if role is None:
        raise NotPermitted(N_("only the record's owner or a role with the edit right may change its quotes"))
    changes: dict[str, Any] = {}
    if record_amount(state) != amount:
        changes["amount"] = f"{amount:f}"
    if (state.values.get("currency") or "EUR") != currency:
        changes["currency"] = currency
    result = set_fields(definition, state, actor, changes) if changes else Result(state.copy(), [])
    new, events = result.state, list(result.events)
    events.append(EventDraft(kind=kind, role=role, from_stage=state.stage, payload=dict(quote)))
    if settings.approval and settings.approval in new.approvals:
        old = new.approvals.pop(settings.approval)
        events.append(EventDraft(kind="approval_withdrawn", role=role, from_stage=state.stage,
                                 approval=settings.approval,
                                 payload={"reason": "quote revised", "quote": quote.get("id"),
                                          "quote_version": quote.get("version"),
                                          "granted_for_version": old.get("quote_version"),
                                          "granted_amount": old.get("amount")}))
    return Result(new, events)


def record_note(definition: ProcessDefinition, state: RecordState, actor: Actor, kind: str,
                payload: dict[str, Any], editor: bool = True) -> Result:
    """An event about the record that changes none of its state (e.g. a customer's answer to an offer).

    ``editor``: only the record's owner or a role with the edit right may record it.
    """
    role = authority.editor_role(definition, state, actor) if editor else (
        authority.owner_role(definition, actor) if actor.roles else "system")
    if role is None:
        raise NotPermitted(N_("only the record's owner or a role with the edit right may change it"))
    return Result(state.copy(), [EventDraft(kind=kind, role=role, from_stage=state.stage, payload=dict(payload))])


def set_probability(definition: ProcessDefinition, state: RecordState, actor: Actor, probability: int | None,
                    reason: str | None) -> Result:
    """Override the record's win probability in its current stage (None returns to the stage default)."""
    stage = _require_open(definition, state)
    role = authority.probability_role(definition, state, actor)
    if role is None:
        raise NotPermitted(N_("only the record's owner or a role with the set_probability right may change its probability"))
    if probability is not None and not (0 <= probability <= 100):
        raise BadInput(N_("probability must be between 0 and 100, got %(value)s", value=probability))
    if probability == state.probability_override:
        raise Conflict(N_("the probability already has this value"))
    text = _reason(reason, N_("a probability override")) if probability is not None else (reason or "").strip()
    new = state.copy()
    new.probability_override = probability
    payload = {"old": effective_probability(definition, state), "new": probability if probability is not None
               else stage.probability, "stage_default": stage.probability, "override": probability, "reason": text}
    return Result(new, [EventDraft(kind="probability_overridden", role=role, from_stage=stage.id, payload=payload)])


def delegate(definition: ProcessDefinition, state: RecordState, actor: Actor, to: Actor | None,
             stages: list[str] | None = None) -> Result:
    """Pass the gate decisions of ``stages`` (default: every delegable gate) to a user, or revoke (to=None)."""
    _require_open(definition, state)
    delegable = [stage for stage in definition.open_stages if stage.gate and stage.gate.delegable_to]
    if stages:
        unknown = [item for item in stages if item not in {stage.id for stage in delegable}]
        if unknown:
            raise BadInput(N_("no delegable decision in stage(s): %(stages)s", stages=Names("stages", unknown, ", ".join(unknown))))
        chosen = [stage for stage in delegable if stage.id in stages]
    else:
        chosen = delegable
    if not chosen:
        raise BadInput(N_("process %(process)s has no delegable decisions", process=definition.process))
    role = authority.delegator_role(definition, actor, chosen)
    if role is None:
        raise NotPermitted(N_("only the deciding role may delegate its decisions"))
    new = state.copy()
    if to is None:
        revoked = [stage.id for stage in chosen if stage.id in state.delegations]
        if not revoked:
            raise Conflict(N_("there is no delegation to revoke"))
        for stage_id in revoked:
            new.delegations.pop(stage_id, None)
        return Result(new, [EventDraft(kind="delegation_revoked", role=role, from_stage=state.stage,
                                       payload={"stages": revoked})])
    for stage in chosen:
        if not any(to.has(item) for item in stage.gate.delegable_to):
            names = Names("roles_and", stage.gate.delegable_to,
                          ", ".join(definition.role_title(item) for item in stage.gate.delegable_to))
            raise BadInput(N_("%(name)s cannot take the decision of stage %(stage)s: it is delegable to %(roles)s",
                              name=to.name, stage=stage.id, roles=names))
    for stage in chosen:
        new.delegations[stage.id] = {"user_id": to.user_id, "name": to.name}
    return Result(new, [EventDraft(kind="delegated", role=role, from_stage=state.stage,
                                   payload={"stages": [stage.id for stage in chosen], "to_user_id": to.user_id,
                                            "to_name": to.name})])


def _reopened(definition: ProcessDefinition, state: RecordState, target: str) -> dict[str, list[str]]:
    """What a backward move to ``target`` reopens: work of the target stage and every later open stage."""
    start = definition.open_index(target)
    stages = definition.open_stages[start:]
    stage_ids = {stage.id for stage in stages}
    activities = [activity.id for stage in stages for activity in stage.activities if activity.id in state.done]
    approvals = set()
    for stage in stages:
        approvals.update(definition.gate_requirements(stage).approvals)
        for activity in stage.activities:
            if activity.requires:
                approvals.update(activity.requires.approvals)
    return {
        "activities": activities,
        "decisions": [stage_id for stage_id in state.decisions if stage_id in stage_ids],
        "approvals": sorted(item for item in approvals if item in state.approvals),
    }


def allowed_targets(definition: ProcessDefinition, state: RecordState) -> list[str]:
    """Stages the record can be moved to by the process's rules (not checking gates or rights)."""
    if definition.stage(state.stage).is_outcome:
        return []
    return targets(definition, state.stage)


def move(definition: ProcessDefinition, state: RecordState, actor: Actor, target: str,
         override_reason: str | None = None, language: str = "en") -> Result:
    """Move the record to another stage, enforcing gates, outcome requirements and authority.

    Forward moves must pass the gate of the current stage (and of any stage jumped over, unless an
    explicit transition of the process allows the jump); a mover who may decide a gate's open
    decision decides it with the move. Backward moves are always allowed and reopen the work of the
    stages they return to. Moves to an outcome must meet the outcome's requirements. An authorised
    role may override what is unmet with a written reason.
    """
    current = _require_open(definition, state)
    if not definition.has_stage(target):
        raise BadInput(f"unknown stage {target!r} (stages of {definition.process}: "
                       f"{', '.join(stage.id for stage in definition.stages)})")
    if target == state.stage:
        raise Conflict(N_("the record is already in stage %(stage)s", stage=target))
    destination = definition.stage(target)
    kind = move_kind(definition, state.stage, target)
    extra = next((item for item in definition.transitions if item.from_ == state.stage and item.to == target), None)
    structural = target in targets(definition, state.stage)

    only_by_transition = extra is not None and target not in default_targets(definition, state.stage)

    gates: list[Stage] = []
    skipped: list[str] = []
    if kind == MoveKind.forward:
        skipped = skipped_stages(definition, state.stage, target)
        # An explicit transition is the process's own permission to jump: only the current gate applies
        # (the work of a jumped-over stage cannot be done while the record is elsewhere).
        jumped = [] if only_by_transition else skipped
        gates = [current] + [definition.stage(stage_id) for stage_id in jumped]
    elif kind == MoveKind.exit:
        gates = []

    role = authority.mover_role(definition, state, actor, gates or [current])
    if only_by_transition and extra.roles:
        role = authority.first_role(actor, extra.roles)
    if role is None and destination.is_outcome and authority.closing_deciders(current, destination):
        # Who decides to close a record in an outcome may make that move.
        role = authority.closing_role(definition, state, actor, current, destination)
    if role is None:
        raise NotPermitted(N_("%(name)s may not move this record: moves are made by the record's owner, "
                              "%(role)s or the deciding role", name=actor.name,
                              role=Names("roles", [definition.guideline.responsible],
                                         definition.role_title(definition.guideline.responsible))))

    unmet: list[Item] = []
    implicit_decisions: list[Stage] = []
    closing_no: str | None = None
    closing_unmet: NotPermitted | None = None
    if destination.is_outcome and authority.closing_deciders(current, destination) \
            and not authority.closing_decided(state, current, destination):
        closer = authority.closing_role(definition, state, actor, current, destination)
        if closer is not None:
            role = closer
            if current.gate is not None and current.gate.decision is not None and destination.outcome == Outcome.lost:
                closing_no = closer
        elif override_reason is None or not override_reason.strip():
            raise closing_refusal(definition, current, destination)
        else:
            closing_unmet = closing_refusal(definition, current, destination)
            unmet.append(Item("decision", current.id, closing_unmet.message, current.id))
    if not structural:
        unmet.append(Item("stage", target, f"the process does not allow moving from {state.stage} to {target} "
                                           f"directly (stages skipped: {', '.join(skipped) or 'none'})", target))
    for stage in gates:
        unmet.extend(gate_unmet(definition, state, stage, language))
        if not decision_holds(state, stage):
            if authority.decider_role(definition, state, stage, actor):
                implicit_decisions.append(stage)
            else:
                unmet.append(decision_item(definition, stage, language))
    if destination.requires:
        unmet.extend(unmet_requirements(definition, state, destination.requires, target, language))

    events: list[EventDraft] = []
    new = state.copy()
    if unmet:
        if override_reason is None or not override_reason.strip():
            raise Unmet(N_("cannot enter %(stage)s: %(count)s requirement(s) unmet", stage=target, count=len(unmet))
                        if destination.is_outcome else
                        N_("cannot move to %(stage)s: %(count)s requirement(s) unmet", stage=target, count=len(unmet)),
                        unmet)
        reason = _reason(override_reason, N_("an override"))
        override_by = authority.override_role(definition, state, actor, gates)
        if override_by is None:
            if closing_unmet is not None:
                raise closing_unmet
            raise NotPermitted(N_("overriding unmet requirements needs the deciding role, %(role)s or the override right",
                                  role=Names("roles", [definition.guideline.responsible],
                                             definition.role_title(definition.guideline.responsible))))
        events.append(EventDraft(kind="gate_overridden", role=override_by, from_stage=state.stage, to_stage=target,
                                 payload={"reason": reason, "unmet": [item.to_data() for item in unmet]}))
    for stage in implicit_decisions:
        decider = authority.decider_role(definition, state, stage, actor) or role
        new.decisions[stage.id] = {"answer": "yes", "by": actor.user_id, "by_name": actor.name, "role": decider}
        events.insert(0, EventDraft(kind="decision_made", role=decider, from_stage=stage.id,
                                    payload={"question": stage.gate.decision.get_text("en"), "answer": "yes",
                                             "with_move": True}))

    if closing_no is not None:
        new.decisions[current.id] = {"answer": "no", "by": actor.user_id, "by_name": actor.name, "role": closing_no}
        events.insert(0, EventDraft(kind="decision_made", role=closing_no, from_stage=current.id,
                                    payload={"question": current.gate.decision.get_text("en"), "answer": "no",
                                             "with_move": True, "outcome": target}))

    payload = _move_payload(definition, state, target, kind)
    if skipped:
        payload["skipped"] = skipped
    if state.probability_override is not None:
        payload["probability_override_cleared"] = state.probability_override
    if unmet:
        payload["overridden"] = True
    if kind == MoveKind.backward:
        reopened = _reopened(definition, state, target)
        payload["reopened"] = reopened
        for activity_id in reopened["activities"]:
            new.done.pop(activity_id, None)
        for stage_id in reopened["decisions"]:
            new.decisions.pop(stage_id, None)
        for approval_id in reopened["approvals"]:
            new.approvals.pop(approval_id, None)
    new.stage = target
    new.probability_override = None
    events.extend(_arrival_events(definition, state, target, role, payload))
    return Result(new, events)


def consult(definition: ProcessDefinition, state: RecordState, actor: Actor, activity_id: str, role: str,
            question: str = "", open_requests: frozenset[tuple[str, str]] = frozenset()) -> Result:
    """Ask a Consulted role of an activity's RACI (the request notifies the role and waits for its answer).

    Asked by whoever may do the activity; only the roles the activity lists as ``consulted``; an
    activity already done or a role already asked and not yet answered is a conflict.
    ``open_requests`` holds the (activity, role) pairs asked and not answered.
    """
    activity, owning_stage = _askable_activity(definition, state, activity_id)
    if role not in activity.consulted:
        names = ", ".join(activity.consulted) or "none"
        raise BadInput(f"{role!r} is not consulted on activity {activity_id} (consulted roles: {names})",
                       rule="consult_role", params={"activity": activity_id, "roles": list(activity.consulted)})
    asker = authority.activity_role(definition, state, actor, activity_id)
    if asker is None:
        refusal = activity_refusal(definition, owning_stage, activity_id)
        raise NotPermitted(refusal.message.replace(" is done by ", " is done — and its consulted roles asked — by "),
                           rule="consult_asker", params=refusal.params)
    if activity_id in state.done:
        raise Conflict(N_("activity %(activity)s is done already", activity=activity_id))
    if (activity_id, role) in open_requests:
        raise Conflict(N_("%(role)s was asked on %(activity)s already and has not answered yet",
                           role=Names("roles", [role], definition.role_title(role)), activity=activity_id))
    text = (question or "").strip()
    if len(text) > MAX_REASON:
        raise BadInput(N_("the question is longer than %(limit)s characters", limit=MAX_REASON))
    return Result(state.copy(), [EventDraft(kind="consultation_requested", role=asker, from_stage=state.stage,
                                            activity=activity_id, payload={"consulted": role, "question": text})])


def answer_consultation(definition: ProcessDefinition, state: RecordState, actor: Actor, activity_id: str,
                        role: str, answer: str) -> Result:
    """Answer a consultation request as a holder of the consulted role (the caller checks that one is open)."""
    if not actor.has(role):
        raise NotPermitted(f"the request on {activity_id} is answered by {definition.role_title(role)}",
                           rule="consult_answerer", params={"activity": activity_id, "roles": [role]})
    text = (answer or "").strip()
    if not text:
        raise BadInput(N_("an answer needs a text"))
    if len(text) > MAX_REASON:
        raise BadInput(N_("the answer is longer than %(limit)s characters", limit=MAX_REASON))
    return Result(state.copy(), [EventDraft(kind="consultation_answered", role=role, from_stage=state.stage,
                                            activity=activity_id, payload={"consulted": role, "answer": text})])


def _askable_activity(definition: ProcessDefinition, state: RecordState, activity_id: str) -> tuple[Any, Stage]:
    """The activity and its stage, when it can be worked on now (as `do_activity` would accept it)."""
    activities = definition.activities()
    if activity_id not in activities:
        raise BadInput(f"unknown activity {activity_id!r} (activities of {definition.process}: {', '.join(activities)})")
    owning_stage, activity = activities[activity_id]
    current = definition.stage(state.stage)
    if current.is_outcome and owning_stage.id != current.id:
        _require_open(definition, state)
    if activity_id not in _available_activities(definition, state):
        raise BadInput(N_("activity %(activity)s belongs to stage %(owning)s; the record is in %(stage)s",
                          activity=activity_id, owning=owning_stage.id, stage=state.stage))
    return activity, owning_stage
