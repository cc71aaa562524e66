"""The chain of processes: hand-offs, links between records, schedules, notifications and documents.

A lead converted to an opportunity, a won opportunity handed to order and contract management, a
contract whose notice date approaches starting its renewal opportunity: the process library says
what is handed over (``handoffs``, ``linked_from``, ``schedules``, ``change_control``); this module
carries it out in the transaction of the action that triggered it, with events on both sides.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

from salesflow.accounts.duplicates import company_domain
from salesflow.accounts.models import Account, Contact, normalise_name
from salesflow.engine import actions, authority
from salesflow.engine.errors import BadInput, Conflict, NotPermitted
from salesflow.engine.handoffs import (
    due_steps,
    handoff_account,
    handoff_contact,
    handoff_values,
    schedule_due,
)
from salesflow.engine.state import Actor, EventDraft, Result
from salesflow.people import access
from salesflow.process.model import Handoff, ProcessDefinition, Schedule, Text
from salesflow.records import eventlog, notices, recipients
from salesflow.records.models import Document, Notification, Record, RecordLink, ScheduleFiring

User = get_user_model()

#: The largest document accepted (bytes).
MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
SYSTEM = Actor(user_id=None, name="system", roles=frozenset())


def _services() -> Any:
    from salesflow.records import services

    return services


def _append(record: Record, drafts: list[EventDraft], user: Any | None, at: datetime.datetime) -> None:
    eventlog.append(drafts, actor=_services().actorship(user), at=at, record_id=record.pk,
                    process=record.process.key, process_version=record.process_version.version)


# --- after every action --------------------------------------------------------------------------

def after_action(record: Record, definition: ProcessDefinition, result: Result, user: Any | None,
                 at: datetime.datetime, before_stage: str, options: dict[str, dict[str, Any]]) -> None:
    """Run what an action triggers: notifications its events ask for, hand-offs and effects of the stage entered."""
    for event in result.events:
        roles = event.payload.get("notify") if isinstance(event.payload, dict) else None
        if roles and event.kind == "review_reopened":
            fields = ", ".join(event.payload.get("fields", []))
            notify(record, roles, "review_reopened", {
                "en": f"{record.title}: {fields} changed after confirmation — the review of requirements is open again",
                "de": f"{record.title}: {fields} nach der Bestätigung geändert — die Anforderungsprüfung ist wieder offen",
            }, at, exclude=user)
        elif event.kind in notices.OWNER_KINDS or event.kind in notices.REQUEST_KINDS:
            notify_action(record, definition, event, user, at)
        else:
            notify_raci(record, definition, event, user, at)
    if record.stage != before_stage:
        mover_role = next((event.role for event in result.events if event.kind == "stage_changed"), "")
        run_handoffs(record, definition, user, at, options, mover_role)
        from salesflow.quality import loop

        loop.freeze_inputs(record, definition, user, at, mover_role)
        loop.raise_on_override(record, definition, result, user, at)
        from salesflow.records.effects import run_stage_effects

        run_stage_effects(record, definition, user, at)
    notify_assignments(record, result, user, at)
    ask_for_requests(record, definition, at, exclude=user)


def notify_assignments(record: Record, result: Result, user: Any | None, at: datetime.datetime) -> None:
    """Tell a new owner, or a user the record's decisions were delegated to, that the record is theirs now."""
    for event in result.events:
        payload = event.payload if isinstance(event.payload, dict) else {}
        if event.kind == "field_changed" and payload.get("field") == "owner" and payload.get("new"):
            target, what = payload["new"], ("owner", "Eigentümer")
        elif event.kind == "delegated" and payload.get("to_user_id"):
            target, what = payload["to_user_id"], ("decisions delegated", "Entscheidungen delegiert")
        else:
            continue
        if user is not None and target == user.pk:
            continue
        notify_users(record, User.objects.filter(pk=target, is_active=True), "assigned", {
            "en": f"{record.title}: assigned to you ({what[0]})",
            "de": f"{record.title}: Ihnen zugewiesen ({what[1]})",
        }, at)


