"""``/api/partners``: channel partners (accounts of the kind partner), through `salesflow.accounts.partners`.

Every staff member reads the list and a partner's page (assessments and records they may not see do not
count); marking partners and attributing leads needs the library right ``manage_partners`` (403; a lead's
owner may attribute their own lead).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from salesflow.accounts import partners
from salesflow.api.errors import responses
from salesflow.api.schemas import MAX_ID
from salesflow.engine.errors import NotPermitted
from salesflow.people import access
from salesflow.records.services import get_record

router = Router(tags=["partners"])
PartnerId = Path(..., ge=1, le=MAX_ID, description="The partner's (account's) id.")


class PartnerOut(Schema):
    """A channel partner."""

    id: int
    name: str
    tier: str
    region: str
    domain: str


class PartnerAssessmentOut(Schema):
    """An assessment of the partner (mystery shopping or channel satisfaction)."""

    id: int
    date: str
    checklist: str
    score: float
    passed: bool
    assessor: str


class ScoresOut(Schema):
    """Assessments of one kind with their mean score."""

    average: float | None
    assessments: list[PartnerAssessmentOut]


class PartnerLeadOut(Schema):
    """A record the partner brought in, and what became of it."""

    record: int
    title: str
    process: str
    status: str
    handed_to: list[int]


class PersonOut(Schema):
    """A person (contact) of the partner."""

    id: int
    name: str


class PartnerPageOut(PartnerOut):
    """What the partner page shows its reader."""

    people: list[PersonOut]
    mystery_shopping: ScoresOut
    channel_satisfaction: ScoresOut
    leads: list[PartnerLeadOut]
    lead_outcomes: dict[str, int]


class PartnerIn(Schema):
    """Mark an account as a channel partner."""

    account: Annotated[int, Field(ge=1, le=MAX_ID)]
    tier: Annotated[str, Field(max_length=32)] = ""
    region: Annotated[str, Field(max_length=100)] = ""


class LeadIn(Schema):
    """A record the partner brought in."""

    record: Annotated[int, Field(ge=1, le=MAX_ID)]


class LeadOut(Schema):
    """The attribution recorded."""

    record: int
    partner: int


def _staff(user: Any) -> None:
    if not access.is_staff_member(user):
        raise NotPermitted("channel partners are for sales staff: your user holds no role")


@router.get("", response=responses({200: list[PartnerOut]}, 403), summary="List the channel partners",
            operation_id="list_partners")
def list_partners(request: HttpRequest) -> list[dict[str, Any]]:
    """Every channel partner, by name."""
    _staff(request.auth)
    return [partners.partner_data(partner) for partner in partners.partners()]


@router.post("", response=responses({200: PartnerOut}, 400, 403, 404), summary="Mark an account as a partner",
             operation_id="set_partner")
def set_partner(request: HttpRequest, payload: PartnerIn) -> dict[str, Any]:
    """Mark the account as a channel partner with tier and region (an event ``partner_set``)."""
    _staff(request.auth)
    account = partners.get_account(payload.account)
    return partners.partner_data(partners.do_set_partner(account, payload.tier, payload.region, by=request.auth))


@router.get("/{partner_id}", response=responses({200: PartnerPageOut}, 400, 403, 404), summary="Read a partner",
            operation_id="read_partner")
def read_partner(request: HttpRequest, partner_id: int = PartnerId) -> dict[str, Any]:
    """Mystery-shopping scores over time, channel satisfaction, partner-sourced leads and their outcome."""
    _staff(request.auth)
    return partners.partner_page_data(partners.partner_page(partners.get_partner(partner_id), request.auth))


@router.post("/{partner_id}/leads", response=responses({200: LeadOut}, 400, 403, 404),
             summary="Attribute a lead to the partner", operation_id="attribute_lead")
def attribute_lead(request: HttpRequest, payload: LeadIn, partner_id: int = PartnerId) -> dict[str, Any]:
    """Record that the partner brought in the record (an event ``lead_attributed``)."""
    _staff(request.auth)
    partner = partners.get_partner(partner_id)
    record = get_record(payload.record, request.auth)
    link = partners.do_attribute_lead(record, partner, by=request.auth)
    return {"record": record.pk, "partner": link.partner_id}
