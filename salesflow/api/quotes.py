"""``/api/products``, ``/api/quotes``, ``/api/orders``: the product catalogue, quotes in versions, the offer
document and the order lines — the same services as ``salesflow product``, ``salesflow quote`` and
``salesflow order`` (`salesflow.products.services`, `salesflow.quotes.services`, `salesflow.quotes.orders`).

403 without the right (``manage_products``; the record's edit rights for quotes), 404 for a quote or record the
caller may not see, 400 for bad input (named), 409 for a quote in the wrong stage or state.
"""

from __future__ import annotations

import datetime
import json
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, StrictInt

from salesflow.api.errors import responses
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.products import services as products
from salesflow.quotes import document, orders, services

products_router = Router(tags=["products"])
quotes_router = Router(tags=["quotes"])
orders_router = Router(tags=["orders"])


class ProductOut(Schema):
    """A product or service of the catalogue with its list prices by currency."""

    sku: str
    name: str
    names: dict[str, str]
    unit: str
    prices: dict[str, str]
    active: bool
    event_seq: int | None


class ProductIn(Schema):
    """A product to add or change (the SKU names it)."""

    sku: Annotated[str, Field(min_length=1, max_length=40)]
    name: Annotated[str, Field(min_length=1, max_length=200, description="English name")]
    name_de: Annotated[str, Field(max_length=200)] = ""
    unit: Annotated[str, Field(min_length=1, max_length=16)] = "pcs"
    prices: dict[str, str] = Field(default_factory=dict, description="List price (decimal text) by currency code")
    active: StrictBool = True


class LineIn(Schema):
    """A quote line: a product (``sku``, priced from the catalogue unless ``unit_price`` is given) or a free
    ``text`` with its ``unit_price``."""

    sku: Annotated[str, Field(max_length=40)] = ""
    text: Annotated[str, Field(max_length=services.MAX_TEXT)] = ""
    quantity: Annotated[str, Field(min_length=1, max_length=20)]
    discount_percent: Annotated[str, Field(max_length=10)] = "0"
    unit_price: Annotated[str, Field(max_length=20)] | None = None


class TermsIn(Schema):
    """A quote's lines and terms (empty terms: the library's defaults, or the previous version's)."""

    lines: list[LineIn] = Field(default_factory=list)
    valid_until: datetime.date | None = None
    tax_rate: Annotated[str, Field(max_length=10)] | None = None
    payment_terms: Annotated[str, Field(max_length=services.MAX_TEXT)] | None = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    note: Annotated[str, Field(max_length=services.MAX_TEXT)] = ""


class QuoteIn(TermsIn):
    """A new quote on a record."""

    record: StrictInt
    language: Annotated[str, Field(pattern="^(en|de)$")] = "en"


class AnswerIn(Schema):
    """The customer's answer to the sent offer."""

    accepted: StrictBool
    reason: Annotated[str, Field(max_length=services.MAX_TEXT)] = ""


class QuoteOut(Schema):
    """A quote at its current version (``total`` net; ``total_with_tax`` gross)."""

    id: int
    number: str
    record: StrictInt
    version: int
    current_version: int
    status: str
    status_reason: str
    language: str
    currency: str
    lines: list[dict[str, Any]]
    total: str
    tax_rate: str
    tax_amount: str
    total_with_tax: str
    max_discount_percent: str
    valid_until: str
    payment_terms: str
    created_by: str
    created_at: str
    event_seq: int | None
    approved: bool
    approved_by: str | None
    sent_version: int | None
    sent_sha256: str | None
    versions: list[int]


class OrderLinesOut(Schema):
    """An order's lines for the ERP."""

    order: int
    title: str
    currency: str
    amount: str | None
    lines: list[dict[str, Any]]


def _language(request: HttpRequest) -> str:
    return (getattr(request, "LANGUAGE_CODE", "en") or "en")[:2]


def _lines(given: list[LineIn]) -> list[services.LineInput]:
    result = []
    for index, line in enumerate(given, start=1):
        try:
            quantity = services.clean_quantity(line.quantity)
            discount = services.clean_discount(line.discount_percent or "0")
            price = products.clean_price(line.unit_price, "unit_price") if line.unit_price not in (None, "") else None
        except BadInput as error:
            raise BadInput(f"lines[{index}]: {error.message}") from None
        result.append(services.LineInput(quantity=quantity, sku=line.sku.strip().upper(), text=line.text,
                                         unit_price=price, discount=discount))
    return result


