"""Domain actions: each one transaction that writes the change and its events, or nothing.

Interfaces (CLI, web, API) parse input, call one of these functions and render the result. The
rules themselves live in `salesflow.engine`; this module locks, loads, asks the engine, stores.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from salesflow.engine import actions, authority, requests
from salesflow.engine.errors import BadInput, Conflict, EngineError, NotPermitted
from salesflow.engine.fields import coerce
from salesflow.engine.state import Actor, EventDraft, RecordState, Result
from salesflow.people import access
from salesflow.people.models import Role
from salesflow.process.model import FieldType, ProcessDefinition, Status
from salesflow.process.validate import ParsedProcess
from salesflow.records import eventlog, writing
from salesflow.records.models import Acknowledgement, Consultation, Process, ProcessVersion, Record

User = get_user_model()


class NotFound(EngineError):
    """The record, process or user does not exist (or is not visible to the actor)."""

    code = "not_found"


class VersionConflict(EngineError):
    """The record changed since the client read it."""

    code = "conflict"


# --- actors and definitions ----------------------------------------------------------------------

def actor_for(user: Any) -> Actor:
    """The engine's view of a user."""
    return Actor(user_id=user.pk, name=user.display_name, roles=user.role_ids())


def actorship(user: Any | None) -> eventlog.Actorship:
    """How the event log names a user (or the system)."""
    if user is None:
        return eventlog.Actorship(None, "system")
    return eventlog.Actorship(user.pk, user.display_name)


@lru_cache(maxsize=256)
def _definition(version_id: int, sha256: str) -> ProcessDefinition:
    data = ProcessVersion.objects.values_list("definition", flat=True).get(pk=version_id)
    return ProcessDefinition.model_validate(data)


def definition_of(version: ProcessVersion) -> ProcessDefinition:
    """The parsed definition of a process version (cached)."""
    return _definition(version.pk, version.sha256)


def get_user(name_or_id: Any) -> Any:
    """A user by user name (or numeric id). Raises `NotFound`."""
    text = str(name_or_id).strip()
    query = User.objects.filter(is_active=True)
    user = query.filter(username=text).first()
    if user is None and text.isdigit():
        user = query.filter(pk=int(text)).first()
    if user is None:
        raise NotFound(f"unknown user {text!r}")
    return user


def get_process(key: str) -> Process:
    """A process by key. Raises `NotFound`."""
    process = Process.objects.filter(key=key).first()
    if process is None:
        known = ", ".join(Process.objects.values_list("key", flat=True)) or "none loaded"
        raise NotFound(f"unknown process {key!r} (processes: {known})")
    return process


# --- process library -----------------------------------------------------------------------------

@dataclass
class LoadResult:
    """What loading one process file did."""

    process: str
    version: int
    status: str  # added | unchanged
    file: str = ""
    stored_as: str = ""  # the document-control status stored (draft when an approved file had no approver)
    note: str = ""       # why an approved file was stored as a draft, or that it waits for its effective date


def sync_roles(definition: ProcessDefinition) -> None:
    """Make every role of the process known (titles from the library)."""
    for role_id, role in definition.roles.items():
        Role.objects.update_or_create(id=role_id, defaults={"title": dict(role.title)})


