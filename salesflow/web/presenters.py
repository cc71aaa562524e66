"""What the record pages show, computed from a record and its process: path, guidance, gate, approvals, timeline.

The rules stay in the engine. Whether a button is offered is asked by calling the engine's pure
action on the record's state without storing anything (a dry run), so a page offers an action
exactly when the service would accept it, and shows the engine's reason when it would not.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from salesflow.engine import actions, authority, requests
from salesflow.engine.errors import EngineError, Item, NotPermitted, Unmet
from salesflow.engine.gates import approval_holds, gate_checklist, record_amount
from salesflow.engine.state import Actor, RecordState
from salesflow.engine.texts import Names
from salesflow.people import access
from salesflow.people.models import User
from salesflow.process.model import BUILTIN_FIELDS, Activity, ProcessDefinition, Stage
from salesflow.records.models import Consultation, Event, Record
from salesflow.records.redaction import HIDDEN_MARK, reader_payloads
from salesflow.web import formats, labels
from salesflow.web.event_kinds import kind_name
from salesflow.web.i18n import Namer, localize
from salesflow.web.templatetags.salesflow_web import current_language, money


@dataclass
class Offer:
    """Whether the engine would accept an action now: ready, blocked (unmet items), not permitted, unavailable."""

    status: str
    message: str = ""
    items: list[Item] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """True when the action would be accepted."""
        return self.status == "ready"

    @property
    def permitted(self) -> bool:
        """True unless the actor's roles forbid the action."""
        return self.status != "not_permitted"


def dry_run(call: Callable[[], Any]) -> Offer:
    """Ask the engine whether an action would pass, without storing anything."""
    try:
        call()
    except Unmet as refusal:
        return Offer("blocked", localize(refusal.message), list(refusal.items))
    except NotPermitted as refusal:
        return Offer("not_permitted", localize(refusal.message))
    except EngineError as refusal:
        return Offer("unavailable", localize(refusal.message))
    return Offer("ready")


# --- names in the page's language --------------------------------------------------------------

def field_title(definition: ProcessDefinition, name: str, language: str) -> str:
    """The title of a built-in or declared field."""
    if name in BUILTIN_FIELDS and name not in definition.fields:
        return labels.label(labels.BUILTIN_FIELD_TITLES, name)
    declared = definition.fields.get(name)
    if declared is not None and declared.title:
        return declared.title.get_text(language)
    return name.replace("_", " ").capitalize()


def stage_title(definition: ProcessDefinition, stage_id: str, language: str) -> str:
    """A stage's title (its id when the process no longer has it)."""
    return definition.stage(stage_id).display_title(language) if definition.has_stage(stage_id) else stage_id


def role_titles(definition: ProcessDefinition, roles: Iterable[str], language: str) -> list[str]:
    """Titles of role ids."""
    return [definition.role_title(role, language) for role in roles]


def describe_item(definition: ProcessDefinition, state: RecordState, item: Item, language: str) -> str:
    """An unmet requirement as a sentence in the page's language."""
    activities = definition.activities()
    if item.kind == "activity" and item.id in activities:
        activity = activities[item.id][1]
        return _("Activity not done: %(title)s (responsible: %(role)s)") % {
            "title": activity.title.get_text(language), "role": definition.role_title(activity.responsible, language)}
    if item.kind == "field":
        return _("Field empty: %(title)s") % {"title": field_title(definition, item.id, language)}
    if item.kind == "approval" and item.id in definition.approvals:
        approval = definition.approvals[item.id]
        amount = record_amount(state)
        grant = state.approvals.get(item.id)
        if grant and amount is not None:
            detail = _("granted for %(granted)s, the amount is now %(amount)s: approve again") % {
                "granted": money(grant.get("amount"), state.values.get("currency", "EUR")),
                "amount": money(amount, state.values.get("currency", "EUR"))}
        elif approval.by_amount and amount is None:
            detail = _("set the amount first (the competence catalog depends on it)")
        else:
            names = role_titles(definition, authority.approver_roles(approval, amount), language)
            detail = (_("to be approved by %(roles)s") % {"roles": _(" or ").join(names)} if names
                      else _("nobody may approve it (the amount is above every band)"))
        return _("Approval missing: %(title)s — %(detail)s") % {"title": approval.title.get_text(language),
                                                               "detail": detail}
    if item.kind == "decision" and definition.has_stage(item.id):
        gate = definition.stage(item.id).gate
        if gate is not None and gate.decision is not None:
            text = _("Decision missing: %(question)s — decided by %(role)s") % {
                "question": gate.decision.get_text(language),
                "role": definition.role_title(gate.decided_by or "", language)}
            if gate.delegable_to:
                text += " " + _("(or a delegated %(roles)s)") % {
                    "roles": ", ".join(role_titles(definition, gate.delegable_to, language))}
            return text
    return localize(item.message, namer(definition, language))