class _OnDemand(Mapping[str, Any]):
    """A mapping read from the database only when first looked into (e.g. a quote's discounts, needed only
    while an approval that covers quotes is open)."""

    def __init__(self, load: Callable[[], Mapping[str, Any]]) -> None:
        self._load = load
        self._data: Mapping[str, Any] | None = None

    def _loaded(self) -> Mapping[str, Any]:
        if self._data is None:
            self._data = self._load()
        return self._data

    def __getitem__(self, key: str) -> Any:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


def ask_for_requests(record: Record, definition: ProcessDefinition, at: datetime.datetime,
                     exclude: Any | None = None) -> list[Notification]:
    """Ask the roles whose approval or decision the record now waits for (once per stage entry and role)."""
    from salesflow.engine.requests import open_requests

    created: list[Notification] = []
    if record.closed_at is not None:
        return created
    entered = record.stage_entered_at.isoformat() if record.stage_entered_at else ""
    discounts = _OnDemand(lambda: _services().quote_discounts(record.pk, definition))
    for request in open_requests(definition, record.to_state(), discounts):
        ref = f"{request.kind}:{request.id}:{request.role}:{record.stage}:{entered}"
        kind = f"{request.kind}_requested"
        told = Notification.objects.filter(record=record, kind=kind, message__ref=ref).values_list("user_id", flat=True)
        users = User.objects.filter(is_active=True, roles__id=request.role).exclude(pk__in=list(told)).distinct()
        if exclude is not None:
            users = users.exclude(pk=exclude.pk)
        asked = list(users)
        if not asked:
            continue
        amount_en = f" ({record.amount:,.0f} {record.currency})" if record.amount is not None else ""
        amount_de = amount_en.replace(",", ".")
        if request.kind == "approval":
            message = {"en": f"Approval requested: {request.title.get_text('en')} — {record.title}{amount_en}",
                       "de": f"Freigabe erbeten: {request.title.get_text('de')} — {record.title}{amount_de}"}
        else:
            message = {"en": f"Decision requested: {request.title.get_text('en')} — {record.title}",
                       "de": f"Entscheidung erbeten: {request.title.get_text('de')} — {record.title}"}
        created += notify_users(record, asked, kind, {**message, "ref": ref}, at)
    return created


# --- hand-offs -----------------------------------------------------------------------------------

def run_handoffs(record: Record, definition: ProcessDefinition, user: Any | None, at: datetime.datetime,
                 options: dict[str, dict[str, Any]], role: str) -> list[Record]:
    """Start the linked records of the stage ``record`` just entered (once per record and hand-off); returns them."""
    stage = definition.stage(record.stage)
    unknown = set(options) - {handoff.id for handoff in stage.handoffs}
    if unknown:
        raise BadInput(f"stage {stage.id} has no hand-off {', '.join(sorted(unknown))}")
    if not stage.handoffs:
        return []
    done = set(RecordLink.objects.filter(source=record).exclude(handoff="").values_list("handoff", flat=True))
    from salesflow.records.models import Process

    # a process that is retired (or was never installed) receives no new records
    active = set(Process.objects.filter(retired_at__isnull=True).values_list("key", flat=True))
    results = []
    for handoff in stage.handoffs:
        if handoff.id in done or handoff.process not in active:
            continue
        results.append(_hand_off(record, handoff, user, at, options.get(handoff.id, {}), role or "system"))
    return results


