"""Duplicate detection before a lead or account is created.

A company (and optionally an e-mail address) is compared with existing accounts and existing lead
records: by normalised name (`normalise_name`: case, accents, punctuation and legal forms ignored,
so "ACME GmbH" matches "Acme") and by e-mail domain (equal to an account's web domain or to the
domain of one of its contacts' e-mail addresses, or to a lead's e-mail domain). Free-mail domains
(gmail.com, gmx.de …) say nothing about the company and are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from salesflow.accounts.models import Account, Contact, normalise_name
from salesflow.engine.errors import BadInput

#: The record type of lead processes.
LEAD_RECORD_TYPE = "lead"

#: E-mail domains shared by private persons: never evidence of the same company.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "outlook.de", "hotmail.com", "hotmail.de", "live.com", "live.de",
    "msn.com", "yahoo.com", "yahoo.de", "ymail.com", "aol.com", "aol.de", "icloud.com", "me.com", "mac.com",
    "gmx.de", "gmx.net", "gmx.com", "gmx.at", "gmx.ch", "web.de", "t-online.de", "freenet.de", "arcor.de",
    "posteo.de", "mailbox.org", "protonmail.com", "proton.me", "mail.de", "mail.com", "email.de", "online.de",
})

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def domain_of(email_or_url: str | None) -> str:
    """The domain of an e-mail address, URL or bare domain, lower-case without ``www.``; "" when there is none.

    ``"Jo <jo@Sales.ACME.com>"`` → ``"sales.acme.com"``, ``"https://www.acme.com/de"`` → ``"acme.com"``,
    ``"acme.com"`` → ``"acme.com"``, ``"acme"`` → ``""``.
    """
    text = (email_or_url or "").strip().lower()
    if not text:
        return ""
    if text.startswith("mailto:"):
        text = text[len("mailto:"):]
    if "<" in text and ">" in text:
        text = text[text.rindex("<") + 1:text.rindex(">")]
    if "@" in text and not _SCHEME.match(text):
        text = text.rsplit("@", 1)[1]
    text = _SCHEME.sub("", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1]  # user:password@host
    text = text.split(":", 1)[0].strip().rstrip(".")
    text = text.removeprefix("www.")
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return text if _DOMAIN.match(text) else ""


def is_free_mail(domain: str) -> bool:
    """True for a free-mail provider's domain (or one of its sub-domains)."""
    parts = domain.lower().split(".")
    return any(".".join(parts[start:]) in FREE_MAIL_DOMAINS for start in range(len(parts) - 1))


def company_domain(email_or_url: str | None) -> str:
    """`domain_of`, but "" for free-mail domains: the domain as evidence of a company."""
    domain = domain_of(email_or_url)
    return "" if not domain or is_free_mail(domain) else domain


@dataclass(frozen=True)
class Match:
    """A possible duplicate: an account or a lead record, what matched, and where to link.

    ``kind`` is ``account`` (``target_id`` an Account id) or ``lead`` (a Record id);
    ``matched_on`` holds ``name`` and/or ``domain``.
    """

    kind: str
    target_id: int
    label: str
    matched_on: tuple[str, ...]
    domain: str = ""
    stage: str = ""
    outcome: str = ""

    @property
    def link(self) -> str:
        """The link target as ``account:ID`` or ``record:ID``."""
        return f"{'account' if self.kind == 'account' else 'record'}:{self.target_id}"

    def to_data(self) -> dict[str, Any]:
        """JSON-ready description."""
        data: dict[str, Any] = {"kind": self.kind, "id": self.target_id, "label": self.label,
                                "matched_on": list(self.matched_on), "link": self.link}
        if self.domain:
            data["domain"] = self.domain
        if self.kind == "lead":
            data["stage"] = self.stage
            data["outcome"] = self.outcome
        return data


@lru_cache(maxsize=65536)
def _normalised(company: str) -> str:
    return normalise_name(company)