def refusal_text(definition: ProcessDefinition, error: EngineError, language: str) -> str:
    """An engine refusal in the page's language, for the rules that name roles (else the engine's English message)."""
    params = error.params
    roles = _(" or ")
    if error.rule == "closing_decision" and definition.has_stage(params.get("stage", "")) \
            and definition.has_stage(params.get("outcome", "")):
        deciders = roles.join(role_titles(definition, params.get("roles", []), language))
        if params.get("delegates"):
            deciders += " " + _("(or a delegated %(roles)s)") % {
                "roles": ", ".join(role_titles(definition, params["delegates"], language))}
        return _("Closing the record as %(outcome)s from %(stage)s is the decision of %(roles)s.") % {
            "outcome": stage_title(definition, params["outcome"], language),
            "stage": stage_title(definition, params["stage"], language), "roles": deciders}
    if error.rule in ("activity_roles", "consult_asker"):
        activities = definition.activities()
        activity = params.get("activity", "")
        values = {"activity": activities[activity][1].title.get_text(language) if activity in activities else activity,
                  "roles": roles.join(role_titles(definition, params.get("roles", []), language))}
        text = (_("“%(activity)s” is done by %(roles)s.") if error.rule == "activity_roles"
                else _("Who does “%(activity)s” asks its consulted roles: %(roles)s.")) % values
        if params.get("delegated"):
            text += " " + _("(or the user the stage's decision is delegated to)")
        return text
    if error.rule == "consult_answerer":
        return _("This request is answered by %(role)s.") % {
            "role": roles.join(role_titles(definition, params.get("roles", []), language))}
    return localize(error.message, namer(definition, language))


#: parameters of the core's sentences that hold a stage id
STAGE_PARAMETERS = ("stage", "owning", "target", "outcome")


def namer(definition: ProcessDefinition, language: str) -> Namer:
    """Names the ids in the core's sentences by their titles in ``language`` (stages, activities, roles …)."""
    activities = definition.activities()

    def name(key: str, value: Any) -> str | None:
        if isinstance(value, Names):
            if value.kind in ("roles", "roles_and"):
                joiner = _(" or ") if value.kind == "roles" else ", "
                return joiner.join(role_titles(definition, value.ids, language))
            if value.kind == "stages":
                return ", ".join(stage_title(definition, item, language) for item in value.ids)
            if value.kind == "fields":
                return ", ".join(field_title(definition, item, language) for item in value.ids)
            return None
        if not isinstance(value, str):
            return None
        if key in STAGE_PARAMETERS and definition.has_stage(value):
            return stage_title(definition, value, language)
        if key == "activity" and value in activities:
            return activities[value][1].title.get_text(language)
        if key == "approval" and value in definition.approvals:
            return definition.approvals[value].title.get_text(language)
        if key == "field":
            return field_title(definition, value, language)
        return None

    return name


def describe_items(definition: ProcessDefinition, state: RecordState, items: Iterable[Item],
                   language: str | None = None) -> list[str]:
    """Every unmet item as a sentence."""
    language = language or current_language()
    return [describe_item(definition, state, item, language) for item in items]