def _hand_off(record: Record, handoff: Handoff, user: Any | None, at: datetime.datetime, option: dict[str, Any],
              role: str) -> Record:
    services = _services()
    state = record.to_state()
    target_process = services.get_process(handoff.process)
    target_version = target_process.current_version()
    if target_version is None:
        raise BadInput(f"hand-off {handoff.id}: process {handoff.process} has no approved version")
    target_definition = services.definition_of(target_version)
    account, created = resolve_account(record, handoff, option)
    contact = None
    contact_fields = handoff_contact(handoff, state)
    if account is not None and contact_fields:
        contact = _contact_at(account, contact_fields, at)
    if account is not None and record.customer_id != account.pk:
        record.customer = account
        record.account = account.name
        record.save(update_fields=["customer", "account"])
    raw = handoff_values(handoff, state, target_definition)
    if account is not None:
        raw["account"] = account.name
    owner_id = record.owner_id
    values = services.canonical_values(target_definition, {k: v for k, v in raw.items() if k != "owner"})
    actor = services.actor_for(user) if user is not None else SYSTEM
    result = actions.create(target_definition, actor, values, owner_id, handed_over_by=role)
    origin = {"record": record.pk, "process": record.process.key, "handoff": handoff.id}
    result.events[0].payload["origin"] = origin
    target = Record(process=target_process, process_version=target_version, created_at=at, updated_at=at,
                    stage_entered_at=at, customer=account)
    target.apply_state(result.state)
    target.save()
    RecordLink.objects.create(source=record, target=target, kind=handoff.link_kind, handoff=handoff.id, created_at=at)
    _append(target, result.events, user, at)
    source_definition = services.definition_of(record.process_version)
    if source_definition.quotes is not None and source_definition.quotes.order_handoff == handoff.id:
        from salesflow.quotes.orders import carry_lines

        carry_lines(record, target, user, at)
    payload: dict[str, Any] = {"handoff": handoff.id, "title": handoff.title.get_text("en"),
                               "process": handoff.process, "target": target.pk, "link": handoff.link_kind}
    if account is not None:
        payload["account"] = {"id": account.pk, "name": account.name, "created": created}
    if contact is not None:
        payload["contact"] = contact.pk
    _append(record, [EventDraft(kind="handoff_sent", role=role, from_stage=record.stage, payload=payload)], user, at)
    people = recipients.owner_and_members(record)
    notice = notices.handoff_notice(services.definition_of(record.process_version), target_definition, record, target,
                                    dict(handoff.title), _actor_name(user), people.member_ids)
    send(record, notice, at, user, known=people.users)
    return target


def resolve_account(record: Record, handoff: Handoff, option: dict[str, Any]) -> tuple[Account | None, bool]:
    """The hand-off's customer: the one picked, the record's own, a matching one, or a new account."""
    picked = option.get("account_id")
    if picked not in (None, ""):
        try:
            account = Account.objects.filter(pk=int(picked)).first()
        except (TypeError, ValueError):
            account = None
        if account is None:
            raise BadInput(f"hand-off {handoff.id}: unknown account {picked}")
        return account, False
    new_account = bool(option.get("new_account"))
    if record.customer_id and not new_account:
        return record.customer, False
    name, email_or_domain = handoff_account(handoff, record.to_state())
    if not name:
        if record.account:
            name = record.account
        elif new_account:
            raise BadInput(f"hand-off {handoff.id}: a new account needs a company name")
        else:
            return None, False
    match = None if new_account else find_account(name, email_or_domain)
    if match is not None:
        return match, False
    if option.get("create") is False:
        raise BadInput(f"hand-off {handoff.id}: no account matches {name!r}; pick one or allow creating it")
    account = Account(name=name[:300], domain=company_domain(email_or_domain), created_at=timezone.now())
    account.save()
    return account, True


def find_account(name: str, email_or_domain: str = "") -> Account | None:
    """An existing account with the same normalised name, else one with the same company (non-free-mail) domain."""
    normalised = normalise_name(name)
    if normalised:
        match = Account.objects.filter(normalised_name=normalised).order_by("id").first()
        if match is not None:
            return match
    domain = company_domain(email_or_domain)
    if domain:
        return Account.objects.filter(domain__iexact=domain).order_by("id").first()
    return None


