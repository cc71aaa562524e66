"""Accounts, contacts and record customers checked against their events (part of ``salesflow audit verify``).

- an account created or changed through its events has the name and domain its events give; an account
  that ``accounts_merged`` names as merged is gone; one ``account_created`` names exists (or was merged);
- a contact created or changed through its events has the fields and the account its events give (a merge
  moves the contacts it lists to the survivor);
- a record whose customer an event names (``record_created`` with ``customer``, ``customer_changed``) has
  that customer (a hand-off that finds or creates the account sets it on the record it leaves).

Accounts and contacts from before these events (imports, lead conversion, the demo) have none and are not
compared. Rows are read before events (a row and its event are written in one transaction).
"""

from __future__ import annotations

from typing import Any

from salesflow.accounts.models import Account, Contact
from salesflow.accounts.services import (
    ACCOUNT_CHANGED,
    ACCOUNT_CREATED,
    ACCOUNTS_MERGED,
    CONTACT_CHANGED,
    CONTACT_CREATED,
    CONTACT_FIELDS,
    CUSTOMER_CHANGED,
)
from salesflow.records.models import Event, Record
from salesflow.records.replay import IntegrityReport

#: A hand-off that finds or creates the customer sets it on the record it leaves (``payload.account.id``).
HANDOFF_SENT = "handoff_sent"
_KINDS = (ACCOUNT_CREATED, ACCOUNT_CHANGED, CONTACT_CREATED, CONTACT_CHANGED, ACCOUNTS_MERGED, CUSTOMER_CHANGED)


def _events() -> Any:
    """The events that shape accounts, contacts and record customers, in chain order."""
    from django.db.models import Q

    wanted = (Q(kind__in=_KINDS) | Q(kind="record_created", payload__has_key="customer")
              | Q(kind=HANDOFF_SENT, payload__has_key="account"))
    return Event.objects.filter(wanted).order_by("seq").iterator(chunk_size=5000)


class _Replay:
    """Accounts, contacts and record customers as the events give them."""

    def __init__(self) -> None:
        self.accounts: dict[int, dict[str, Any]] = {}
        self.created: dict[int, int] = {}
        self.merged: dict[int, int] = {}
        self.contacts: dict[int, dict[str, Any]] = {}
        self.customers: dict[int, int | None] = {}

    def apply(self, event: Event) -> None:
        payload = event.payload or {}
        kind = event.kind
        if kind == ACCOUNT_CREATED:
            pk = payload.get("account_id")
            self.accounts[pk] = {"name": payload.get("name", ""), "domain": payload.get("domain", "")}
            self.created[pk] = event.seq
        elif kind == ACCOUNT_CHANGED and payload.get("account_id") in self.accounts:
            for name, change in (payload.get("changes") or {}).items():
                self.accounts[payload["account_id"]][name] = (change or {}).get("new")
        elif kind == CONTACT_CREATED:
            self.contacts[payload.get("contact_id")] = {name: payload.get(name, "") for name in
                                                        (*CONTACT_FIELDS, "account_id")}
        elif kind == CONTACT_CHANGED and payload.get("contact_id") in self.contacts:
            for name, change in (payload.get("changes") or {}).items():
                self.contacts[payload["contact_id"]][name] = (change or {}).get("new")
        elif kind == ACCOUNTS_MERGED:
            self._merge(payload)
        elif kind == "record_created" and isinstance(payload.get("customer"), dict):
            self.customers[event.record_id] = payload["customer"].get("id")
        elif kind == CUSTOMER_CHANGED:
            self.customers[event.record_id] = (payload.get("new") or {}).get("id")
        elif kind == HANDOFF_SENT and isinstance(payload.get("account"), dict):
            self.customers[event.record_id] = payload["account"].get("id")

    def _merge(self, payload: dict[str, Any]) -> None:
        survivor, merged = payload.get("account_id"), payload.get("merged_id")
        self.merged[merged] = survivor
        self.accounts.pop(merged, None)
        if survivor in self.accounts and (payload.get("taken") or {}).get("domain"):
            self.accounts[survivor]["domain"] = payload["taken"]["domain"]
        for pk in payload.get("contacts") or ():
            if pk in self.contacts:
                self.contacts[pk]["account_id"] = survivor


def check_accounts() -> IntegrityReport:
    """Compare accounts, contacts and record customers with the events that made them."""
    report = IntegrityReport()
    accounts = {pk: {"name": name, "domain": domain} for pk, name, domain in
                Account.objects.values_list("pk", "name", "domain")}
    contacts = {row[0]: dict(zip((*CONTACT_FIELDS, "account_id"), row[1:], strict=True)) for row in
                Contact.objects.values_list("pk", *CONTACT_FIELDS, "account_id")}
    replay = _Replay()
    for event in _events():
        replay.apply(event)
    customers = dict(Record.objects.filter(pk__in=list(replay.customers)).values_list("pk", "customer_id"))
    report.checked = len(replay.accounts) + len(replay.contacts) + len(replay.customers)
    for pk, facts in sorted(replay.accounts.items()):
        stored = accounts.get(pk)
        if stored is None:
            if pk not in replay.merged:
                report.add(f"account {pk}: event {replay.created.get(pk)} created it, but it is not in the database",
                           {"account": pk, "problem": "missing"})
            continue
        for name in ("name", "domain"):
            if stored[name] != facts[name]:
                report.add(f"account {pk}: {name} {stored[name]!r} differs from its events ({facts[name]!r})",
                           {"account": pk, "problem": "differs", "field": name})
    for merged, survivor in sorted(replay.merged.items()):
        if merged in accounts:
            report.add(f"account {merged}: merged into account {survivor}, but still in the database",
                       {"account": merged, "problem": "not merged"})
    for pk, facts in sorted(replay.contacts.items()):
        stored = contacts.get(pk)
        if stored is None:
            report.add(f"contact {pk}: its events record it, but it is not in the database",
                       {"contact": pk, "problem": "missing"})
            continue
        names = [name for name in (*CONTACT_FIELDS, "account_id") if stored[name] != facts[name]]
        if names:
            report.add(f"contact {pk}: {', '.join(names)} differ(s) from its events",
                       {"contact": pk, "problem": "differs", "fields": names})
    for pk, customer in sorted(replay.customers.items()):
        if pk in customers and customers[pk] != customer:
            report.add(f"record {pk}: customer account {customers[pk]} differs from its events ({customer})",
                       {"record": pk, "problem": "customer differs"})
    return report