def do_load_process(parsed: ParsedProcess, by: Any | None = None, approved_by: Any | None = None,
                    install: bool = False) -> LoadResult:
    """Add a process version from a validated file; an identical version is left unchanged.

    A loaded version with the same number but different content is refused: versions are never
    rewritten. A file that says ``approved`` is stored as approved only when its approver holds the
    responsible (or deputy approver) role — ``approved_by``, else ``by`` — or when the system installs
    the shipped library (``install``) or a process without an approved version; otherwise it is stored
    as a draft that goes through review (`salesflow.guidelines.control.load_approval`). An approved
    version whose ``effective_date`` lies ahead waits for it (the scheduled job puts it in force);
    otherwise it makes the previously approved version obsolete now.
    """
    from salesflow.guidelines import control
    from salesflow.guidelines.services import obsolete_before

    definition = parsed.definition
    sha = hashlib.sha256(parsed.source.encode("utf-8")).hexdigest()
    with transaction.atomic():
        process, _ = Process.objects.get_or_create(
            key=definition.process,
            defaults={"title": dict(definition.title), "record_type": definition.record},
        )
        process = Process.objects.select_for_update().get(pk=process.pk)
        existing = ProcessVersion.objects.filter(process=process, version=definition.version).first()
        if existing is not None:
            if existing.sha256 == sha:
                return LoadResult(definition.process, definition.version, "unchanged", parsed.file, existing.status)
            raise BadInput(f"{parsed.file}: {definition.process} version {definition.version} is already loaded with "
                           "different content; give the changed process a new version number")
        if process.record_type != definition.record:
            raise BadInput(f"{parsed.file}: {definition.process} runs {process.record_type} records, "
                           f"this version says {definition.record}")
        current_version = process.current_version()
        current = definition_of(current_version) if current_version is not None else None

        def person(user: Any | None) -> control.Person | None:
            return control.Person(user.pk, user.display_name, user.role_ids()) if user is not None else None

        decision = control.load_approval(person(by), person(approved_by), current, definition, install)
        status = decision.status
        loaded_at = timezone.now()
        approved = status == Status.approved.value
        approver = (approved_by or by) if approved and decision.approver is not None else None
        effective = _effective_date(definition.guideline.effective_date, loaded_at) if approved else None
        scheduled = bool(approved and effective and effective > timezone.localdate(loaded_at))
        version = ProcessVersion.objects.create(
            process=process, version=definition.version, source=parsed.source, definition=definition.to_data(),
            sha256=sha, status=status, author=by, author_name=by.display_name if by else "system",
            change_note=definition.guideline.change_note.get_text("en") if definition.guideline.change_note else "",
            approved_at=loaded_at if approved else None, approver=approver,
            approver_name=((f"{approver.display_name} (loaded)" if approver is not None else "system (installed)")
                           if approved else ""),
            effective_date=effective, scheduled=scheduled,
        )
        obsoleted = obsolete_before(process, version, loaded_at) if approved and not scheduled else []
        process.title = dict(definition.title)
        process.save(update_fields=["title"])
        sync_roles(definition)
        payload: dict[str, Any] = {"sha256": sha, "status": status, "obsoleted": obsoleted, "file": parsed.file}
        if approved:
            payload.update(approver=approver.username if approver is not None else None, role=decision.role,
                           effective_date=effective.isoformat() if effective else None, scheduled=scheduled)
        if decision.demoted:
            payload["requested_status"] = Status.approved.value
        eventlog.append([EventDraft(kind="process_version_added", payload=payload)],
                        actor=actorship(by), at=timezone.now(), process=definition.process,
                        process_version=definition.version)
    note = decision.reason
    if scheduled and effective is not None:
        note = f"approved; in force from {effective.isoformat()} (the scheduled job `salesflow jobs run` puts it in force)"
    return LoadResult(definition.process, definition.version, "added", parsed.file, status, note)


def _effective_date(text: str | None, loaded_at: datetime.datetime) -> datetime.date:
    """The guideline's effective date (ISO text), or the day it was loaded."""
    try:
        return datetime.date.fromisoformat(text) if text else timezone.localdate(loaded_at)
    except ValueError:
        return timezone.localdate(loaded_at)


# --- field values --------------------------------------------------------------------------------

def canonical_values(definition: ProcessDefinition, raw: dict[str, Any]) -> dict[str, Any]:
    """Check and convert raw field values (as typed) to canonical values; users become ids."""
    values: dict[str, Any] = {}
    for name, value in raw.items():
        canonical = coerce(definition, name, value)
        if canonical is not None and definition.field_type(name) == "user":
            user = value if isinstance(value, User) else get_user(value)
            declared = definition.fields.get(name)
            if declared is not None and declared.type == FieldType.user and declared.role:
                if declared.role not in user.role_ids():
                    raise BadInput(f"{name}: {user.username} does not hold the role {declared.role}")
            canonical = user.pk
        values[name] = canonical
    return values


