"""``/api/material``: the material catalogue, its stock per location, receipts and adjustments.

The same services as ``salesflow material`` and the catalogue page (`salesflow.material.services`): 403 without
a role of ``rights.manage_stock`` for changes, 400 for bad input (named), 409 when stock would go negative.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictInt, StrictStr

from salesflow.api.errors import responses
from salesflow.engine.errors import NotPermitted
from salesflow.material import services

router = Router(tags=["material"])


class ItemOut(Schema):
    """A catalogue item with its stock per location, total and the locations where it is low."""

    code: str
    name: str
    names: dict[str, str]
    kind: str
    unit: str
    reorder_level: int
    stock: dict[str, int]
    total: int
    low_stock: list[str]


class ItemIn(Schema):
    """A new catalogue item."""

    code: Annotated[str, Field(min_length=1, max_length=32)]
    name: Annotated[str, Field(min_length=1, max_length=200, description="English name")]
    name_de: Annotated[str, Field(max_length=200)] = ""
    kind: Annotated[str, Field(description="sales_kit, promotion or representation")]
    unit: Annotated[str, Field(min_length=1, max_length=16)] = "pcs"
    reorder_level: Annotated[int, Field(ge=0, le=services.MAX_QUANTITY)] = 0


class ReceiptIn(Schema):
    """Material received at a location."""

    item: Annotated[str, Field(min_length=1, max_length=32)]
    location: Annotated[str, Field(min_length=1, max_length=64)]
    quantity: Annotated[StrictInt, Field(ge=1, le=services.MAX_QUANTITY)]
    note: Annotated[StrictStr, Field(max_length=services.MAX_REASON)] = ""


class AdjustmentIn(Schema):
    """A correction of the stock at a location: by a difference or to a counted quantity, with its reason."""

    item: Annotated[str, Field(min_length=1, max_length=32)]
    location: Annotated[str, Field(min_length=1, max_length=64)]
    reason: Annotated[StrictStr, Field(min_length=1, max_length=services.MAX_REASON)]
    by: Annotated[StrictInt, Field(ge=-services.MAX_QUANTITY, le=services.MAX_QUANTITY)] | None = None
    to: Annotated[StrictInt, Field(ge=0, le=services.MAX_QUANTITY)] | None = None


class MovementOut(Schema):
    """A stock movement as stored (and logged in the event chain)."""

    id: int
    item: str
    location: str
    kind: str
    quantity: int
    balance: int
    reason: str
    record: int | None
    actor: str
    at: str
    event_seq: int | None
    low_stock: bool


def _language(request: HttpRequest) -> str:
    return (getattr(request, "LANGUAGE_CODE", "en") or "en")[:2]


def _refuse_non_staff(user: Any) -> None:
    if not services.may_view(user):
        raise NotPermitted("the material catalogue is for sales staff: your user holds no role")


@router.get("/items", response=responses({200: list[ItemOut]}, 400, 403), summary="List the material catalogue",
            operation_id="list_material_items")
def list_items(request: HttpRequest, kind: str | None = None) -> list[dict[str, Any]]:
    """Every item with its stock per location (``low_stock``: locations at or below the reorder level)."""
    _refuse_non_staff(request.auth)
    return services.catalogue(_language(request), kind)


@router.post("/items", response=responses({201: ItemOut}, 400, 403, 409), summary="Add a catalogue item",
             operation_id="add_material_item")
def add_item(request: HttpRequest, payload: ItemIn) -> Status:
    """Add an item (needs a role of ``rights.manage_stock``)."""
    item = services.do_add_item(request.auth, payload.code, payload.name, payload.name_de, payload.kind,
                                payload.unit, payload.reorder_level)
    row = next(row for row in services.catalogue(_language(request)) if row["code"] == item.code)
    return Status(201, row)


@router.post("/receipts", response=responses({201: MovementOut}, 400, 403, 404), summary="Book a receipt",
             operation_id="receive_material")
def receive(request: HttpRequest, payload: ReceiptIn) -> Status:
    """Book material received at a location."""
    movement = services.do_receive(request.auth, payload.item, payload.location, payload.quantity, payload.note)
    return Status(201, services.movement_data(movement))


@router.post("/adjustments", response=responses({201: MovementOut}, 400, 403, 404, 409),
             summary="Adjust the stock", operation_id="adjust_material")
def adjust(request: HttpRequest, payload: AdjustmentIn) -> Status:
    """Correct the stock with a reason (``by`` a difference or ``to`` a counted quantity); never below zero."""
    movement = services.do_adjust(request.auth, payload.item, payload.location, payload.reason, by=payload.by,
                                  to=payload.to)
    return Status(201, services.movement_data(movement))
