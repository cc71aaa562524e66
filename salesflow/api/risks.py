"""``/api/risks``: the risk and opportunity register (ISO 9001 6.1), through `salesflow.risks.services`.

Every staff member reads it; adding and changing entries needs the library right ``manage_risks`` (403).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from salesflow.api.errors import responses
from salesflow.api.schemas import MAX_ID
from salesflow.engine.errors import NotPermitted
from salesflow.people import access
from salesflow.risks import services

router = Router(tags=["risks"])
RiskId = Path(..., ge=1, le=MAX_ID, description="The entry's id.")
Text300 = Annotated[str, Field(max_length=300)]
Text10k = Annotated[str, Field(max_length=10_000)]


class RiskOut(Schema):
    """An entry of the register."""

    id: int
    kind: str
    title: str
    description: str
    process: str
    likelihood: int
    impact: int
    score: int
    level: str
    treatment: str
    status: str
    owner: str | None
    review_date: str | None
    last_reviewed_at: str | None
    created_at: str
    updated_at: str
    event_seq: int | None


class RiskIn(Schema):
    """A new entry (likelihood and impact 1-5)."""

    title: Text300
    process: Annotated[str, Field(max_length=64)]
    likelihood: Annotated[int, Field(ge=1, le=5)]
    impact: Annotated[int, Field(ge=1, le=5)]
    kind: Annotated[str, Field(max_length=16)] = "risk"
    description: Text10k = ""
    treatment: Text10k = ""
    status: Annotated[str, Field(max_length=16)] = "open"
    owner: Annotated[str | None, Field(max_length=150)] = None
    review_date: Annotated[str | None, Field(max_length=10)] = None


class RiskPatch(Schema):
    """Changes of an entry (only the keys given); ``reviewed_note`` records a review instead."""

    title: Text300 | None = None
    process: Annotated[str | None, Field(max_length=64)] = None
    likelihood: Annotated[int | None, Field(ge=1, le=5)] = None
    impact: Annotated[int | None, Field(ge=1, le=5)] = None
    kind: Annotated[str | None, Field(max_length=16)] = None
    description: Text10k | None = None
    treatment: Text10k | None = None
    status: Annotated[str | None, Field(max_length=16)] = None
    owner: Annotated[str | None, Field(max_length=150)] = None
    review_date: Annotated[str | None, Field(max_length=10)] = None


def _staff(user: Any) -> None:
    if not access.is_staff_member(user):
        raise NotPermitted("the risk register is for sales staff: your user holds no role")


@router.get("", response=responses({200: list[RiskOut]}, 403), summary="List the risk register",
            operation_id="list_risks")
def list_risks(request: HttpRequest) -> list[dict[str, Any]]:
    """Every entry, highest score first."""
    _staff(request.auth)
    return [services.risk_data(entry) for entry in services.list_risks(request.auth)]


@router.post("", response=responses({201: RiskOut}, 400, 403), summary="Add a risk or opportunity",
             operation_id="create_risk")
def create_risk(request: HttpRequest, payload: RiskIn) -> Status:
    """Add an entry (an event ``risk_added`` in the chain)."""
    values = {name: value for name, value in payload.dict().items() if value is not None}
    return Status(201, services.risk_data(services.do_add_risk(request.auth, values)))


@router.patch("/{risk_id}", response=responses({200: RiskOut}, 400, 403, 404, 409), summary="Change an entry",
              operation_id="update_risk")
def update_risk(request: HttpRequest, payload: RiskPatch, risk_id: int = RiskId) -> dict[str, Any]:
    """Change the keys given (an event ``risk_changed`` with old and new values)."""
    changes = {name: value for name, value in payload.dict().items() if value is not None}
    return services.risk_data(services.do_update_risk(risk_id, request.auth, changes))


@router.post("/{risk_id}/review", response=responses({200: RiskOut}, 400, 403, 404), summary="Review an entry",
             operation_id="review_risk")
def review_risk(request: HttpRequest, risk_id: int = RiskId) -> dict[str, Any]:
    """Record that the entry was reviewed (an event ``risk_reviewed``)."""
    return services.risk_data(services.do_review_risk(risk_id, request.auth))