def _contact_at(account: Account, fields: dict[str, str], at: datetime.datetime) -> Contact:
    email = fields.get("email", "")
    if email:
        existing = Contact.objects.filter(account=account, email__iexact=email).first()
        if existing is not None:
            return existing
    return Contact.objects.create(account=account, created_at=at, **fields)


# --- linked records and links set by hand -----------------------------------------------------------

def create_linked_record(process_key: str, user: Any, fields: dict[str, Any], link_from: int,
                         at: datetime.datetime | None = None) -> Record:
    """Start a record of ``process_key`` from a record of a process its ``linked_from`` names (e.g. an RFP)."""
    services = _services()
    at = at or timezone.now()
    with transaction.atomic():
        try:
            source = _visible_record(link_from, user, lock=True)
        except services.NotFound:
            raise BadInput(f"link_from: record {link_from} not found") from None
        process = services.get_process(process_key)
        version = process.current_version()
        if version is None:
            raise BadInput(f"process {process_key} has no approved version: approve one before starting records")
        definition = services.definition_of(version)
        if source.process.key not in definition.linked_from:
            allowed = ", ".join(definition.linked_from) or "no process"
            raise BadInput(f"a {definition.record} is started from {allowed}, not from {source.process.key}")
        raw = dict(fields)
        raw.setdefault("title", source.title)
        record = services.do_create_record(process_key, user, raw, at=at, customer_id=source.customer_id)
        if not record.account and source.account:
            record.account = source.account
            record.save(update_fields=["account"])
        RecordLink.objects.create(source=source, target=record, kind=definition.record, created_at=at)
        _append(source, [EventDraft(kind="link_added", role=_role_of(source, user), from_stage=source.stage,
                                    payload={"target": record.pk, "kind": definition.record,
                                             "process": process_key})], user, at)
    return record


def do_link_records(source_id: int, target_id: int, user: Any, kind: str = "related",
                    at: datetime.datetime | None = None) -> RecordLink:
    """Link two records by hand (both visible to ``user``); an event on both records."""
    at = at or timezone.now()
    kind = (kind or "related").strip()
    if not kind.replace("_", "").replace("-", "").isalnum() or len(kind) > 64:
        raise BadInput(f"link kind {kind!r}: use letters, digits, - and _ (at most 64)")
    if int(source_id) == int(target_id):
        raise BadInput("a record cannot be linked to itself")
    _services().refuse_read_only(user)
    with transaction.atomic():
        source = _visible_record(source_id, user, lock=True)
        target = _visible_record(target_id, user, lock=True)
        if RecordLink.objects.filter(source=source, target=target).exists() or RecordLink.objects.filter(
                source=target, target=source).exists():
            raise Conflict(f"records {source.pk} and {target.pk} are already linked")
        link = RecordLink.objects.create(source=source, target=target, kind=kind, created_at=at)
        for record, other, direction in ((source, target, "to"), (target, source, "from")):
            _append(record, [EventDraft(kind="link_added", role=_role_of(record, user), from_stage=record.stage,
                                        payload={direction: other.pk, "kind": kind, "process": other.process.key})],
                    user, at)
    return link


def do_unlink_records(source_id: int, target_id: int, user: Any, at: datetime.datetime | None = None) -> None:
    """Remove a link set by hand (hand-off links are history and stay)."""
    at = at or timezone.now()
    _services().refuse_read_only(user)
    with transaction.atomic():
        source = _visible_record(source_id, user, lock=True)
        target = _visible_record(target_id, user, lock=True)
        link = RecordLink.objects.filter(source=source, target=target).first()
        if link is None:
            raise BadInput(f"record {source.pk} has no link to record {target.pk}")
        if link.handoff:
            raise Conflict(f"the link was made by the hand-off {link.handoff} and is part of the record's history")
        link.delete()
        for record, other, direction in ((source, target, "to"), (target, source, "from")):
            _append(record, [EventDraft(kind="link_removed", role=_role_of(record, user), from_stage=record.stage,
                                        payload={direction: other.pk, "kind": link.kind})], user, at)