# --- records -------------------------------------------------------------------------------------

def check_acknowledgement(process: Process, user: Any) -> None:
    """Refuse (NotPermitted) when the process requires its current guideline read and ``user`` has not."""
    if not process.require_acknowledgement or user is None:
        return
    current = process.current_version()
    if current is None or Acknowledgement.objects.filter(user_id=user.pk, process_version=current).exists():
        return
    raise NotPermitted(f"{process.key} requires reading its current guideline (version {current.version}) before "
                       f"acting in it: acknowledge it on the guideline page or with "
                       f"`salesflow process acknowledge {process.key} --as {user.username}`")


def refuse_retired(process: Process) -> None:
    """A retired process starts no new records (running ones finish under their version)."""
    if process.retired_at is not None:
        raise Conflict(f"process {process.key} is retired since {process.retired_at:%Y-%m-%d}: it starts no new "
                       "records (running records finish under their version)")


def do_create_record(process_key: str, user: Any, fields: dict[str, Any],
                     at: datetime.datetime | None = None, link_from: int | None = None,
                     customer_id: int | None = None) -> Record:
    """Create a record of a process under its current approved version; the creator owns it by default.

    ``link_from`` starts it linked to a record of a process named in this process's ``linked_from``
    (e.g. an RFP from its opportunity; the customer is taken over); ``customer_id`` names its account.
    """
    if link_from is not None:
        from salesflow.records.chain import create_linked_record

        return create_linked_record(process_key, user, fields, link_from, at)
    at = at or timezone.now()
    refuse_read_only(user)
    process = get_process(process_key)
    refuse_retired(process)
    version = process.current_version()
    check_acknowledgement(process, user)
    if version is None:
        raise BadInput(f"process {process_key} has no approved version: approve one before starting records")
    definition = definition_of(version)
    raw = dict(fields)
    owner_raw = raw.pop("owner", None)
    values = canonical_values(definition, raw)
    owner = get_user(owner_raw) if owner_raw not in (None, "") else user
    customer = customer_for(values, customer_id)
    result = actions.create(definition, actor_for(user), values, owner.pk)
    if customer is not None:
        result.events[0].payload["customer"] = {"id": customer.pk, "name": customer.name}
    with transaction.atomic():
        record = Record(process=process, process_version=version, created_at=at, updated_at=at, stage_entered_at=at,
                        customer=customer)
        record.apply_state(result.state)
        sync_account_name(record, definition)
        record.save()
        eventlog.append(result.events, actor=actorship(user), at=at, record_id=record.pk,
                        process=process.key, process_version=version.version)
        if definition.first_stage.freeze_inputs:
            from salesflow.quality import loop

            loop.freeze_inputs(record, definition, user, at, result.events[0].role)
    return record


def customer_for(values: dict[str, Any], customer_id: Any) -> Any:
    """The customer account of a new record: the one named by id (its name becomes the record's account when
    none is typed), else the one account whose normalised name is the typed account's. None: no account."""
    from salesflow.accounts.models import Account, normalise_name

    if customer_id not in (None, ""):
        try:
            customer = Account.objects.filter(pk=int(customer_id)).first()
        except (TypeError, ValueError):
            raise BadInput(f"customer: an account id (a whole number) expected, got {customer_id!r}") from None
        if customer is None:
            raise BadInput(f"customer: unknown account {customer_id}")
        values.setdefault("account", customer.name)
        return customer
    key = normalise_name(str(values.get("account") or ""))
    if not key:
        return None
    matches = list(Account.objects.filter(normalised_name=key).order_by("id")[:2])
    return matches[0] if len(matches) == 1 else None