def _terms(payload: TermsIn) -> services.Terms:
    return services.Terms(valid_until=payload.valid_until, tax_rate=payload.tax_rate,
                          payment_terms=payload.payment_terms, currency=payload.currency, note=payload.note)


@products_router.get("", response=responses({200: list[ProductOut]}, 403), summary="List the product catalogue",
                     operation_id="list_products")
def list_products(request: HttpRequest) -> list[dict[str, Any]]:
    """Every product and service with its list prices (sales staff)."""
    if not products.may_view(request.auth):
        raise NotPermitted("the product catalogue is for sales staff: your user holds no role")
    return products.catalogue(_language(request))


@products_router.post("", response=responses({201: ProductOut}, 400, 403), summary="Add or change a product",
                      operation_id="save_product")
def save_product(request: HttpRequest, payload: ProductIn) -> Status:
    """Add a product or change it (needs the library right ``manage_products``)."""
    product = products.do_save_product(request.auth, payload.sku, payload.name, payload.name_de, payload.unit,
                                       payload.prices, payload.active)
    return Status(201, products.product_data(product, _language(request)))


@quotes_router.post("", response=responses({201: QuoteOut}, 400, 403, 404, 409), summary="Create a quote",
                    operation_id="create_quote")
def create_quote(request: HttpRequest, payload: QuoteIn) -> Status:
    """A quote (version 1) on a record whose process carries quotes, in a stage that makes them."""
    version = services.do_create_quote(payload.record, request.auth, _lines(payload.lines), _terms(payload),
                                       payload.language)
    return Status(201, services.quote_data(version.quote, version))


@quotes_router.get("/{quote_id}", response=responses({200: QuoteOut}, 400, 404), summary="Show a quote",
                   operation_id="get_quote")
def get_quote(request: HttpRequest, quote_id: int) -> dict[str, Any]:
    """The quote at its current version (``versions`` lists every version)."""
    return services.quote_data(services.get_quote(quote_id, request.auth))


@quotes_router.post("/{quote_id}/revise", response=responses({201: QuoteOut}, 400, 403, 404, 409),
                    summary="Revise a quote", operation_id="revise_quote")
def revise_quote(request: HttpRequest, quote_id: int, payload: TermsIn) -> Status:
    """A new version (new lines, or the current ones with new terms): its approval is needed again."""
    version = services.do_revise_quote(quote_id, request.auth, _lines(payload.lines) or None, _terms(payload))
    return Status(201, services.quote_data(version.quote, version))


@quotes_router.post("/{quote_id}/answer", response=responses({200: QuoteOut}, 400, 403, 404, 409),
                    summary="Record the customer's answer", operation_id="answer_quote")
def answer_quote(request: HttpRequest, quote_id: int, payload: AnswerIn) -> dict[str, Any]:
    """Accepted, or rejected with the customer's reason (only a sent offer)."""
    return services.quote_data(services.do_answer(quote_id, request.auth, payload.accepted, payload.reason))


@quotes_router.get("/{quote_id}/document", response=responses({200: None}, 400, 404),
                   summary="The offer document", operation_id="quote_document")
def quote_document(request: HttpRequest, quote_id: int, format: str = "pdf", language: str | None = None,
                   version: int | None = None) -> HttpResponse:
    """The offer as PDF (``format=pdf``) or HTML, in the quote's (or the given) language, at a version."""
    quote = services.get_quote(quote_id, request.auth)
    chosen = quote.versions.filter(version=version or quote.current_version).first()
    if chosen is None:
        raise BadInput(f"version: quote {quote.number} has no version {version}")
    language = language or quote.language
    if language not in document.LANGUAGES:
        raise BadInput(f"language: expected en or de, got {language!r}")
    if format == "html":
        return HttpResponse(document.render_offer_html(chosen, language, for_print=True),
                            content_type="text/html; charset=utf-8")
    if format != "pdf":
        raise BadInput(f"format: expected pdf or html, got {format!r}")
    response = HttpResponse(document.render_offer_pdf(chosen, language), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.file_name(chosen, language)}"'
    return response


@orders_router.get("/{record_id}/lines", response=responses({200: OrderLinesOut}, 400, 404),
                   summary="An order's lines (ERP export)", operation_id="order_lines")
def order_lines(request: HttpRequest, record_id: int) -> dict[str, Any]:
    """The lines an order received from the accepted quote (as changed since), with the order's amount."""
    return json.loads(orders.export_lines(record_id, request.auth, "json"))