def _visible_record(record_id: Any, user: Any, lock: bool = False) -> Record:
    services = _services()
    try:
        pk = int(record_id)
    except (TypeError, ValueError):
        raise services.NotFound(f"record {record_id!r} not found") from None
    query = Record.objects.select_related("process", "process_version")
    if lock:
        query = query.select_for_update()
    record = query.filter(pk=pk).first()
    if record is None or (user is not None and not access.can_view(user, record)):
        raise services.NotFound(f"record {record_id} not found")
    return record


def _role_of(record: Record, user: Any | None) -> str:
    if user is None:
        return "system"
    definition = _services().definition_of(record.process_version)
    return authority.owner_role(definition, _services().actor_for(user))


@dataclass
class Link:
    """A link as seen from one record."""

    kind: str
    direction: str  # "out" (this record handed over / links to) or "in" (came from)
    record: Record
    handoff: str = ""
    created_at: datetime.datetime | None = None


def links_of(record: Record, user: Any | None) -> list[Link]:
    """The record's links to records ``user`` may see, both directions, oldest first."""
    outgoing = RecordLink.objects.filter(source=record).select_related("target__process", "target__owner")
    incoming = RecordLink.objects.filter(target=record).select_related("source__process", "source__owner")
    links = [Link(link.kind, "out", link.target, link.handoff, link.created_at) for link in outgoing]
    links += [Link(link.kind, "in", link.source, link.handoff, link.created_at) for link in incoming]
    if user is not None:
        visible = set(access.visible_records(user).filter(pk__in=[link.record.pk for link in links])
                      .values_list("pk", flat=True))
        links = [link for link in links if link.record.pk in visible]
    return sorted(links, key=lambda link: (link.created_at or record.created_at, link.record.pk))


def chain_of(record: Record, user: Any | None, limit: int = 500) -> list[Record]:
    """Every record connected to ``record`` by links (the whole chain: lead → opportunity → order …)."""
    seen = {record.pk}
    frontier = [record.pk]
    while frontier and len(seen) < limit:
        pairs = RecordLink.objects.filter(source_id__in=frontier).values_list("target_id", flat=True)
        back = RecordLink.objects.filter(target_id__in=frontier).values_list("source_id", flat=True)
        frontier = [pk for pk in set(pairs) | set(back) if pk not in seen]
        seen.update(frontier)
    query = Record.objects.filter(pk__in=seen).select_related("process", "owner")
    if user is not None:
        query = access.visible_records(user, query)
    return sorted(query, key=lambda item: (item.created_at, item.pk))


# --- notifications -------------------------------------------------------------------------------

def _actor_name(user: Any | None) -> str:
    return user.display_name if user is not None else "system"


def _active_owner(owner_id: int, known: Mapping[int, Any] | None = None) -> Any | None:
    """The user ``owner_id`` if active and holding a role, with the role ids read in the same statement (the
    visibility check of `notify_users` needs them); taken from ``known`` when there. A user without roles
    sees no record: None."""
    if known is not None and owner_id in known:
        owner = known[owner_id]
        return owner if owner.is_active and owner.role_ids() else None
    links = list(User.roles.through.objects.filter(user_id=owner_id, user__is_active=True).select_related("user"))
    if not links:
        return None
    owner = links[0].user
    owner.remember_role_ids(link.role_id for link in links)
    return owner


def send(record: Record, notice: notices.Notice, at: datetime.datetime, user: Any | None,
         known: Mapping[int, Any] | None = None) -> list[Notification]:
    """Send a `notices.Notice` through `notify` (the acting user is never told of their own action)."""
    return notify(record, notice.roles, notice.kind, notice.message, at, include_owner=notice.include_owner,
                  exclude=user, user_ids=notice.user_ids, known=known)