def sync_account_name(record: Record, definition: ProcessDefinition) -> None:
    """A record without a customer account shows the company its hand-off would find the account by.

    E.g. a lead's ``company`` field: lists, search and the account column show it before the lead is
    converted (the conversion then links the account and sets the name).
    """
    if record.customer_id:
        return
    for _stage, handoff in definition.handoffs():
        if handoff.account is not None:
            name = record.values.get(handoff.account.name)
            if name:
                record.account = str(name)[:2000]
                return


def refuse_read_only(user: Any) -> None:
    """Auditors and other read-only users never change anything (one rule for every interface)."""
    if access.is_read_only(user):
        raise NotPermitted(f"{user.display_name} has read-only access")


def _act(record_id: int, user: Any, action: Callable[[ProcessDefinition, RecordState, Actor], Result],
         expected_version: int | None = None, at: datetime.datetime | None = None,
         handoff_options: dict[str, dict[str, Any]] | None = None,
         then: Callable[[Record, Result, datetime.datetime], None] | None = None) -> Record:
    """Lock the record, let the engine decide, write the new state and its events — or nothing.

    In the same transaction: entering a stage runs its hand-offs (records started in the next
    processes), events that name roles to notify (e.g. a re-opened review) notify them, and ``then``
    stores what belongs to the action besides the record (e.g. a consultation request).
    """
    from salesflow.records.locking import lock_record

    at = at or timezone.now()
    with transaction.atomic():
        record = lock_record(record_id)
        if record is None or not access.can_view(user, record):
            raise NotFound(f"record {record_id} not found")
        if expected_version is not None and record.version != expected_version:
            raise VersionConflict(f"record {record_id} was changed by someone else (version {record.version}, "
                                  f"you had {expected_version}): reload it")
        refuse_read_only(user)
        check_acknowledgement(record.process, user)
        loaded = record.column_values()
        definition = definition_of(record.process_version)
        result = action(definition, record.to_state(), actor_for(user))
        before_stage = record.stage
        write_result(record, definition, result, user, at, loaded=loaded)
        from salesflow.records import chain

        chain.after_action(record, definition, result, user, at, before_stage, handoff_options or {})
        if then is not None:
            then(record, result, at)
    return record


def write_result(record: Record, definition: ProcessDefinition, result: Result, user: Any | None,
                 at: datetime.datetime, loaded: dict[str, Any] | None = None) -> None:
    """Store an engine result on a locked record: its new state, version, stage dates, outcome, and its events.

    ``loaded``: the record's `Record.column_values` as read under the lock; then only the columns that
    differ from them are written (else every column).
    """
    before_stage = record.stage
    actions.close_on(result, timezone.localdate(at).isoformat())
    record.apply_state(result.state)
    sync_account_name(record, definition)
    record.version += 1
    record.updated_at = at
    if record.stage != before_stage:
        record.stage_entered_at = at
        stage = definition.stage(record.stage)
        record.outcome = stage.outcome.value if stage.outcome else ""
        record.closed_at = at if stage.outcome else None
    writing.save_columns(record, record.changed_columns(loaded) if loaded is not None else None)
    eventlog.append(result.events, actor=actorship(user), at=at, record_id=record.pk,
                    process=record.process.key, process_version=record.process_version.version)


def do_set_fields(record_id: int, user: Any, fields: dict[str, Any], expected_version: int | None = None,
                  at: datetime.datetime | None = None) -> Record:
    """Change fields of a record (values as typed; ``owner`` by user name)."""
    def action(definition: ProcessDefinition, state: RecordState, actor: Actor) -> Result:
        raw = dict(fields)
        changes = canonical_values(definition, {k: v for k, v in raw.items() if k != "owner"})
        if "owner" in raw:
            changes["owner"] = get_user(raw["owner"]).pk
        quote = current_quote_of(record_id, definition) if set(changes) & fixed_by_quote(definition) else None
        return actions.edit_fields(definition, state, actor, changes, quote)
    if not fields:
        raise BadInput("no field given: use name=value")
    return _act(record_id, user, action, expected_version, at)