# --- the stage path ------------------------------------------------------------------------------

def stage_path(definition: ProcessDefinition, record: Record, language: str) -> list[dict[str, Any]]:
    """The stages in order with their probability and whether each is passed, current or ahead."""
    open_ids = [stage.id for stage in definition.open_stages]
    current_open = open_ids.index(record.stage) if record.stage in open_ids else None
    won = record.outcome == "won"
    path = []
    for index, stage in enumerate(definition.stages):
        if stage.id == record.stage:
            status = "current"
        elif stage.is_outcome:
            status = "outcome"
        elif won or (current_open is not None and index < current_open):
            status = "done"
        else:
            status = "ahead"
        path.append({"id": stage.id, "title": stage.display_title(language), "probability": stage.probability,
                     "status": status, "outcome": stage.outcome.value if stage.outcome else "",
                     "max_days": stage.max_days, "number": index + 1})
    return path


def days_in_stage(record: Record, now: datetime.datetime | None = None) -> int:
    """Whole days since the record entered its stage."""
    now = now or timezone.now()
    return max(0, (now - record.stage_entered_at).days)


def is_overdue(definition: ProcessDefinition, record: Record, now: datetime.datetime | None = None) -> bool:
    """True when an open record has been in its stage longer than the stage's ``max_days``."""
    if record.outcome or not definition.has_stage(record.stage):
        return False
    limit = definition.stage(record.stage).max_days
    return limit is not None and days_in_stage(record, now) > limit


# --- guidance, gate, decision, approvals -------------------------------------------------------

def raci(definition: ProcessDefinition, activity: Activity, language: str) -> dict[str, Any]:
    """Who is responsible, accountable, consulted and informed, by role title."""
    return {
        "responsible": definition.role_title(activity.responsible, language),
        "accountable": definition.role_title(activity.accountable, language) if activity.accountable else "",
        "consulted": role_titles(definition, activity.consulted, language),
        "informed": role_titles(definition, activity.informed, language),
    }


def consultation_view(definition: ProcessDefinition, state: RecordState, actor: Actor, activity: Activity,
                      requests: list[Consultation], language: str, may_act: bool) -> dict[str, Any]:
    """An activity's Consulted roles: who may be asked now, the open requests (answerable by the actor?) and answers."""
    mine = [request for request in requests if request.activity == activity.id]
    open_pairs = frozenset((request.activity, request.role) for request in requests if request.is_open)
    askable = []
    if may_act and activity.id not in state.done:
        for role in activity.consulted:
            offer = dry_run(lambda role=role: actions.consult(definition, state, actor, activity.id, role, "",
                                                               open_pairs))
            if offer.ready:
                askable.append({"id": role, "title": definition.role_title(role, language)})
    rows = [{"request": request, "role": definition.role_title(request.role, language),
             "answerable": request.is_open and actor.has(request.role)} for request in mine]
    return {"askable": askable, "requests": rows, "open": sum(1 for request in mine if request.is_open)}


def activity_rows(definition: ProcessDefinition, state: RecordState, actor: Actor, stage: Stage, record: Record,
                  language: str) -> list[dict[str, Any]]:
    """The stage's activities as guidance: RACI, done or not, whether the actor can mark it done or ask its
    consulted roles, and the consultation requests."""
    requests = list(Consultation.objects.filter(record_id=record.pk).order_by("requested_at", "pk"))
    rows = []
    for activity in stage.activities:
        done = state.done.get(activity.id)
        offer = None
        if not done and not record.outcome:
            offer = dry_run(lambda activity_id=activity.id: actions.do_activity(definition, state, actor, activity_id))
        may_act = authority.activity_role(definition, state, actor, activity.id) is not None
        due = None
        if activity.max_days is not None and not stage.is_outcome:
            due = (record.stage_entered_at + datetime.timedelta(days=activity.max_days)).date()
        rows.append({
            "id": activity.id, "title": activity.title.get_text(language),
            "description": activity.description.get_text(language) if activity.description else "",
            "raci": raci(definition, activity, language), "required": activity.required,
            "doers": role_titles(definition, authority.activity_roles(activity), language),
            "delegated": bool(stage.gate and stage.gate.decided_by and stage.gate.delegable_to
                              and stage.gate.decided_by in (activity.responsible, activity.accountable)),
            "consultation": consultation_view(definition, state, actor, activity, requests, language,
                                              may_act and not record.outcome),
            "customer_contact": activity.customer_contact, "done": done, "offer": offer,
            "blocked_by": describe_items(definition, state, offer.items, language) if offer else [],
            "due": due, "overdue": bool(due and not done and due < timezone.localdate()),
        })
    return rows


