"""Accounts and contacts as first-class records: create, edit, merge duplicates — each with its events.

Every change is one transaction that writes the rows and their events (record-less events in the one
chain, like ``partner_set``): ``account_created``, ``account_changed``, ``contact_created``,
``contact_changed`` and ``accounts_merged``. A merge moves the duplicate's records (one
``customer_changed`` event on each record, so its timeline tells it), contacts, logged activities,
partner-sourced leads, assessments and import links to the survivor, then deletes the duplicate;
``audit verify`` checks the stored accounts, contacts and record customers against these events
(`salesflow.accounts.integrity`).

Access: accounts and contacts are internal data every member of sales staff sees and keeps up to date;
read-only users (auditors) change nothing; merging needs the library right ``merge_accounts``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from salesflow.accounts.duplicates import domain_of
from salesflow.accounts.models import Account, Contact, PartnerLead, normalise_name
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.engine.texts import N_
from salesflow.people import access
from salesflow.records import eventlog

#: Event kinds of accounts and contacts.
ACCOUNT_CREATED = "account_created"
ACCOUNT_CHANGED = "account_changed"
CONTACT_CREATED = "contact_created"
CONTACT_CHANGED = "contact_changed"
ACCOUNTS_MERGED = "accounts_merged"
#: On a record: its customer account changed (a merge, or set by hand).
CUSTOMER_CHANGED = "customer_changed"
EVENT_KINDS = (ACCOUNT_CREATED, ACCOUNT_CHANGED, CONTACT_CREATED, CONTACT_CHANGED, ACCOUNTS_MERGED)
#: The library right to merge duplicate accounts.
MERGE_RIGHT = "merge_accounts"
#: The account fields a person edits, and the contact fields.
ACCOUNT_FIELDS = ("name", "domain")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "title")
_LIMITS = {"name": 300, "domain": 253, "first_name": 150, "last_name": 150, "email": 254, "phone": 64, "title": 200}


def _not_found(text: str) -> Exception:
    from salesflow.records.services import NotFound

    return NotFound(text)


def _actorship(user: Any | None) -> Any:
    from salesflow.records.services import actorship

    return actorship(user)


# --- who may -------------------------------------------------------------------------------------

def may_edit(user: Any | None) -> bool:
    """True for the system (None) and for sales staff who are not read-only."""
    if user is None:
        return True
    return access.is_staff_member(user) and not access.is_read_only(user)


def may_merge(user: Any | None) -> bool:
    """True for the system (None), superusers and holders of ``merge_accounts`` (never read-only users)."""
    if user is None:
        return True
    if access.is_read_only(user):
        return False
    return bool(user.is_superuser or access.has_right(user, MERGE_RIGHT))


def _refuse_edit(user: Any | None) -> None:
    if user is not None and not access.is_staff_member(user):
        raise NotPermitted("accounts are for sales staff: your user holds no role")
    if not may_edit(user):
        raise NotPermitted(N_("%(user)s has read-only access", user=user.display_name))


# --- input ---------------------------------------------------------------------------------------

def _text(value: Any, name: str) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        raise BadInput(N_("%(field)s: must not contain NUL characters", field=name))
    limit = _LIMITS[name]
    if len(text) > limit:
        raise BadInput(N_("%(field)s: at most %(limit)s characters (got %(count)s)", field=name, limit=limit,
                          count=len(text)))
    return text


def clean_domain(value: Any) -> str:
    """A web domain as stored (``https://www.Acme.com/x`` → ``acme.com``); "" for none; `BadInput` when it is not one."""
    text = _text(value, "domain")
    if not text:
        return ""
    domain = domain_of(text)
    if not domain:
        raise BadInput(N_("domain: a web domain such as example.com is expected, got %(value)r", value=text))
    return domain


def clean_account(values: dict[str, Any], *, partial: bool = False) -> dict[str, str]:
    """The account fields of ``values`` checked (name required unless ``partial``); unknown keys refused."""
    unknown = sorted(set(values) - set(ACCOUNT_FIELDS))
    if unknown:
        raise BadInput(f"{unknown[0]}: not an account field (fields: {', '.join(ACCOUNT_FIELDS)})")
    cleaned: dict[str, str] = {}
    if "name" in values or not partial:
        cleaned["name"] = _text(values.get("name"), "name")
        if not cleaned["name"]:
            raise BadInput(N_("name: required"))
    if "domain" in values:
        cleaned["domain"] = clean_domain(values.get("domain"))
    return cleaned


def clean_contact(values: dict[str, Any]) -> dict[str, str]:
    """The contact fields of ``values`` checked (e-mail syntax, lengths); unknown keys refused."""
    unknown = sorted(set(values) - set(CONTACT_FIELDS))
    if unknown:
        raise BadInput(f"{unknown[0]}: not a contact field (fields: {', '.join(CONTACT_FIELDS)})")
    cleaned = {name: _text(values[name], name) for name in CONTACT_FIELDS if name in values}
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            raise BadInput(N_("email: an e-mail address is expected, got %(value)r", value=cleaned["email"])) from None
    return cleaned


def _pk(value: Any, name: str) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise BadInput(f"{name}: an id (a whole number) expected, got {value!r}") from None
    if pk < 1 or pk > 2**53:
        raise _not_found(f"{name} {value} not found")
    return pk


def get_account(account_id: Any, *, lock: bool = False, name: str = "account") -> Account:
    """The account by id; NotFound naming the id (as ``name``)."""
    query = Account.objects.select_for_update() if lock else Account.objects
    found = query.filter(pk=_pk(account_id, name)).first()
    if found is None:
        raise _not_found(f"{name} {account_id} not found")
    return found


def get_contact(contact_id: Any, *, lock: bool = False) -> Contact:
    """The contact by id; NotFound naming the id."""
    query = Contact.objects.select_for_update() if lock else Contact.objects
    found = query.filter(pk=_pk(contact_id, "contact")).first()
    if found is None:
        raise _not_found(f"contact {contact_id} not found")
    return found


def same_name(name: str, exclude: int | None = None) -> Account | None:
    """The oldest account with the same normalised name (None when there is none or the name normalises to "")."""
    key = normalise_name(name)
    if not key:
        return None
    query = Account.objects.filter(normalised_name=key)
    if exclude is not None:
        query = query.exclude(pk=exclude)
    return query.order_by("id").first()


# --- events --------------------------------------------------------------------------------------

def _append(kind: str, payload: dict[str, Any], user: Any | None, at: datetime.datetime) -> None:
    eventlog.append([EventDraft(kind=kind, payload=payload)], actor=_actorship(user), at=at)


def account_facts(account: Account) -> dict[str, Any]:
    """What the events keep of an account."""
    return {"name": account.name, "domain": account.domain}


def contact_facts(contact: Contact) -> dict[str, Any]:
    """What the events keep of a contact (its account by id)."""
    return {**{name: getattr(contact, name) for name in CONTACT_FIELDS}, "account_id": contact.account_id}


# --- accounts ------------------------------------------------------------------------------------

def do_create_account(user: Any | None, name: Any, domain: Any = "", *, allow_duplicate: bool = False,
                      source: str = "", at: datetime.datetime | None = None) -> Account:
    """Create an account (one ``account_created`` event). An account of the same normalised name is refused
    (naming it) unless ``allow_duplicate``; ``source`` says where it came from (web, api, cli)."""
    _refuse_edit(user)
    cleaned = clean_account({"name": name, "domain": domain})
    at = at or timezone.now()
    with transaction.atomic():
        existing = same_name(cleaned["name"])
        if existing is not None and not allow_duplicate:
            raise BadInput(N_("name: account %(account_id)s (%(account)s) has the same name: pick it, or create a "
                              "duplicate on purpose", account_id=existing.pk, account=existing.name))
        account = Account(name=cleaned["name"], domain=cleaned["domain"], created_at=at)
        account.save()
        _append(ACCOUNT_CREATED, {"account_id": account.pk, **account_facts(account), "source": source}, user, at)
    return account


def do_update_account(user: Any | None, account_id: Any, values: dict[str, Any],
                      at: datetime.datetime | None = None) -> Account:
    """Change an account's name and/or domain (one ``account_changed`` event naming old and new; nothing when
    nothing changes). Records that show the old name as their account show the new one."""
    _refuse_edit(user)
    cleaned = clean_account(values, partial=True)
    at = at or timezone.now()
    with transaction.atomic():
        account = get_account(account_id, lock=True)
        changes = {name: {"old": getattr(account, name), "new": value} for name, value in cleaned.items()
                   if getattr(account, name) != value}
        if not changes:
            return account
        for name, change in changes.items():
            setattr(account, name, change["new"])
        account.save()
        if "name" in changes:
            account.records.filter(account=changes["name"]["old"]).update(account=account.name)
        _append(ACCOUNT_CHANGED, {"account_id": account.pk, "changes": changes}, user, at)
    return account


# --- contacts ------------------------------------------------------------------------------------

def do_create_contact(user: Any | None, account_id: Any, values: dict[str, Any],
                      at: datetime.datetime | None = None) -> Contact:
    """Add a contact (at an account, or none) — one ``contact_created`` event. A name or an e-mail is required."""
    _refuse_edit(user)
    cleaned = clean_contact(values)
    if not (cleaned.get("first_name") or cleaned.get("last_name") or cleaned.get("email")):
        raise BadInput(N_("last_name: a name or an e-mail address is required"))
    at = at or timezone.now()
    with transaction.atomic():
        account = get_account(account_id, lock=True) if account_id not in (None, "") else None
        contact = Contact.objects.create(account=account, created_at=at, **cleaned)
        _append(CONTACT_CREATED, {"contact_id": contact.pk, **contact_facts(contact)}, user, at)
    return contact


def do_update_contact(user: Any | None, contact_id: Any, values: dict[str, Any],
                      at: datetime.datetime | None = None) -> Contact:
    """Change a contact's fields and/or account (key ``account``: an id, "" for none) — one ``contact_changed``
    event naming old and new; nothing when nothing changes."""
    _refuse_edit(user)
    values = dict(values)
    moving = "account" in values
    target = values.pop("account", None)
    cleaned = clean_contact(values)
    at = at or timezone.now()
    with transaction.atomic():
        contact = get_contact(contact_id, lock=True)
        changes: dict[str, dict[str, Any]] = {name: {"old": getattr(contact, name), "new": value}
                                              for name, value in cleaned.items() if getattr(contact, name) != value}
        if moving:
            new_account = get_account(target).pk if target not in (None, "") else None
            if new_account != contact.account_id:
                changes["account_id"] = {"old": contact.account_id, "new": new_account}
        if not changes:
            return contact
        for name, change in changes.items():
            setattr(contact, name, change["new"])
        if not (contact.first_name or contact.last_name or contact.email):
            raise BadInput(N_("last_name: a name or an e-mail address is required"))
        contact.save()
        _append(CONTACT_CHANGED, {"contact_id": contact.pk, "changes": changes}, user, at)
    return contact


# --- merging -------------------------------------------------------------------------------------

@dataclass
class MergeResult:
    """What a merge moved to the survivor (ids)."""

    survivor: Account
    merged_id: int
    merged_name: str
    records: list[int] = field(default_factory=list)
    contacts: list[int] = field(default_factory=list)
    activities: list[int] = field(default_factory=list)
    partner_leads: list[int] = field(default_factory=list)
    assessments: list[int] = field(default_factory=list)
    taken: dict[str, Any] = field(default_factory=dict)

    def to_data(self, visible: set[int] | None = None) -> dict[str, Any]:
        """JSON-ready; ``visible`` (record ids the reader may see): only those are listed and counted."""
        records = self.records if visible is None else [pk for pk in self.records if pk in visible]
        return {"account_id": self.survivor.pk, "account": self.survivor.name, "merged_id": self.merged_id,
                "merged": self.merged_name, "records": records, "contacts": self.contacts,
                "activities": self.activities, "partner_leads": self.partner_leads, "assessments": self.assessments,
                "taken": self.taken}


def _move_records(duplicate: Account, survivor: Account, user: Any | None, at: datetime.datetime) -> list[int]:
    """Point the duplicate's records at the survivor: one ``customer_changed`` event on each record."""
    from salesflow.records.models import Record

    moved = []
    records = Record.objects.select_for_update().select_related("process").filter(customer=duplicate).order_by("pk")
    for record in records:
        old_name = record.account
        record.customer = survivor
        if not old_name or normalise_name(old_name) == duplicate.normalised_name:
            record.account = survivor.name
        record.version += 1
        record.save(update_fields=["customer", "account", "version"])
        eventlog.append([EventDraft(kind=CUSTOMER_CHANGED, from_stage=record.stage, payload={
            "old": {"id": duplicate.pk, "name": duplicate.name}, "new": {"id": survivor.pk, "name": survivor.name},
            "account": record.account, "reason": "merge"})], actor=_actorship(user), at=at, record_id=record.pk,
            process=record.process.key, process_version=record.process_version.version)
        moved.append(record.pk)
    return moved


def _take_over(duplicate: Account, survivor: Account) -> dict[str, Any]:
    """What the survivor takes from the duplicate: a domain it lacks, the partner kind, tier and region."""
    taken: dict[str, Any] = {}
    if duplicate.domain and not survivor.domain:
        survivor.domain = taken["domain"] = duplicate.domain
    if duplicate.kind == Account.PARTNER and survivor.kind != Account.PARTNER:
        survivor.kind, survivor.tier, survivor.region = Account.PARTNER, duplicate.tier, duplicate.region
        taken.update(kind=Account.PARTNER, tier=duplicate.tier, region=duplicate.region)
    return taken


def do_merge_accounts(user: Any | None, survivor_id: Any, duplicate_id: Any,
                      at: datetime.datetime | None = None) -> MergeResult:
    """Merge the duplicate account into the survivor and delete it, in one transaction.

    Records (each with a ``customer_changed`` event), contacts, logged activities, partner-sourced leads,
    assessments of the account and import links move to the survivor; the survivor takes a domain it
    lacks and the partner kind. One ``accounts_merged`` event lists everything moved.
    """
    if user is not None and not access.is_staff_member(user):
        raise NotPermitted("accounts are for sales staff: your user holds no role")
    if not may_merge(user):
        raise NotPermitted(N_("%(user)s may not merge accounts (library right %(right)s)", user=user.display_name,
                              right=MERGE_RIGHT))
    if _pk(survivor_id, "account") == _pk(duplicate_id, "duplicate"):
        raise BadInput(N_("duplicate: account %(account_id)s cannot be merged into itself", account_id=duplicate_id))
    at = at or timezone.now()
    from salesflow.activities.models import Activity
    from salesflow.interop.models import ExternalRef
    from salesflow.quality.models import Assessment

    with transaction.atomic():
        names = {int(survivor_id): "account", int(duplicate_id): "duplicate account"}
        locked = {pk: get_account(pk, lock=True, name=names[pk]) for pk in sorted(names)}  # in id order: no deadlock
        survivor, duplicate = locked[int(survivor_id)], locked[int(duplicate_id)]
        result = MergeResult(survivor, duplicate.pk, duplicate.name)
        result.records = _move_records(duplicate, survivor, user, at)
        result.contacts = list(duplicate.contacts.order_by("pk").values_list("pk", flat=True))
        Contact.objects.filter(pk__in=result.contacts).update(account=survivor)
        result.activities = list(Activity.objects.filter(account=duplicate).order_by("pk")
                                 .values_list("pk", flat=True))
        Activity.objects.filter(pk__in=result.activities).update(account=survivor)
        result.partner_leads = list(PartnerLead.objects.filter(partner=duplicate).order_by("pk")
                                    .values_list("record_id", flat=True))
        PartnerLead.objects.filter(partner=duplicate).update(partner=survivor)
        assessments = Assessment.objects.filter(subject_kind__in=("partner", "account"), subject_id=duplicate.pk)
        result.assessments = list(assessments.order_by("pk").values_list("pk", flat=True))
        assessments.update(subject_id=survivor.pk)
        ExternalRef.objects.filter(kind="account", local_id=duplicate.pk).update(local_id=survivor.pk)
        result.taken = _take_over(duplicate, survivor)
        survivor.save()
        duplicate.delete()
        _append(ACCOUNTS_MERGED, {key: value for key, value in result.to_data().items()}, user, at)
    return result


def merged_into(account_id: Any) -> int | None:
    """The account a merged (deleted) account lives on in (following chains of merges); None when it was not merged."""
    from salesflow.records.models import Event

    try:
        current = int(account_id)
    except (TypeError, ValueError):
        return None
    seen: set[int] = set()
    target = None
    while current not in seen:
        seen.add(current)
        event = Event.objects.filter(kind=ACCOUNTS_MERGED, payload__merged_id=current).order_by("-seq").first()
        if event is None:
            break
        current = target = int(event.payload["account_id"])
    return target if target is not None and Account.objects.filter(pk=target).exists() else None


# --- a record's customer -------------------------------------------------------------------------

def search(query: str, limit: int = 10) -> list[Account]:
    """Accounts whose name or domain contains ``query`` (or whose normalised name does): exact names first."""
    from django.db.models import Case, IntegerField, Q, Value, When

    text = str(query or "").strip()[:300]
    if not text or "\x00" in text:
        return []
    key = normalise_name(text)
    match = Q(name__icontains=text) | Q(domain__icontains=text)
    if key:
        match |= Q(normalised_name__contains=key)
    rank = Case(When(normalised_name=key, then=Value(0)), When(name__istartswith=text, then=Value(1)),
                default=Value(2), output_field=IntegerField())
    return list(Account.objects.filter(match).annotate(rank=rank).order_by("rank", "name", "id")[:limit])


# --- reading -------------------------------------------------------------------------------------

def contact_data(contact: Contact) -> dict[str, Any]:
    """A contact as the API and ``--json`` show it."""
    return {"id": contact.pk, "name": str(contact), **{name: getattr(contact, name) for name in CONTACT_FIELDS},
            "account": contact.account_id}


def _records_for(user: Any | None) -> Any:
    from salesflow.records.models import Record

    if user is None:  # the administrator's view (the CLI without --as)
        return Record.objects.all()
    if not access.is_staff_member(user):
        return Record.objects.none()
    return access.visible_records(user, Record.objects.all())


def visible_record_ids(user: Any | None, ids: list[int]) -> set[int]:
    """Those of ``ids`` that ``user`` may see (all for the system)."""
    return set(_records_for(user).filter(pk__in=ids).values_list("pk", flat=True))


def account_detail(account: Account, user: Any | None) -> dict[str, Any]:
    """An account with its contacts and the records ``user`` may see (newest first) — for the CLI."""
    if user is not None and not access.is_staff_member(user):
        raise NotPermitted("accounts are for sales staff: your user holds no role")
    records = (_records_for(user).filter(customer=account).select_related("process")
               .order_by("-created_at", "-pk")[:500])
    return {"id": account.pk, "name": account.name, "domain": account.domain, "kind": account.kind,
            "contacts": [contact_data(contact) for contact in account.contacts.all()],
            "records": [{"id": record.pk, "process": record.process.key, "title": record.title, "stage": record.stage,
                         "outcome": record.outcome or None} for record in records]}