def do_complete_activity(record_id: int, user: Any, activity: str, note: str = "",
                         expected_version: int | None = None, at: datetime.datetime | None = None) -> Record:
    """Mark an activity as done. The process's offer-sending activity (``quotes.send_activity``) sends the
    current quote's document: its SHA-256 goes into the event and the document onto the record."""
    sent: list[Any] = []

    def action(definition: ProcessDefinition, state: RecordState, actor: Actor) -> Result:
        result = actions.do_activity(definition, state, actor, activity, note)
        if definition.quotes is not None and definition.quotes.send_activity == activity:
            from salesflow.quotes.document import offer_for_sending

            offer = offer_for_sending(record_id)
            if offer is not None:
                sent.append(offer)
                result.events[0].payload.update(offer.facts())
        return result

    def then(record: Record, result: Result, when: datetime.datetime) -> None:
        if sent:
            from salesflow.quotes.document import store_sent

            store_sent(record, sent[0], user, when)

    return _act(record_id, user, action, expected_version, at, then=then)


def do_decide(record_id: int, user: Any, answer: str, note: str = "", expected_version: int | None = None,
              at: datetime.datetime | None = None) -> Record:
    """Answer the current stage's gate decision (yes/no)."""
    return _act(record_id, user, lambda d, s, a: actions.decide(d, s, a, answer, note), expected_version, at)


def do_approve(record_id: int, user: Any, approval: str, note: str = "", expected_version: int | None = None,
               at: datetime.datetime | None = None) -> Record:
    """Grant an approval under the competence catalog (an amount in another currency than the bands' is
    compared after conversion at the rate of the day, which the approval records)."""
    day = timezone.localdate(at or timezone.now())
    return _act(record_id, user, lambda d, s, a: actions.approve(d, s, a, approval, note,
                                                                 band_conversion(d, s, approval, day),
                                                                 quote_facts(record_id, d, approval)),
                expected_version, at)


def quote_discount(record_id: int, definition: ProcessDefinition, approval: str) -> Any:
    """The largest discount (Decimal) of the record's current quote when ``approval`` covers quotes, else None."""
    facts = quote_facts(record_id, definition, approval)
    from decimal import Decimal

    return Decimal(facts["max_discount_percent"]) if facts else None


def quote_discounts(record_id: int, definition: ProcessDefinition) -> dict[str, Any]:
    """``{approval: largest discount}`` for the approval the process's quotes need (empty without a quote)."""
    if definition.quotes is None or definition.quotes.approval is None:
        return {}
    discount = quote_discount(record_id, definition, definition.quotes.approval)
    return {definition.quotes.approval: discount} if discount is not None else {}


def fixed_by_quote(definition: ProcessDefinition) -> set[str]:
    """The fields a current quote sets on the process's records (none when its records carry no quotes)."""
    return set(definition.quotes.fixed_fields) if definition.quotes is not None else set()


def quoted_fields(record_id: int, definition: ProcessDefinition) -> set[str]:
    """The fields the record's current quote sets (empty without a current quote): read-only in the forms."""
    fixed = fixed_by_quote(definition)
    return fixed if fixed and current_quote_of(record_id, definition) is not None else set()


def current_quote_of(record_id: int, definition: ProcessDefinition) -> dict[str, Any] | None:
    """The facts of the record's current quote (number, version) when its process carries quotes, else None."""
    if definition.quotes is None:
        return None
    from salesflow.quotes.services import current_quote_facts

    return current_quote_facts(record_id)


def quote_facts(record_id: int, definition: ProcessDefinition, approval: str) -> dict[str, Any] | None:
    """The record's current quote version when ``approval`` is the one its process's quotes need (else None):
    the approval is then for that version, and its largest discount meets the discount bands."""
    if definition.quotes is None or definition.quotes.approval != approval:
        return None
    from salesflow.quotes.services import current_quote_facts

    return current_quote_facts(record_id)


