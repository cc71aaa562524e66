"""Order lines: an accepted quote's lines handed over to the order at Won, changed under change control, exported.

At the hand-off the process's ``quotes.order_handoff`` names, the lines of the record's accepted quote (or, when
no answer was recorded, its current version if approved) become the lines of the new order record — event
``order_lines_created`` on the order. A changed line changes the order's amount through the engine's field
change, so the order process's ``change_control`` re-opens its review (ISO 9001 8.2.4).
"""

from __future__ import annotations

import datetime
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.engine import actions
from salesflow.engine.errors import BadInput, Conflict
from salesflow.engine.state import EventDraft, Result
from salesflow.quotes.models import OrderLine, Quote, QuoteStatus
from salesflow.quotes.services import CENT, _visible_record, approval_of, clean_discount, clean_quantity
from salesflow.records import services as records
from salesflow.records.models import Record

EXPORT_COLUMNS = ("order", "position", "sku", "description", "quantity", "unit", "unit_price", "discount_percent",
                  "line_total", "currency", "quote", "quote_version")


def source_quote(record: Record) -> Quote | None:
    """The quote whose lines the order receives: the accepted one, else the current version when approved."""
    quotes = list(Quote.objects.filter(record=record).exclude(status=QuoteStatus.rejected))
    for quote in quotes:
        if quote.status == QuoteStatus.accepted:
            return quote
    for quote in quotes:
        if approval_of(quote) is not None:
            return quote
    return None


def carry_lines(source: Record, order: Record, user: Any | None, at: datetime.datetime) -> list[OrderLine]:
    """Give a just created order the lines of its source record's quote (none: the order starts without lines)."""
    target_definition = records.definition_of(order.process_version)
    if target_definition.order_lines is None:
        return []
    quote = source_quote(source)
    if quote is None:
        return []
    version = quote.current()
    lines = [OrderLine.objects.create(
        record=order, position=line["position"], sku=line.get("sku") or "", description=line["description"],
        unit=line.get("unit") or "pcs", quantity=Decimal(line["quantity"]), unit_price=Decimal(line["unit_price"]),
        discount_percent=Decimal(line["discount_percent"]), line_total=Decimal(line["line_total"]), quote=quote,
        quote_version=version.version, updated_at=at) for line in version.lines]
    from salesflow.records.chain import _append

    _append(order, [EventDraft(kind="order_lines_created", role="system", from_stage=order.stage, payload={
        "quote": quote.pk, "quote_number": quote.number, "quote_version": version.version,
        "total": f"{version.total:f}", "currency": version.currency,
        "lines": [line_data(item) for item in lines]})], user, at)
    return lines


def line_data(line: OrderLine) -> dict[str, Any]:
    """JSON-ready data of an order line."""
    return {"position": line.position, "sku": line.sku, "description": line.description.get("en", ""),
            "description_de": line.description.get("de", ""), "quantity": f"{line.quantity.normalize():f}",
            "unit": line.unit, "unit_price": f"{line.unit_price.normalize():f}",
            "discount_percent": f"{line.discount_percent.normalize():f}", "line_total": f"{line.line_total:f}"}


def lines_of(order_id: Any, user: Any) -> tuple[Record, list[OrderLine]]:
    """An order record the user may see and its lines."""
    record = _visible_record(order_id, user)
    if records.definition_of(record.process_version).order_lines is None:
        raise BadInput(f"record {record.pk}: {record.process.key} records carry no order lines")
    return record, list(OrderLine.objects.filter(record=record))


def do_change_line(order_id: Any, user: Any, position: Any, quantity: Any = None, unit_price: Any = None,
                   discount: Any = None, reason: str = "", at: datetime.datetime | None = None) -> OrderLine:
    """Change an ordered line (quantity, unit price, discount) with a reason; the order's amount follows as a field
    change, so change control applies (event ``order_line_changed``)."""
    from salesflow.products.services import clean_price

    at = at or timezone.now()
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise BadInput("reason: a change of an ordered line needs its reason")
    if quantity is None and unit_price is None and discount is None:
        raise BadInput("give what changes: --quantity, --unit-price or --discount")
    with transaction.atomic():
        record, lines = lines_of(order_id, user)
        line = next((item for item in lines if str(item.position) == str(position).strip()), None)
        if line is None:
            raise BadInput(f"position: order {record.pk} has no line {str(position)[:10]!r} "
                           f"(positions: {', '.join(str(item.position) for item in lines) or 'none'})")
        old = line_data(line)
        if quantity is not None:
            line.quantity = clean_quantity(quantity)
        if unit_price is not None:
            line.unit_price = clean_price(unit_price, "unit price")
        if discount is not None:
            line.discount_percent = clean_discount(discount)
        line.line_total = (line.quantity * line.unit_price * (Decimal(100) - line.discount_percent)
                           / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
        new = line_data(line)
        if new == old:
            raise Conflict(f"line {line.position} already has these values")
        total = sum((item.line_total for item in lines), Decimal("0")).quantize(CENT)
        payload = {"position": line.position, "old": old, "new": new, "reason": reason, "total": f"{total:f}"}

        def action(definition: Any, state: Any, actor: Any) -> Result:
            field = definition.order_lines.amount_field
            changed = actions.set_fields(definition, state, actor, {field: f"{total:f}"}) \
                if str(state.values.get(field)) != f"{total:f}" else actions.record_note(
                    definition, state, actor, "order_line_changed", payload)
            if changed.events and changed.events[-1].kind == "order_line_changed":
                return changed
            role = changed.events[0].role if changed.events else ""
            return Result(changed.state, [*changed.events, EventDraft(kind="order_line_changed", role=role,
                                                                      from_stage=state.stage, payload=payload)])

        line.updated_at = at
        line.save()
        records._act(record.pk, user, action, at=at)
    return line


def export_lines(order_id: Any, user: Any, fmt: str = "csv") -> str:
    """The order's lines for the ERP as CSV or JSON text."""
    record, lines = lines_of(order_id, user)
    rows = [{"order": record.pk, **line_data(line), "currency": record.currency,
             "quote": line.quote.number if line.quote_id else "", "quote_version": line.quote_version or ""}
            for line in lines]
    if fmt == "json":
        return json.dumps({"order": record.pk, "title": record.title, "currency": record.currency,
                           "amount": f"{record.amount:f}" if record.amount is not None else None, "lines": rows},
                          indent=2, ensure_ascii=False)
    if fmt != "csv":
        raise BadInput(f"format: expected csv or json, got {fmt!r}")
    from salesflow import csv_cells

    buffer = io.StringIO()
    writer = csv_cells.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([row[column] if column in row else "" for column in EXPORT_COLUMNS])
    return buffer.getvalue()