def checklist(definition: ProcessDefinition, state: RecordState, stage: Stage, language: str) -> list[dict[str, Any]]:
    """The gate checklist: every requirement to leave the stage forwards, met or not."""
    activities = definition.activities()
    rows = []
    for row in gate_checklist(definition, state, stage, language):
        kind, item_id = row["kind"], row["id"]
        if kind == "activity" and item_id in activities:
            text = activities[item_id][1].title.get_text(language)
        elif kind == "field":
            text = field_title(definition, item_id, language)
        elif kind == "approval" and item_id in definition.approvals:
            text = definition.approvals[item_id].title.get_text(language)
        elif kind == "decision" and stage.gate and stage.gate.decision:
            text = stage.gate.decision.get_text(language)
        else:
            text = item_id
        rows.append({"kind": kind, "id": item_id, "met": row["met"], "text": text})
    return rows


def decision_view(definition: ProcessDefinition, state: RecordState, actor: Actor, stage: Stage,
                  language: str) -> dict[str, Any] | None:
    """The stage's gate decision: question, who decides, delegation, the answer so far, what the actor may do."""
    gate = stage.gate
    if gate is None or gate.decision is None or stage.is_outcome:
        return None
    delegation = state.delegations.get(stage.id) or state.delegations.get("*")
    candidates = []
    may_delegate = bool(gate.delegable_to) and authority.delegator_role(definition, actor, [stage]) is not None
    if may_delegate:
        candidates = list(User.objects.filter(roles__id__in=gate.delegable_to, is_active=True).distinct()
                          .order_by("first_name", "last_name", "username"))
    return {
        "question": gate.decision.get_text(language),
        "decided_by": definition.role_title(gate.decided_by or "", language),
        "delegable_to": role_titles(definition, gate.delegable_to, language),
        "on_no": gate.on_no.get_text(language) if gate.on_no else "",
        "answer": state.decisions.get(stage.id),
        "delegation": delegation,
        "yes": dry_run(lambda: actions.decide(definition, state, actor, "yes")),
        "no": dry_run(lambda: actions.decide(definition, state, actor, "no")),
        "may_delegate": may_delegate,
        "candidates": candidates,
        "request": dry_run(lambda: requests.request_decision(definition, state, actor)),
    }