def notify_action(record: Record, definition: ProcessDefinition, event: EventDraft, user: Any | None,
                  at: datetime.datetime) -> None:
    """Decisions, approvals, refusals, delegations and overrides tell the owner and members; requests tell
    whoever they ask (`salesflow.records.notices`)."""
    requester = None
    if event.kind == "approval_refused":
        requester = event.payload.get("requested_by")
    elif event.kind == "approval_granted":
        requester = _services().last_requester(record.pk, event.approval)
    if event.kind in notices.REQUEST_KINDS:  # a request tells whoever it asks, not the owner and members
        notice = notices.notice_for(definition, record, event, _actor_name(user), [], requester)
        if notice is not None:
            send(record, notice, at, user)
        return
    people = recipients.owner_and_members(record)
    notice = notices.notice_for(definition, record, event, _actor_name(user), people.member_ids, requester)
    if notice is not None:
        send(record, notice, at, user, known=people.users)


def notify_raci(record: Record, definition: ProcessDefinition, event: EventDraft, user: Any | None,
                at: datetime.datetime) -> None:
    """The RACI's notifications: Informed roles when an activity is done, a Consulted role when it is asked,
    the asker when the consulted role answers."""
    activities = definition.activities()
    if event.kind not in ("activity_done", "consultation_requested", "consultation_answered") \
            or event.activity not in activities:
        return
    title = activities[event.activity][1].title
    names = {language: title.get_text(language) for language in ("en", "de")}
    payload = event.payload if isinstance(event.payload, dict) else {}
    if event.kind == "activity_done":
        informed = activities[event.activity][1].informed
        if informed:
            notify(record, list(informed), "activity_done", {
                "en": f"{record.title}: done — {names['en']}",
                "de": f"{record.title}: erledigt — {names['de']}",
            }, at, include_owner=False, exclude=user)
    elif event.kind == "consultation_requested":
        question = payload.get("question") or ""
        notify(record, [payload.get("consulted", "")], "consultation_requested", {
            "en": f"{record.title}: your advice is asked on “{names['en']}”" + (f": {question}" if question else ""),
            "de": f"{record.title}: Ihr Rat ist gefragt zu „{names['de']}“" + (f": {question}" if question else ""),
        }, at, include_owner=False, exclude=user)
    else:
        from salesflow.records.models import Consultation

        request = (Consultation.objects.filter(record=record, activity=event.activity, role=payload.get("consulted"),
                                               answered_at__isnull=True).order_by("requested_at", "pk").first())
        if request is not None and request.requested_by_id:
            notify(record, [], "consultation_answered", {
                "en": f"{record.title}: answered on “{names['en']}”: {payload.get('answer', '')}",
                "de": f"{record.title}: beantwortet zu „{names['de']}“: {payload.get('answer', '')}",
            }, at, include_owner=False, exclude=user, user_ids=[request.requested_by_id])


def notify(record: Record | None, roles: list[str], kind: str, message: dict[str, str], at: datetime.datetime,
           include_owner: bool = True, exclude: Any | None = None, user_ids: list[int] | None = None,
           known: Mapping[int, Any] | None = None) -> list[Notification]:
    """Notify the users holding ``roles`` (and the record's owner; and the users with the ids ``user_ids``) who may
    see the record. Every notification of the product goes through here. ``known``: users already read (by id,
    active or not, their role ids remembered), not read again."""
    users: list[Any] = []
    wanted_ids = [user_id for user_id in (user_ids or []) if known is None or user_id not in known]
    if roles or wanted_ids:
        wanted = User.objects.filter(is_active=True, roles__id__in=list(roles))
        if wanted_ids:
            wanted = User.objects.filter(is_active=True).filter(
                models.Q(roles__id__in=list(roles)) | models.Q(pk__in=wanted_ids))
        users = list(wanted.distinct())
    if known is not None:
        found = {item.pk for item in users}
        users += [known[user_id] for user_id in dict.fromkeys(user_ids or [])
                  if user_id in known and user_id not in found and known[user_id].is_active]
    if include_owner and record is not None and record.owner_id and record.owner_id not in {item.pk for item in users}:
        owner = _active_owner(record.owner_id, known)
        if owner is not None:
            users.append(owner)
    return notify_users(record, [user for user in users
                                 if exclude is None or user.pk != getattr(exclude, "pk", None)], kind, message, at)