def _reasons(name_hit: bool, domain_hit: bool) -> tuple[str, ...]:
    return tuple(reason for reason, hit in (("name", name_hit), ("domain", domain_hit)) if hit)


def _account_matches(name: str, domain: str) -> list[Match]:
    by_name: set[int] = set()
    by_domain: set[int] = set()
    if name:
        by_name.update(Account.objects.filter(normalised_name=name).values_list("pk", flat=True))
    if domain:
        for pk, raw in Account.objects.filter(domain__icontains=domain).values_list("pk", "domain"):
            if domain_of(raw) == domain:
                by_domain.add(pk)
        by_domain.update(Contact.objects.filter(account__isnull=False, email__iendswith="@" + domain)
                         .values_list("account_id", flat=True))
    ids = by_name | by_domain
    accounts = Account.objects.filter(pk__in=ids).values_list("pk", "name", "domain")
    return [Match("account", pk, label, _reasons(pk in by_name, pk in by_domain),
                  domain=domain if pk in by_domain else domain_of(raw_domain))
            for pk, label, raw_domain in accounts]


def _lead_matches(name: str, domain: str, exclude_record_id: Any, user: Any | None) -> list[Match]:
    from django.db.models.fields.json import KeyTextTransform

    from salesflow.records.models import Record

    query = Record.objects.filter(process__record_type=LEAD_RECORD_TYPE)
    if exclude_record_id not in (None, ""):
        try:
            query = query.exclude(pk=int(exclude_record_id))
        except (TypeError, ValueError):
            raise BadInput(f"exclude_record_id: a record id is expected, got {exclude_record_id!r}") from None
    if user is not None:
        from salesflow.people import access

        query = access.visible_records(user, query)
    query = query.annotate(company_text=KeyTextTransform("company", "values"),
                           email_text=KeyTextTransform("email", "values"))
    by_name: set[int] = set()
    if name:  # normalised names cannot be compared in SQL: one pass over the leads' company texts
        for pk, company, account_text in query.values_list("pk", "company_text", "account").iterator(chunk_size=5000):
            if _normalised(company or account_text or "") == name:
                by_name.add(pk)
    by_domain: set[int] = set()
    if domain:
        for pk, email in query.filter(email_text__iendswith="@" + domain).values_list("pk", "email_text"):
            if company_domain(email) == domain:
                by_domain.add(pk)
    rows = query.filter(pk__in=by_name | by_domain).values_list("pk", "title", "account", "company_text",
                                                                "email_text", "stage", "outcome")
    return [Match("lead", pk, company or account_text or title, _reasons(pk in by_name, pk in by_domain),
                  domain=company_domain(email or ""), stage=stage, outcome=outcome)
            for pk, title, account_text, company, email, stage, outcome in rows]


def find_duplicates(company: str, email: str = "", exclude_record_id: Any = None, *,
                    user: Any | None = None) -> list[Match]:
    """Accounts and lead records that may be the same company as ``company`` / ``email``.

    Name: `normalise_name` equality (an empty normalised name matches nothing). Domain: the e-mail's
    domain (free-mail ignored) equal to an account's domain, to the domain of a contact's e-mail at an
    account, or to a lead's e-mail domain. ``exclude_record_id``: the lead being edited. ``user``: only
    leads this user may see. Accounts come first (by name), then leads (newest first); within each,
    matches on both name and domain come first. Raises `BadInput` for a malformed ``exclude_record_id``.
    """
    name = normalise_name(company or "")
    domain = company_domain(email)
    if not name and not domain:
        return []
    matches = _account_matches(name, domain) + _lead_matches(name, domain, exclude_record_id, user)
    order = {"account": 0, "lead": 1}
    return sorted(matches, key=lambda match: (order[match.kind], -len(match.matched_on),
                                               match.label.casefold() if match.kind == "account" else "",
                                               match.target_id if match.kind == "account" else -match.target_id))