def approval_rows(definition: ProcessDefinition, state: RecordState, actor: Actor, language: str,
                  is_open: bool, record_id: int | None = None) -> list[dict[str, Any]]:
    """Each approval of the process with its competence-catalog bands, the band that applies and its status
    (an amount in another currency than the bands' compared after conversion at today's rate; the record's
    current quote and its largest discount where the approval covers quotes)."""
    from salesflow.records.services import band_conversion, quote_facts

    own_amount = record_amount(state)
    today = timezone.localdate()
    rows = []
    for approval_id, approval in definition.approvals.items():
        try:
            conversion = band_conversion(definition, state, approval_id, today)
        except Unmet:
            conversion = None   # no rate: the offer below says so
        amount = authority.band_amount(own_amount, conversion)
        quote = quote_facts(record_id, definition, approval_id) if record_id is not None else None
        discount = Decimal(quote["max_discount_percent"]) if quote is not None else None
        applies = authority.band_for(approval, amount) if amount is not None and approval.by_amount else None
        bands = [{"up_to": band.up_to, "role": definition.role_title(band.role, language), "applies": index == applies}
                 for index, band in enumerate(approval.by_amount)]
        rows.append({
            "id": approval_id, "title": approval.title.get_text(language),
            "description": approval.description.get_text(language) if approval.description else "",
            "fixed_role": definition.role_title(approval.role, language) if approval.role else "",
            "bands": bands, "grant": state.approvals.get(approval_id),
            "holds": approval_holds(definition, state, approval_id),
            "approvers": role_titles(definition, authority.approver_roles(approval, amount, discount), language),
            "offer": dry_run(lambda approval_id=approval_id, quote=quote: actions.approve(
                definition, state, actor, approval_id,
                conversion=band_conversion(definition, state, approval_id, today), quote=quote)) if is_open else None,
            "request": dry_run(lambda approval_id=approval_id, discount=discount: requests.request_approval(
                definition, state, actor, approval_id, discount=discount)) if is_open else None,
            "refuse": dry_run(lambda approval_id=approval_id: requests.refuse_approval(
                definition, state, actor, approval_id, "-")) if is_open else None,
        })
    return rows


# --- fields -------------------------------------------------------------------------------------

FIELD_ORDER = ("title", "account", "amount", "currency", "close_date", "classification", "owner")


def _user_names(ids: Iterable[Any]) -> dict[int, str]:
    wanted = {int(item) for item in ids if isinstance(item, int) or (isinstance(item, str) and item.isdigit())}
    if not wanted:
        return {}
    return {user.pk: user.display_name for user in User.objects.filter(pk__in=wanted)}


def _usernames(ids: Iterable[Any]) -> dict[int, str]:
    wanted = {int(item) for item in ids if isinstance(item, int) or (isinstance(item, str) and item.isdigit())}
    return dict(User.objects.filter(pk__in=wanted).values_list("pk", "username")) if wanted else {}