def notify_users(record: Record | None, users: Any, kind: str, message: dict[str, str],
                 at: datetime.datetime) -> list[Notification]:
    """Notify these users (those who may see the record); every notification also goes out by e-mail.

    This is the one place notifications are made: the e-mail outbox (``salesflow.mail``) queues a
    mail for each, by the recipient's preferences and in their language.
    """
    created = []
    users = list(users)
    if record is not None:
        User.load_role_ids(users)  # one query for everyone's roles, not one per user (visibility needs them)
    for user in users:
        if record is not None and not access.can_view(user, record):
            continue
        created.append(Notification(user=user, record=record, kind=kind, message=message, created_at=at))
    created = Notification.objects.bulk_create(created)
    from salesflow.mail.outbox import queue_notifications

    queue_notifications(created)
    return created


def notifications_of(user: Any) -> Any:
    """The user's notifications about records they (still) may see, or about no record."""
    from django.db.models import Q

    return Notification.objects.filter(user=user).filter(
        Q(record__isnull=True) | Q(record__in=access.visible_records(user).values("pk")))


def do_mark_notifications_read(user: Any, ids: list[int] | None = None, at: datetime.datetime | None = None) -> int:
    """Mark a user's notifications (all unread, or the given ids) as read; returns how many."""
    query = notifications_of(user).filter(read_at__isnull=True)
    if ids is not None:
        query = query.filter(pk__in=ids)
    return query.update(read_at=at or timezone.now())


# --- schedules -----------------------------------------------------------------------------------

@dataclass
class ScheduleSummary:
    """What one run of the scheduled job did."""

    reminders: int = 0
    breaches: int = 0
    moves: int = 0
    handoffs: int = 0
    records: list[int] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return {"reminders": self.reminders, "breaches": self.breaches, "moves": self.moves,
                "handoffs": self.handoffs, "records": sorted(set(self.records))}


def do_run_schedules(today: datetime.date | None = None, at: datetime.datetime | None = None) -> ScheduleSummary:
    """Fire every schedule whose time has come: reminders, deadline breaches, timed moves (idempotent).

    Each firing is kept (record, schedule, step, due date): running the job again the same day — or
    later — fires nothing twice. A reminder reached late fires only the nearest step.
    """
    at = at or timezone.now()
    today = today or timezone.localdate(at)
    summary = ScheduleSummary()
    services = _services()
    from salesflow.records.models import Process

    for process in Process.objects.all():
        versions = {version.pk: version for version in process.versions.all()}
        for version in versions.values():
            definition = services.definition_of(version)
            for schedule in definition.schedules:
                candidates = Record.objects.filter(process_version=version, stage__in=schedule.stages).values_list(
                    "pk", flat=True)
                for record_id in list(candidates):
                    with transaction.atomic():
                        _fire(record_id, definition, schedule, today, at, summary)
    return summary