def band_conversion(definition: ProcessDefinition, state: RecordState, approval_id: str,
                    day: datetime.date) -> authority.BandConversion | None:
    """The rate of ``day`` from the record's currency into the currency of an approval's amount bands (the
    corporate currency unless the approval names one); None when they are the same. Without a rate the
    approval cannot be decided: `Unmet` names the missing rate."""
    from salesflow.currency.services import rate_book
    from salesflow.currency.settings import corporate_currency
    from salesflow.engine.errors import Item, Unmet

    approval = definition.approvals.get(approval_id)
    if approval is None or not approval.by_amount:
        return None
    bands = approval.currency or corporate_currency()
    own = str(state.values.get("currency") or bands).upper()
    if own == bands:
        return None
    found = rate_book().rate(own, bands, day)
    if found is None:
        raise Unmet(f"approval {approval_id}: no exchange rate {own} → {bands} on {day.isoformat()} (the "
                    f"competence catalog's bands are in {bands})",
                    [Item("approval", approval_id, f"exchange rate {own} → {bands} on {day.isoformat()} missing: "
                          f"set it with `salesflow currency rate set {own} {bands} RATE`")])
    return authority.BandConversion(own, bands, found[0], day.isoformat())


def do_move(record_id: int, user: Any, stage: str, override_reason: str | None = None,
            expected_version: int | None = None, at: datetime.datetime | None = None,
            handoff_options: dict[str, dict[str, Any]] | None = None) -> Record:
    """Move a record to a stage (gates enforced; an authorised override needs a reason).

    Entering a stage with hand-offs starts the linked records there; ``handoff_options`` may pick
    the account per hand-off, e.g. ``{"create_opportunity": {"account_id": 7}}``.
    """
    return _act(record_id, user, lambda d, s, a: actions.move(d, s, a, stage, override_reason), expected_version, at,
                handoff_options)


def do_request_approval(record_id: int, user: Any, approval: str, note: str = "",
                        expected_version: int | None = None, at: datetime.datetime | None = None) -> Record:
    """Ask for an approval: the competence catalog's band role for the record's amount is notified."""
    return _act(record_id, user, lambda d, s, a: requests.request_approval(d, s, a, approval, note,
                                                                           quote_discount(record_id, d, approval)),
                expected_version, at)


def do_request_decision(record_id: int, user: Any, note: str = "", expected_version: int | None = None,
                        at: datetime.datetime | None = None) -> Record:
    """Ask for the current stage's gate decision: the deciding role (or the user it is delegated to) is notified."""
    return _act(record_id, user, lambda d, s, a: requests.request_decision(d, s, a, note), expected_version, at)


def do_refuse_approval(record_id: int, user: Any, approval: str, reason: str,
                       expected_version: int | None = None, at: datetime.datetime | None = None) -> Record:
    """Refuse an approval with a reason: the requester and the record's owner are told."""
    def action(definition: ProcessDefinition, state: RecordState, actor: Actor) -> Result:
        return requests.refuse_approval(definition, state, actor, approval, reason, last_requester(record_id, approval))
    return _act(record_id, user, action, expected_version, at)


def last_requester(record_id: int, approval: str) -> int | None:
    """Who asked for the approval last (the user id of the newest ``approval_requested`` event), if anyone."""
    from salesflow.records.models import Event

    return (Event.objects.filter(record_id=record_id, kind="approval_requested", approval=approval)
            .order_by("-seq").values_list("actor_id", flat=True).first())


def do_set_probability(record_id: int, user: Any, probability: int | None, reason: str | None,
                       expected_version: int | None = None, at: datetime.datetime | None = None) -> Record:
    """Override the probability in the current stage (None: back to the stage default)."""
    return _act(record_id, user, lambda d, s, a: actions.set_probability(d, s, a, probability, reason),
                expected_version, at)


def do_delegate(record_id: int, user: Any, to_user: str | None, stages: list[str] | None = None,
                expected_version: int | None = None, at: datetime.datetime | None = None) -> Record:
    """Delegate the record's gate decisions to a user (None revokes)."""
    delegate_to = actor_for(get_user(to_user)) if to_user else None
    return _act(record_id, user, lambda d, s, a: actions.delegate(d, s, a, delegate_to, stages), expected_version, at)


