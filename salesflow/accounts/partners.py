"""Channel partners: accounts of the kind partner with their tier, region and people, the leads they brought in,
and what the partner page shows (mystery-shopping scores over time, channel satisfaction, sourced leads).

Every change is an event in the chain (record-less: ``partner_set``, ``lead_attributed``). What a reader sees
follows the one visibility rule: assessments they may not see and records they may not see do not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.accounts.models import Account, PartnerLead
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.engine.state import EventDraft
from salesflow.people import access
from salesflow.records import eventlog
from salesflow.records.services import actorship

#: The library right to mark partners and attribute leads (library settings ``rights``).
MANAGE_PARTNERS = "manage_partners"
MAX_TIER = 32
MAX_REGION = 100


def may_manage_partners(user: Any | None) -> bool:
    """True for the system (None), superusers and holders of the ``manage_partners`` right (not read-only)."""
    if user is None:
        return True
    return (user.is_superuser or access.has_right(user, MANAGE_PARTNERS)) and not access.is_read_only(user)


def do_set_partner(account: Account, tier: str = "", region: str = "", by: Any | None = None,
                   at: Any | None = None) -> Account:
    """Mark ``account`` as a channel partner with a tier and a region (one ``partner_set`` event)."""
    if not may_manage_partners(by):
        raise NotPermitted(f"{by.display_name} may not manage channel partners")
    tier, region = str(tier or "").strip(), str(region or "").strip()
    if len(tier) > MAX_TIER:
        raise BadInput(f"tier: at most {MAX_TIER} characters, got {len(tier)}")
    if len(region) > MAX_REGION:
        raise BadInput(f"region: at most {MAX_REGION} characters, got {len(region)}")
    at = at or timezone.now()
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        account.kind, account.tier, account.region = Account.PARTNER, tier, region
        account.save(update_fields=["kind", "tier", "region", "normalised_name"])
        eventlog.append([EventDraft(kind="partner_set", payload={
            "account_id": account.pk, "account": account.name, "tier": tier, "region": region})],
            actor=actorship(by), at=at)
    return account


def do_attribute_lead(record: Any, partner: Account, by: Any | None = None, at: Any | None = None) -> PartnerLead:
    """Record that ``partner`` brought in the record (a lead); one ``lead_attributed`` event."""
    if not may_manage_partners(by) and not (by is not None and record.owner_id == by.pk):
        raise NotPermitted(f"{by.display_name} may not attribute record {record.pk} to a partner")
    if partner.kind != Account.PARTNER:
        raise BadInput(f"account {partner.pk} ({partner.name}) is not a channel partner")
    at = at or timezone.now()
    with transaction.atomic():
        link, _created = PartnerLead.objects.update_or_create(record=record, defaults={"partner": partner, "at": at})
        eventlog.append([EventDraft(kind="lead_attributed", payload={
            "record_id": record.pk, "partner_id": partner.pk, "partner": partner.name})], actor=actorship(by), at=at)
    return link


def partners() -> list[Account]:
    """Every channel partner, by name."""
    return list(Account.objects.filter(kind=Account.PARTNER).order_by("name"))


@dataclass
class PartnerPage:
    """What the partner page shows to one reader."""

    partner: Account
    people: list[Any]
    mystery_shopping: list[dict[str, Any]] = field(default_factory=list)
    satisfaction: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    lead_outcomes: dict[str, int] = field(default_factory=dict)

    def average(self, rows: list[dict[str, Any]]) -> float | None:
        """The mean score of some assessment rows (None without any)."""
        return round(sum(row["score"] for row in rows) / len(rows), 1) if rows else None

    @property
    def mystery_average(self) -> float | None:
        """Mean mystery-shopping score."""
        return self.average(self.mystery_shopping)

    @property
    def satisfaction_average(self) -> float | None:
        """Mean channel-satisfaction score."""
        return self.average(self.satisfaction)


def _assessment_rows(user: Any, partner: Account, keys: list[str]) -> list[dict[str, Any]]:
    from salesflow.quality.models import Assessment
    from salesflow.quality.services import visible_assessments

    query = visible_assessments(user, Assessment.objects.filter(
        subject_kind="partner", subject_id=partner.pk, checklist__key__in=keys)).select_related("checklist")
    return [{"id": row.pk, "date": row.date, "checklist": row.checklist.key, "score": float(row.score_percent),
             "passed": row.passed, "assessor": row.assessor_name} for row in query.order_by("date", "id")]


#: What became of a partner-sourced record (in the order the page shows them).
LEAD_STATUSES = ("open", "disqualified", "converted", "won", "lost")


def lead_status(outcome: str, handed_to: list[str]) -> str:
    """What became of a sourced record, from its outcome and the outcomes of the records it handed over to:
    ``open`` (still running), ``disqualified`` (closed lost), ``won`` / ``lost`` (a record it handed over to was
    won / all of them lost), ``converted`` (handed over, still running there; or won without a hand-off)."""
    if outcome == "lost":
        return "disqualified"
    if not outcome:
        return "open"
    if "won" in handed_to:
        return "won"
    if handed_to and all(item == "lost" for item in handed_to):
        return "lost"
    return "converted"


def partner_page(partner: Account, user: Any) -> PartnerPage:
    """The partner page for ``user``: only the assessments and records ``user`` may see count."""
    from salesflow.records.models import RecordLink

    monitoring = access.policy().settings.monitoring
    page = PartnerPage(partner=partner, people=list(partner.contacts.all()),
                       mystery_shopping=_assessment_rows(user, partner, monitoring.mystery_shopping),
                       satisfaction=_assessment_rows(user, partner, monitoring.channel_satisfaction))
    visible = access.visible_records(user)
    records = list(visible.filter(partner_source__partner=partner).select_related("process", "owner")
                   .order_by("-created_at", "-id"))
    targets: dict[int, list[Any]] = {}
    for link in RecordLink.objects.filter(source__in=[record.pk for record in records],
                                          target__in=visible).select_related("target"):
        targets.setdefault(link.source_id, []).append(link.target)
    for record in records:
        status = lead_status(record.outcome, [target.outcome for target in targets.get(record.pk, [])])
        page.lead_outcomes[status] = page.lead_outcomes.get(status, 0) + 1
        page.leads.append({"record": record, "status": status, "handed_to": targets.get(record.pk, [])})
    return page


def partner_data(partner: Account) -> dict[str, Any]:
    """JSON-ready data of a channel partner (the CLI's ``--json`` and the API)."""
    return {"id": partner.pk, "name": partner.name, "tier": partner.tier, "region": partner.region,
            "domain": partner.domain}


def partner_page_data(page: PartnerPage) -> dict[str, Any]:
    """JSON-ready data of what the partner page shows its reader (scores, satisfaction, sourced leads)."""
    def assessments(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**row, "date": row["date"].isoformat()} for row in rows]

    return {
        **partner_data(page.partner),
        "people": [{"id": person.pk, "name": str(person)} for person in page.people],
        "mystery_shopping": {"average": page.mystery_average, "assessments": assessments(page.mystery_shopping)},
        "channel_satisfaction": {"average": page.satisfaction_average,
                                 "assessments": assessments(page.satisfaction)},
        "leads": [{"record": lead["record"].pk, "title": lead["record"].title, "process": lead["record"].process.key,
                   "status": lead["status"], "handed_to": [target.pk for target in lead["handed_to"]]}
                  for lead in page.leads],
        "lead_outcomes": page.lead_outcomes,
    }


def get_partner(ident: Any) -> Account:
    """A channel partner by id. Raises NotFound (also for an account that is no partner)."""
    from salesflow.records.services import NotFound

    text = str(ident).strip()[:20]
    found = (Account.objects.filter(pk=int(text), kind=Account.PARTNER).first()
             if text.isdigit() and len(text) < 19 else None)
    if found is None:
        raise NotFound(f"partner {text} not found")
    return found


def get_account(ident: Any) -> Account:
    """Any account by id. Raises NotFound."""
    from salesflow.records.services import NotFound

    text = str(ident).strip()[:20]
    found = Account.objects.filter(pk=int(text)).first() if text.isdigit() and len(text) < 19 else None
    if found is None:
        raise NotFound(f"account {text} not found")
    return found
