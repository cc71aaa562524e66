"""Who is told what when someone else acts on a record: the texts of the notifications that matter.

Decisions, approvals (granted, refused, asked for), delegations, overrides and hand-offs notify the
record's owner and named members, and a request notifies whoever it asks (the competence catalog's
band role, the deciding role or the user the decision is delegated to). This module only says who
and what (in English and German); `salesflow.records.chain.notify` — the one way every notification
of the product is sent — stores them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from salesflow.engine.state import EventDraft
from salesflow.process.model import ProcessDefinition

LANGUAGES = ("en", "de")

#: The event kinds that notify the record's owner and members.
OWNER_KINDS = ("decision_made", "approval_granted", "approval_refused", "delegated", "delegation_revoked",
               "gate_overridden")
#: The event kinds that notify whoever they ask.
REQUEST_KINDS = ("approval_requested", "decision_requested")


@dataclass
class Notice:
    """One notification to send: to the holders of ``roles``, the users ``user_ids`` and (optionally) the owner."""

    kind: str
    message: dict[str, str]
    roles: list[str] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    include_owner: bool = True


def money(amount: Any, currency: str, language: str) -> str:
    """An amount as a notification shows it: 120,000 EUR (en) or 120.000 EUR (de); cents only when there are any."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    text = f"{value:,.2f}" if value != value.to_integral_value() else f"{value:,.0f}"
    if language == "de":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return f"{text} {currency}".strip()


def _suffix(text: str) -> str:
    return f": {text}" if text else ""


def notice_for(definition: ProcessDefinition, record: Any, event: EventDraft, actor_name: str,
               member_ids: list[int], requester_id: int | None = None) -> Notice | None:
    """The notification an event of an action asks for (None: it notifies nobody here)."""
    payload = event.payload if isinstance(event.payload, dict) else {}
    title = record.title
    kind = event.kind
    texts: dict[str, str] = {}
    for language in LANGUAGES:
        approval = definition.approvals.get(event.approval) if event.approval else None
        approval_title = approval.title.get_text(language) if approval else payload.get("title", event.approval)
        amount = money(payload.get("amount"), record.currency, language) if payload.get("amount") else ""
        texts[language] = _text(definition, kind, language, payload, title, actor_name, approval_title, amount,
                                event)
    if not texts["en"]:
        return None
    if kind in REQUEST_KINDS:
        if kind == "approval_requested":
            return Notice(kind, texts, roles=list(payload.get("asked") or []), include_owner=False)
        delegate = payload.get("delegate_id")
        return Notice(kind, texts, roles=[] if delegate else list(payload.get("asked") or []),
                      user_ids=[int(delegate)] if delegate else [], include_owner=False)
    users = list(member_ids)
    if kind == "delegated" and payload.get("to_user_id"):
        users.append(int(payload["to_user_id"]))
    if kind in ("approval_granted", "approval_refused") and requester_id:
        users.append(int(requester_id))
    return Notice(kind, texts, user_ids=users)


def _text(definition: ProcessDefinition, kind: str, language: str, payload: dict[str, Any], title: str, actor: str,
          approval: str, amount: str, event: EventDraft) -> str:
    de = language == "de"
    for_amount = (f" über {amount}" if de else f" for {amount}") if amount else ""
    note = payload.get("note") or ""
    if kind == "decision_made":
        question = _question(definition, event.from_stage, language) or payload.get("question", "")
        answer = ("ja" if de else "yes") if payload.get("answer") == "yes" else ("nein" if de else "no")
        if de:
            return f"{title}: {actor} hat entschieden „{question}“: {answer}{_suffix(note)}"
        return f"{title}: {actor} decided “{question}”: {answer}{_suffix(note)}"
    if kind == "approval_granted":
        if de:
            return f"{title}: {actor} hat {approval}{for_amount} genehmigt{_suffix(note)}"
        return f"{title}: {actor} approved {approval}{for_amount}{_suffix(note)}"
    if kind == "approval_refused":
        reason = payload.get("reason", "")
        if de:
            return f"{title}: {actor} hat {approval}{for_amount} abgelehnt — Begründung: {reason}"
        return f"{title}: {actor} refused {approval}{for_amount} — reason: {reason}"
    if kind == "approval_requested":
        if de:
            return f"{title}: {actor} bittet um Ihre Genehmigung — {approval}{for_amount}{_suffix(note)}"
        return f"{title}: {actor} asks for your approval — {approval}{for_amount}{_suffix(note)}"
    if kind == "decision_requested":
        question = _question(definition, event.from_stage, language) or payload.get("question", "")
        if de:
            return f"{title}: {actor} bittet um Ihre Entscheidung — „{question}“{_suffix(note)}"
        return f"{title}: {actor} asks for your decision — “{question}”{_suffix(note)}"
    stages = ", ".join(_stage(definition, stage, language) for stage in payload.get("stages", []))
    if kind == "delegated":
        name = payload.get("to_name", "")
        if de:
            return f"{title}: {actor} hat die Entscheidungen ({stages}) an {name} delegiert"
        return f"{title}: {actor} delegated the decisions ({stages}) to {name}"
    if kind == "delegation_revoked":
        if de:
            return f"{title}: {actor} hat die Delegation der Entscheidungen ({stages}) widerrufen"
        return f"{title}: {actor} revoked the delegation of the decisions ({stages})"
    if kind == "gate_overridden":
        target = _stage(definition, event.to_stage, language)
        reason = payload.get("reason", "")
        if de:
            return f"{title}: {actor} hat das Gate übersteuert (nach {target}) — Begründung: {reason}"
        return f"{title}: {actor} overrode the gate (to {target}) — reason: {reason}"
    return ""


def handoff_notice(definition: ProcessDefinition, target_definition: ProcessDefinition, record: Any, target: Any,
                   handoff_title: dict[str, str], actor_name: str, member_ids: list[int]) -> Notice:
    """A hand-off: the source record's owner and members (and the new record's owner) are told."""
    texts = {}
    for language in LANGUAGES:
        name = handoff_title.get(language) or handoff_title.get("en", "")
        process = target_definition.title.get_text(language)
        if language == "de":
            texts[language] = f"{record.title}: {actor_name} hat übergeben — {name} → {process} #{target.pk}"
        else:
            texts[language] = f"{record.title}: {actor_name} handed over — {name} → {process} #{target.pk}"
    users = list(member_ids)
    if target.owner_id:
        users.append(target.owner_id)
    return Notice("handoff_sent", texts, user_ids=users)


def _question(definition: ProcessDefinition, stage_id: str, language: str) -> str:
    if not stage_id or not definition.has_stage(stage_id):
        return ""
    gate = definition.stage(stage_id).gate
    return gate.decision.get_text(language) if gate and gate.decision else ""


def _stage(definition: ProcessDefinition, stage_id: str, language: str) -> str:
    return definition.stage(stage_id).display_title(language) if stage_id and definition.has_stage(stage_id) \
        else stage_id