def do_consult(record_id: int, user: Any, activity: str, role: str, question: str = "",
               expected_version: int | None = None, at: datetime.datetime | None = None) -> Consultation:
    """Ask a Consulted role of an activity (RACI); the role's holders are notified and see it on My work."""
    created: list[Consultation] = []

    def action(definition: ProcessDefinition, state: RecordState, actor: Actor) -> Result:
        asked = frozenset(Consultation.objects.filter(record_id=record_id, answered_at__isnull=True)
                          .values_list("activity", "role"))
        return actions.consult(definition, state, actor, activity, role, question, asked)

    def store(record: Record, result: Result, moment: datetime.datetime) -> None:
        created.append(Consultation.objects.create(
            record=record, activity=activity, role=role, question=result.events[0].payload["question"],
            requested_by=user, requested_by_name=user.display_name, requested_at=moment))

    _act(record_id, user, action, expected_version, at, then=store)
    return created[0]


def do_answer_consultation(record_id: int, user: Any, activity: str, role: str | None, answer: str,
                           expected_version: int | None = None, at: datetime.datetime | None = None) -> Consultation:
    """Answer the open consultation request on a record's activity (as a holder of the role asked)."""
    answered: list[Consultation] = []

    def open_request() -> Consultation:
        query = Consultation.objects.select_for_update().filter(record_id=record_id, activity=activity,
                                                                 answered_at__isnull=True)
        if role:
            query = query.filter(role=role)
        else:
            query = query.filter(role__in=list(user.role_ids()))
        found = query.order_by("requested_at", "pk").first()
        if found is None:
            who = f" to {role}" if role else " to one of your roles"
            raise Conflict(f"no open consultation request on {activity}{who}")
        return found

    def action(definition: ProcessDefinition, state: RecordState, actor: Actor) -> Result:
        request = open_request()
        answered.append(request)
        return actions.answer_consultation(definition, state, actor, activity, request.role, answer)

    def store(record: Record, result: Result, moment: datetime.datetime) -> None:
        request = answered[0]
        request.answer = result.events[0].payload["answer"]
        request.answered_by, request.answered_by_name, request.answered_at = user, user.display_name, moment
        request.save(update_fields=["answer", "answered_by", "answered_by_name", "answered_at"])

    _act(record_id, user, action, expected_version, at, then=store)
    return answered[0]


def consultation_data(request: Consultation) -> dict[str, Any]:
    """A consultation request as JSON-ready data."""
    return {
        "id": request.pk, "record": request.record_id, "activity": request.activity, "role": request.role,
        "question": request.question, "requested_by": request.requested_by_name,
        "requested_at": request.requested_at.isoformat(), "answer": request.answer or None,
        "answered_by": request.answered_by_name or None,
        "answered_at": request.answered_at.isoformat() if request.answered_at else None,
    }


def consultation_rows(record: Record, only_open: bool = False) -> list[dict[str, Any]]:
    """The record's consultation requests (newest first) as data."""
    query = Consultation.objects.filter(record=record)
    if only_open:
        query = query.filter(answered_at__isnull=True)
    return [consultation_data(request) for request in query]


def members_manager_role(record: Record, user: Any) -> str | None:
    """The role by which ``user`` may change the record's members: its owner or the process's responsible role."""
    definition = definition_of(record.process_version)
    if user is not None and record.owner_id == user.pk:
        return authority.owner_role(definition, actor_for(user))
    responsible = definition.guideline.responsible
    return responsible if user is not None and responsible in user.role_ids() else None


