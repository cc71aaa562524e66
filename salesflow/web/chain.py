"""What the record page shows of the sales chain: links, the whole chain, the customer, documents,
linked records one may start, and a preview of the hand-offs a move would run.

Only records the signed-in user may see are shown (``links_of`` / ``chain_of`` filter them); the
rules stay in ``salesflow.records.chain`` and the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from salesflow.accounts.duplicates import find_duplicates
from salesflow.accounts.models import Account
from salesflow.engine import authority
from salesflow.engine.handoffs import handoff_account
from salesflow.people import access
from salesflow.process.model import Handoff, ProcessDefinition
from salesflow.records import services
from salesflow.records.chain import MAX_DOCUMENT_BYTES, chain_of, find_account, links_of
from salesflow.records.models import Document, Process, Record
from salesflow.web import presenters


def record_row(record: Record, language: str) -> dict[str, Any]:
    """A linked record as one line: process, stage, title, where to open it."""
    definition = services.definition_of(record.process_version)
    return {"id": record.pk, "title": record.title, "process": record.process.title_in(language),
            "process_key": record.process.key, "stage": presenters.stage_title(definition, record.stage, language),
            "outcome": record.outcome, "created_at": record.created_at, "url": reverse("record", args=[record.pk])}


def may_edit(user: Any, record: Record, definition: ProcessDefinition) -> bool:
    """True when ``user`` may change the record (its edit right) and is not read-only."""
    if access.is_read_only(user):
        return False
    return authority.editor_role(definition, record.to_state(), services.actor_for(user)) is not None


def link_rows(record: Record, user: Any, language: str, editable: bool) -> list[dict[str, Any]]:
    """The record's links the user may see: kind, direction, the other record; set-by-hand ones removable."""
    rows = []
    for link in links_of(record, user):
        row = record_row(link.record, language)
        source, target = (record.pk, link.record.pk) if link.direction == "out" else (link.record.pk, record.pk)
        kind = access.link_kind_title(link.kind, language)
        label = kind if link.direction == "out" else (
            access.link_kind_incoming(link.kind, language) or _("%(kind)s of") % {"kind": kind})
        row.update({"kind": kind, "direction": link.direction, "label": label, "handoff": link.handoff,
                    "at": link.created_at, "source": source, "target": target,
                    "removable": editable and not link.handoff})
        rows.append(row)
    return rows


def chain_rows(record: Record, user: Any, language: str) -> list[dict[str, Any]]:
    """Every record of the chain the user may see, in time order (empty when the record stands alone)."""
    records = chain_of(record, user)
    if len(records) < 2:
        return []
    rows = []
    for item in records:
        row = record_row(item, language)
        row["current"] = item.pk == record.pk
        rows.append(row)
    return rows


def account_url(account: Account) -> str:
    """The account page's address, when the site has one ('' otherwise)."""
    try:
        return reverse("customer", args=[account.pk])
    except NoReverseMatch:
        return ""


def customer_view(record: Record, user: Any) -> dict[str, Any] | None:
    """The record's customer account with its contacts (None when it has none), its customer status and
    segment as ``user`` may see them (`salesflow.accounts.overview.accounts_for`)."""
    if not record.customer_id:
        return None
    from salesflow.accounts import overview

    account = overview.account_for(user, record.customer_id)
    if account is None:
        return None
    return {"account": account, "url": account_url(account), "contacts": list(account.contacts.all()[:20]),
            "existing": account.existing_customer}


def startable_processes(record: Record, user: Any, language: str) -> list[dict[str, Any]]:
    """Processes whose ``linked_from`` names this record's process and in which the user may create records."""
    if access.is_read_only(user):
        return []
    actor = services.actor_for(user)
    found = []
    for process in Process.objects.order_by("key"):
        version = process.current_version()
        if version is None:
            continue
        definition = services.definition_of(version)
        if record.process.key in definition.linked_from and authority.creator_role(definition, actor) is not None:
            found.append({"key": process.key, "title": definition.title_text(language), "record": definition.record,
                          "url": f"{reverse('record_create')}?process={process.key}&link_from={record.pk}"})
    return found


# --- documents ----------------------------------------------------------------------------------

@dataclass
class DocumentGroup:
    """A document by name: its latest version first, then the older ones."""

    name: str
    versions: list[Document] = field(default_factory=list)

    @property
    def latest(self) -> Document:
        """The newest version."""
        return self.versions[0]

    @property
    def older(self) -> list[Document]:
        """Every version but the newest."""
        return self.versions[1:]