def _fire(record_id: int, definition: ProcessDefinition, schedule: Schedule, today: datetime.date,
          at: datetime.datetime, summary: ScheduleSummary) -> None:
    record = Record.objects.select_for_update().select_related("process", "process_version").get(pk=record_id)
    if record.stage not in schedule.stages:
        return
    due = schedule_due(schedule, record.to_state())
    if due is None:
        return
    steps = due_steps(schedule, due, today)
    fired = set(ScheduleFiring.objects.filter(record=record, schedule=schedule.id, due=due).values_list("step", flat=True))
    new_steps = [step for step in steps if step not in fired]
    if not new_steps:
        return
    for step in new_steps:
        ScheduleFiring.objects.create(record=record, schedule=schedule.id, step=step, due=due, at=at)
    title = schedule.title or Text(en=schedule.id.replace("_", " "))
    reminder_steps = [step for step in new_steps if step != "breach"]
    drafts = []
    if reminder_steps:
        days = (due - today).days
        drafts.append(EventDraft(kind="reminder", role="system", from_stage=record.stage,
                                 payload={"schedule": schedule.id, "due": due.isoformat(), "days_left": days,
                                          "steps": reminder_steps}))
        summary.reminders += 1
        # The text names the due date only: how far away it is is computed when the notification is shown.
        notify(record, schedule.notify, "reminder", {
            "en": f"{title.get_text('en')}: {record.title} — due {due.isoformat()}",
            "de": f"{title.get_text('de')}: {record.title} — fällig am {due.isoformat()}",
            "due": due.isoformat(),
        }, at)
    if "breach" in new_steps:
        drafts.append(EventDraft(kind="deadline_missed", role="system", from_stage=record.stage,
                                 payload={"schedule": schedule.id, "due": due.isoformat()}))
        summary.breaches += 1
        notify(record, schedule.notify, "deadline_missed", {
            "en": f"{title.get_text('en')}: {record.title} — the deadline {due.isoformat()} was missed",
            "de": f"{title.get_text('de')}: {record.title} — die Frist {due.isoformat()} wurde versäumt",
        }, at)
    _append(record, drafts, None, at)
    summary.records.append(record.pk)
    if schedule.move_to and reminder_steps and record.stage != schedule.move_to:
        result = actions.timer_move(definition, record.to_state(), schedule.move_to, schedule.id)
        _services().write_result(record, definition, result, None, at)
        summary.moves += 1
        summary.handoffs += len(run_handoffs(record, definition, None, at, {}, "system"))


# --- documents -----------------------------------------------------------------------------------

def do_add_document(record_id: int, user: Any, name: str, content: bytes, content_type: str = "",
                    note: str = "", at: datetime.datetime | None = None) -> Document:
    """Add a document to a record; the same name again becomes its next version. An event names its hash."""
    services = _services()
    at = at or timezone.now()
    name = (name or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        raise BadInput("document: a file name is required")
    if len(name) > 255:
        raise BadInput("document: the file name is longer than 255 characters")
    if not content:
        raise BadInput(f"document {name}: the file is empty")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise BadInput(f"document {name}: larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    services.refuse_read_only(user)
    with transaction.atomic():
        record = _visible_record(record_id, user, lock=True)
        definition = services.definition_of(record.process_version)
        role = authority.editor_role(definition, record.to_state(), services.actor_for(user))
        if role is None:
            raise NotPermitted("only the record's owner or a role with the edit right may add documents")
        latest = Document.objects.filter(record=record, name=name).order_by("-version").first()
        version = latest.version + 1 if latest else 1
        digest = hashlib.sha256(content).hexdigest()
        if latest is not None and latest.sha256 == digest:
            raise Conflict(f"document {name}: version {latest.version} has the same content")
        document = Document.objects.create(
            record=record, name=name, version=version, content=content, size=len(content), sha256=digest,
            content_type=(content_type or "application/octet-stream")[:127], note=(note or "").strip()[:2000],
            uploaded_by=user, uploaded_by_name=user.display_name, at=at)
        record.version += 1
        record.updated_at = at
        record.save(update_fields=["version", "updated_at"])
        _append(record, [EventDraft(kind="document_added", role=role, from_stage=record.stage,
                                    payload={"name": name, "version": version, "sha256": digest,
                                             "size": len(content), "document": document.pk})], user, at)
    return document