def display_value(definition: ProcessDefinition, name: str, value: Any, names: dict[int, str], language: str,
                  currency: str = "EUR") -> str:
    """A canonical field value as a person reads it."""
    if value is None or value == "":
        return "—"
    kind = definition.field_type(name)
    if kind == "money":
        return money(value, currency)
    if kind == "user":
        try:
            return names.get(int(value), str(value))
        except (TypeError, ValueError):
            return str(value)
    if kind == "classification":
        return labels.label(labels.CLASSIFICATIONS, value)
    if kind == "boolean":
        return _("Yes") if value else _("No")
    if kind == "choice":
        declared = definition.fields.get(name)
        if declared is not None and isinstance(declared.choices, dict) and value in declared.choices:
            return declared.choices[value].get_text(language)
    if kind == "date":
        try:
            return date_format(datetime.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
        except ValueError:
            return str(value)
    return str(value)


def field_rows(definition: ProcessDefinition, record: Record, state: RecordState, language: str) -> list[dict]:
    """Every field of the record (built-in first, then the process's) with its value and input details."""
    names = [name for name in FIELD_ORDER] + [name for name in definition.fields if name not in FIELD_ORDER]
    values = dict(state.values)
    values["owner"] = state.owner_id
    user_ids = [values.get(name) for name in names if definition.field_type(name) == "user"]
    display_names = _user_names(user_ids)
    usernames = _usernames(user_ids)
    rows = []
    for name in names:
        kind = definition.field_type(name) or "text"
        value = values.get(name)
        declared = definition.fields.get(name)
        choices: list[tuple[str, str]] = []
        if kind == "choice" and declared is not None and declared.choices is not None:
            if isinstance(declared.choices, dict):
                choices = [(key, text.get_text(language)) for key, text in declared.choices.items()]
            else:
                choices = [(key, key) for key in declared.choices]
        elif kind == "classification":
            choices = [(key, str(text)) for key, text in labels.CLASSIFICATIONS.items()]
        elif kind == "user":
            role = declared.role if declared is not None else None
            people = User.objects.filter(is_active=True).exclude(roles=None)
            if role:
                people = people.filter(roles__id=role)
            choices = [(person.username, person.display_name)
                       for person in people.distinct().order_by("first_name", "last_name", "username")]
        if kind == "user":
            try:
                input_value = usernames.get(int(value), "") if value not in (None, "") else ""
            except (TypeError, ValueError):
                input_value = ""
        else:
            input_value = "" if value is None else str(value)
        rows.append({
            "name": name, "title": field_title(definition, name, language), "type": kind,
            "display": display_value(definition, name, value, display_names, language, record.currency),
            "input": input_value, "choices": choices,
            "help": declared.help.get_text(language) if declared is not None and declared.help else "",
            "required": name in ("title", "currency", "classification"),
        })
    return rows


# --- the timeline -------------------------------------------------------------------------------

def _value_text(definition: ProcessDefinition, name: str, value: Any, names: dict[int, str], language: str) -> str:
    if name == "owner":
        return names.get(value, str(value)) if value is not None else "—"
    return display_value(definition, name, value, names, language)


#: Events of the activity log (`salesflow.activities`).
ACTIVITY_EVENTS = ("activity_logged", "task_added", "task_done", "task_reminded")
#: Events of the sales chain (hand-offs, links, documents, schedules, change control).
CHAIN_EVENTS = ("handoff_sent", "link_added", "link_removed", "document_added", "reminder", "deadline_missed",
                "review_reopened")


def _iso_day(value: Any) -> str:
    """An ISO date of an event's payload in the locale's date format (as it is when it is no date)."""
    try:
        return formats.day(datetime.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return "" if value is None else str(value)


def handoff_title(definition: ProcessDefinition | None, payload: dict[str, Any], language: str) -> str:
    """The name of a hand-off in ``language`` (from the process; the English name the event keeps otherwise)."""
    if definition is not None:
        for _stage, handoff in definition.handoffs():
            if handoff.id == payload.get("handoff"):
                return handoff.title.get_text(language)
    return str(payload.get("title", ""))


def describe_chain_event(kind: str, payload: dict[str, Any], definition: ProcessDefinition | None = None,
                         language: str = "en") -> str:
    """A hand-off, link, document, reminder or re-opened review as a sentence."""
    if kind == "handoff_sent":
        title = handoff_title(definition, payload, language)
        if payload.get(HIDDEN_MARK):
            text = _("Handed over: %(title)s → a record you may not see") % {"title": title}
        else:
            text = _("Handed over: %(title)s → #%(target)s") % {"title": title,
                                                                "target": payload.get("target", "")}
        account = payload.get("account")
        if isinstance(account, dict):
            template = _("(new account %(name)s)") if account.get("created") else _("(account %(name)s)")
            text += " " + template % {"name": account.get("name", "")}
        return text
    if kind in ("link_added", "link_removed"):
        other = payload.get("target") or payload.get("to") or payload.get("from") or ""
        values = {"record": other, "kind": access.link_kind_title(str(payload.get("kind", "")), language)}
        if payload.get(HIDDEN_MARK):
            return (_("Linked with a record you may not see (%(kind)s)") if kind == "link_added"
                    else _("Link with a record you may not see removed (%(kind)s)")) % values
        return (_("Linked with #%(record)s (%(kind)s)") if kind == "link_added"
                else _("Link with #%(record)s removed (%(kind)s)")) % values
    if kind == "document_added":
        return _("Document added: %(name)s (version %(version)s)") % {"name": payload.get("name", ""),
                                                                      "version": payload.get("version", "")}
    if kind == "reminder":
        return _("Reminder: due %(due)s (%(days)s days left)") % {"due": _iso_day(payload.get("due")),
                                                                  "days": payload.get("days_left", "")}
    if kind == "deadline_missed":
        return _("Deadline missed: %(due)s") % {"due": _iso_day(payload.get("due"))}
    return _("Changed after confirmation (%(fields)s): the review of requirements is open again") % {
        "fields": ", ".join(payload.get("fields", []))}


def describe_event(event: Event, definition: ProcessDefinition, names: dict[int, str], language: str,
                   payload: dict[str, Any] | None = None) -> dict:
    """One event of the timeline as a sentence (and a note, when the event carries one).

    ``payload`` is the event's payload as the reader may see it (`salesflow.records.redaction`);
    default: the stored one.
    """
    payload = payload if payload is not None else (event.payload or {})
    kind = event.kind
    note = payload.get("note") or payload.get("reason") or ""
    stage = stage_title(definition, event.from_stage, language) if event.from_stage else ""
    to_stage = stage_title(definition, event.to_stage, language) if event.to_stage else ""
    if kind == "record_created":
        text = _("Created in %(stage)s") % {"stage": to_stage}
        origin = payload.get("origin")
        if isinstance(origin, dict) and origin.get("record"):
            text += " " + _("(hand-off from #%(record)s)") % {"record": origin["record"]}
        elif isinstance(origin, dict) and payload.get(HIDDEN_MARK):
            text += " " + _("(hand-off from a record you may not see)")
    elif kind in CHAIN_EVENTS:
        text = describe_chain_event(kind, payload, definition, language)
    elif kind == "field_changed":
        name = payload.get("field", "")
        text = _("%(field)s: %(old)s → %(new)s") % {
            "field": field_title(definition, name, language),
            "old": _value_text(definition, name, payload.get("old"), names, language),
            "new": _value_text(definition, name, payload.get("new"), names, language)}
    elif kind == "activity_done":
        activities = definition.activities()
        title = activities[event.activity][1].title.get_text(language) if event.activity in activities \
            else payload.get("title", event.activity)
        text = _("Done: %(activity)s") % {"activity": title}
    elif kind == "decision_made":
        gate = definition.stage(event.from_stage).gate if definition.has_stage(event.from_stage) else None
        question = gate.decision.get_text(language) if gate and gate.decision else payload.get("question", "")
        answer = _("yes") if payload.get("answer") == "yes" else _("no")
        text = _("Decided “%(question)s”: %(answer)s") % {"question": question, "answer": answer}
        if payload.get("with_move"):
            text += " " + _("(with the move)")
    elif kind in ("consultation_requested", "consultation_answered"):
        activities = definition.activities()
        title = activities[event.activity][1].title.get_text(language) if event.activity in activities \
            else event.activity
        values = {"role": definition.role_title(payload.get("consulted", ""), language), "activity": title}
        text = (_("Asked %(role)s for advice on “%(activity)s”") if kind == "consultation_requested"
                else _("%(role)s answered on “%(activity)s”")) % values
        note = payload.get("question") or payload.get("answer") or ""
    elif kind == "approval_granted":
        approval = definition.approvals.get(event.approval)
        title = approval.title.get_text(language) if approval else payload.get("title", event.approval)
        text = _("Approved: %(approval)s for %(amount)s") % {"approval": title,
                                                             "amount": money(payload.get("amount"))}
        if payload.get("quote_version"):
            text += " " + _("(%(number)s version %(version)s, largest discount %(discount)s %%)") % {
                "number": payload.get("quote_number") or "", "version": payload["quote_version"],
                "discount": payload.get("max_discount_percent", "")}
    elif kind in ("approval_requested", "approval_refused"):
        approval = definition.approvals.get(event.approval)
        title = approval.title.get_text(language) if approval else payload.get("title", event.approval)
        text = (_("Approval requested: %(approval)s for %(amount)s") if kind == "approval_requested"
                else _("Approval refused: %(approval)s for %(amount)s")) % {
            "approval": title, "amount": money(payload.get("amount"))}
    elif kind == "decision_requested":
        gate = definition.stage(event.from_stage).gate if definition.has_stage(event.from_stage) else None
        question = gate.decision.get_text(language) if gate and gate.decision else payload.get("question", "")
        text = _("Decision requested: “%(question)s”") % {"question": question}
    elif kind == "stage_changed":
        text = _("Moved from %(from)s to %(to)s") % {"from": stage, "to": to_stage}
        if payload.get("direction") == "backward":
            text += " " + _("(back; later work reopened)")
    elif kind == "gate_overridden":
        text = _("Gate overridden (%(count)s unmet) moving to %(to)s") % {
            "count": len(payload.get("unmet", [])), "to": to_stage}
    elif kind == "probability_overridden":
        text = _("Probability %(old)s %% → %(new)s %%") % {"old": payload.get("old"), "new": payload.get("new")}
    elif kind == "delegated":
        text = _("Decisions delegated to %(name)s") % {"name": payload.get("to_name", "")}
    elif kind == "delegation_revoked":
        text = _("Delegation revoked")
    elif kind == "record_closed":
        text = _("Closed as %(outcome)s") % {"outcome": labels.label(labels.OUTCOMES, payload.get("outcome"))}
    elif kind == "members_changed":
        parts = []
        if payload.get("added"):
            parts.append(_("added %(names)s") % {"names": ", ".join(payload["added"])})
        if payload.get("removed"):
            parts.append(_("removed %(names)s") % {"names": ", ".join(payload["removed"])})
        text = _("Members: %(changes)s") % {"changes": "; ".join(parts)}
    elif kind == "inputs_frozen":
        text = _("Inputs assembled and frozen (%(count)s)") % {"count": len(payload.get("inputs", []))}
    elif kind == "nonconformity_raised":
        text = _("Raised as a nonconformity")
    elif kind == "actions_became_tasks":
        text = _("Actions became tasks: %(names)s") % {
            "names": ", ".join(str(row.get("owner_name", "")) for row in payload.get("tasks", []))}
    elif kind == "stock_issued":
        text = _("Issued from stock: %(quantity)s × %(item)s at %(location)s (%(balance)s left)") % {
            "quantity": abs(int(payload.get("quantity") or 0)), "item": payload.get("item", ""),
            "location": payload.get("location", ""), "balance": payload.get("balance", "")}
        note = ""
    elif kind in ACTIVITY_EVENTS:
        from salesflow.activities.presenters import describe as describe_activity

        text, note = describe_activity(kind, payload)
    elif kind == "customer_changed":
        values = {"old": (payload.get("old") or {}).get("name", ""), "new": (payload.get("new") or {}).get("name", "")}
        text = (_("Customer account %(old)s merged into %(new)s") if payload.get("reason") == "merge"
                else _("Customer account: %(old)s → %(new)s")) % values
    elif kind.startswith(("quote_", "order_line")) or kind == "approval_withdrawn":
        from salesflow.quotes.presenters import describe as describe_quote

        text, note = describe_quote(kind, payload)
    elif kind == "security.view_strictly_confidential":
        text = _("Viewed (strictly confidential record)")
    else:
        text = kind_name(kind)
    role = definition.role_title(event.role, language) if event.role else ""
    return {"seq": event.seq, "at": event.at, "actor": event.actor_name, "role": role, "kind": kind.replace(".", "-"),
            "text": text, "note": note if kind != "gate_overridden" else payload.get("reason", "")}


def timeline(record: Record, definition: ProcessDefinition, language: str, limit: int = 200,
             user: Any | None = None) -> list[dict]:
    """The record's events, newest first, as ``user`` may read them (records hidden from them go unnamed)."""
    events = list(Event.objects.filter(record_id=record.pk).order_by("-seq")[:limit])
    payloads = reader_payloads(events, user)
    ids = set()
    for event in events:
        payload = event.payload or {}
        if event.kind == "field_changed":
            for key in ("old", "new"):
                if isinstance(payload.get(key), int):
                    ids.add(payload[key])
    names = _user_names(ids)
    return [describe_event(event, definition, names, language, payloads[event.seq]) for event in events]