def do_set_members(record_id: int, user: Any, add: list[str], remove: list[str],
                   expected_version: int | None = None, at: datetime.datetime | None = None) -> Record:
    """Add and remove named members of a record (who may see it when it is (strictly) confidential).

    Only the record's owner and the process's responsible role (Head of Sales in the default
    library) may change the members; one ``members_changed`` event records who was added and removed.
    """
    at = at or timezone.now()
    add_names = [name.strip() for name in add if name and name.strip()]
    remove_names = [name.strip() for name in remove if name and name.strip()]
    if not add_names and not remove_names:
        raise BadInput("name at least one user to add or remove")
    with transaction.atomic():
        record = Record.objects.select_for_update().select_related("process", "process_version").filter(
            pk=record_id).first()
        if record is None or not access.can_view(user, record):
            raise NotFound(f"record {record_id} not found")
        if expected_version is not None and record.version != expected_version:
            raise VersionConflict(f"record {record_id} was changed by someone else (version {record.version}, "
                                  f"you had {expected_version}): reload it")
        role = members_manager_role(record, user)
        if role is None:
            definition = definition_of(record.process_version)
            raise NotPermitted(f"only the record's owner or {definition.role_title(definition.guideline.responsible)}"
                               " may change its members")
        try:
            to_add = [get_user(name) for name in add_names]
            to_remove = [get_user(name) for name in remove_names]
        except NotFound as error:
            raise BadInput(error.message) from None
        current = set(record.members.values_list("pk", flat=True))
        added = [member for member in to_add if member.pk not in current]
        removed = [member for member in to_remove if member.pk in current]
        if not added and not removed:
            raise Conflict("nothing changed: the members are already as asked")
        record.members.add(*added)
        record.members.remove(*removed)
        record.version += 1
        record.updated_at = at
        record.save(update_fields=["version", "updated_at"])
        payload = {"added": sorted(member.username for member in added),
                   "removed": sorted(member.username for member in removed)}
        eventlog.append([EventDraft(kind="members_changed", role=role, from_stage=record.stage, payload=payload)],
                        actor=actorship(user), at=at, record_id=record.pk, process=record.process.key,
                        process_version=record.process_version.version)
    return record


# --- reading -------------------------------------------------------------------------------------

def record_data(record: Record) -> dict[str, Any]:
    """A record as JSON-ready data (what `record show --json` prints)."""
    definition = definition_of(record.process_version)
    state = record.to_state()
    stage = definition.stage(record.stage)
    from salesflow.engine.gates import gate_checklist

    return {
        "id": record.pk,
        "process": record.process.key,
        "process_version": record.process_version.version,
        "title": record.title,
        "stage": record.stage,
        "stage_title": stage.display_title(),
        "probability": actions.effective_probability(definition, state),
        "stage_probability": stage.probability,
        "probability_override": record.probability_override,
        "forecast_category": stage.effective_forecast_category().value,
        "amount": f"{record.amount:f}" if record.amount is not None else None,
        "currency": record.currency,
        "close_date": record.close_date.isoformat() if record.close_date else None,
        "account": record.account,
        "classification": record.classification,
        "owner": record.owner.username if record.owner else None,
        "fields": record.values,
        "outcome": record.outcome or None,
        "version": record.version,
        "created_at": record.created_at.isoformat(),
        "stage_entered_at": record.stage_entered_at.isoformat(),
        "closed_at": record.closed_at.isoformat() if record.closed_at else None,
        "done_activities": sorted(state.done),
        "decisions": state.decisions,
        "approvals": state.approvals,
        "delegations": state.delegations,
        "next_stages": actions.allowed_targets(definition, state),
        "gate": gate_checklist(definition, state, stage) if not stage.is_outcome else [],
    }


def get_record(record_id: Any, user: Any | None = None) -> Record:
    """A record by id, as ``user`` may see it (None: no access check, for the CLI). Raises `NotFound`."""
    try:
        pk = int(record_id)
    except (TypeError, ValueError):
        raise NotFound(f"record {record_id!r} not found") from None
    from salesflow.records.queries import HEAVY_VERSION_COLUMNS

    query = Record.objects.select_related("process", "process_version", "owner").defer(*HEAVY_VERSION_COLUMNS)
    if user is not None:
        query = access.visible_records(user, query)
    record = query.filter(pk=pk).first()
    if record is None:
        raise NotFound(f"record {record_id} not found")
    return record


def now() -> datetime.datetime:
    """The current time (UTC)."""
    return timezone.now()