def document_groups(record: Record) -> list[DocumentGroup]:
    """The record's documents grouped by name, newest version first (the content is not loaded)."""
    groups: dict[str, DocumentGroup] = {}
    for document in Document.objects.filter(record=record).defer("content").order_by("name", "-version"):
        groups.setdefault(document.name, DocumentGroup(document.name)).versions.append(document)
    return list(groups.values())


def max_document_megabytes() -> int:
    """The upload limit in whole megabytes."""
    return MAX_DOCUMENT_BYTES // (1024 * 1024)


# --- hand-offs a move would run -------------------------------------------------------------------

def handoff_preview(record: Record, definition: ProcessDefinition, target: str, user: Any,
                    language: str) -> list[dict[str, Any]]:
    """What entering ``target`` would create: per hand-off the target process and, for hand-offs with an
    account, the account choices (the record's customer, matching accounts, a new account) and matching leads."""
    if not definition.has_stage(target):
        return []
    state = record.to_state()
    previews = []
    already = set(record.links_out.exclude(handoff="").values_list("handoff", flat=True))
    for handoff in definition.stage(target).handoffs:
        if handoff.id in already:
            continue
        previews.append(_preview(record, handoff, state, user, language))
    return previews


def _preview(record: Record, handoff: Handoff, state: Any, user: Any, language: str) -> dict[str, Any]:
    process = Process.objects.filter(key=handoff.process).first()
    preview: dict[str, Any] = {
        "id": handoff.id, "title": handoff.title.get_text(language),
        "link": access.link_kind_title(handoff.link_kind, language),
        "process": process.title_in(language) if process else handoff.process, "account": None}
    if handoff.account is None:
        return preview
    name, email = handoff_account(handoff, state)
    name = name or record.account
    choices: list[dict[str, Any]] = []
    default = ""
    if record.customer_id:
        customer = Account.objects.filter(pk=record.customer_id).first()
        if customer is not None:
            choices.append({"value": str(customer.pk), "name": customer.name, "domain": customer.domain,
                            "matched_on": [], "customer": True})
            default = str(customer.pk)
    matches = find_duplicates(name, email, exclude_record_id=record.pk, user=user) if name or email else []
    for match in matches:
        if match.kind == "account" and match.target_id != record.customer_id:
            choices.append({"value": str(match.target_id), "name": match.label, "domain": match.domain,
                            "matched_on": list(match.matched_on), "customer": False})
    if not default:
        automatic = find_account(name, email) if name else None
        default = str(automatic.pk) if automatic is not None else (choices[0]["value"] if choices else "new")
    leads = [{"id": match.target_id, "label": match.label, "matched_on": list(match.matched_on),
              "url": reverse("record", args=[match.target_id])} for match in matches if match.kind == "lead"]
    preview["account"] = {"name": name, "email": email, "choices": choices, "default": default, "leads": leads,
                          "may_create": bool(name)}
    return preview


def handoff_options(posted: Any, definition: ProcessDefinition, target: str) -> dict[str, dict[str, Any]]:
    """The account choices of a submitted move as ``do_move``'s ``handoff_options``.

    ``account-<handoff>`` is an account id, ``new`` (create a new account) or empty (the default).
    """
    options: dict[str, dict[str, Any]] = {}
    if not definition.has_stage(target):
        return options
    for handoff in definition.stage(target).handoffs:
        value = str(posted.get(f"account-{handoff.id}", "")).strip()
        if value == "new":
            options[handoff.id] = {"new_account": True}
        elif value:
            options[handoff.id] = {"account_id": value}
    return options


def has_handoffs(definition: ProcessDefinition, target: str) -> bool:
    """True when entering ``target`` starts records in other processes."""
    return definition.has_stage(target) and bool(definition.stage(target).handoffs)


# --- duplicates before a record is created --------------------------------------------------------

def duplicate_fields(definition: ProcessDefinition) -> tuple[str, str] | None:
    """The (company, e-mail) fields a process's records are checked for duplicates by: those its hand-offs
    find or create the customer account with (e.g. a lead's ``company`` and ``email``)."""
    for stage in definition.stages:
        for handoff in stage.handoffs:
            if handoff.account is not None:
                return handoff.account.name, handoff.account.domain or ""
    return None


def duplicate_rows(company: str, email: str, user: Any) -> list[dict[str, Any]]:
    """Existing accounts and leads (visible to ``user``) that may be the same company."""
    rows = []
    for match in find_duplicates(company, email, user=user):
        rows.append({"kind": match.kind, "label": match.label, "matched_on": list(match.matched_on),
                     "domain": match.domain, "id": match.target_id,
                     "url": reverse("record", args=[match.target_id]) if match.kind == "lead"
                     else account_url(Account(pk=match.target_id))})
    return rows
