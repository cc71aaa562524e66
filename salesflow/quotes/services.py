"""Domain actions of quotes: each writes the quote, the record's change and their events in one transaction.

- `do_create_quote` / `do_revise_quote`: a quote on a record (version 1) and its revisions (version n+1). The
  record's amount follows the current version's net total as a field change through the engine (change control
  applies, replay agrees), and a granted approval of the quotes is withdrawn: each version is approved anew.
- `current_quote_facts`: what the competence catalog needs of a record's current quote (the approval of
  ``salesflow record approve RECORD offer`` is for that version and its largest discount).
- `do_answer`: the customer's acceptance, or rejection with its reason.

Which process carries quotes, in which stages, under which approval, is the library's ``quotes:`` declaration.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from salesflow.engine import actions
from salesflow.engine.errors import BadInput, Conflict
from salesflow.people import access
from salesflow.products.services import clean_currency, clean_price, get_product, price_for
from salesflow.quotes.models import Quote, QuoteStatus, QuoteVersion
from salesflow.records import services as records
from salesflow.records.models import Record
from salesflow.records.services import NotFound

CENT = Decimal("0.01")
MAX_LINES = 200
MAX_QUANTITY = Decimal("1000000")
MAX_TEXT = 2000


@dataclass
class LineInput:
    """A line as given: a product (SKU) or a free text, its quantity, discount and (optional) unit price."""

    quantity: Decimal
    sku: str = ""
    text: str = ""
    unit_price: Decimal | None = None
    discount: Decimal = Decimal("0")
    unit: str = ""


def _decimal(value: Any, name: str) -> Decimal:
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadInput(f"{name}: expected a number, got {text[:40]!r}") from None
    if not number.is_finite():
        raise BadInput(f"{name}: expected a number, got {text[:40]!r}")
    return number


def clean_quantity(value: Any, name: str = "quantity") -> Decimal:
    """A quantity above 0 (at most 3 decimals); raises BadInput naming the bad value."""
    number = _decimal(value, name)
    if number <= 0 or number > MAX_QUANTITY or number.as_tuple().exponent < -3:  # type: ignore[operator]
        raise BadInput(f"{name}: expected a quantity above 0 and at most {MAX_QUANTITY:,} (3 decimals), got {value!r}")
    return number


def clean_discount(value: Any, name: str = "discount") -> Decimal:
    """A discount in percent, 0 to 100 (at most 2 decimals); raises BadInput."""
    number = _decimal(str(value).rstrip("%") if value is not None else "", name)
    if number < 0 or number > 100 or number.as_tuple().exponent < -2:  # type: ignore[operator]
        raise BadInput(f"{name}: expected a percentage from 0 to 100, got {value!r}")
    return number


def parse_line(spec: str) -> LineInput:
    """``SKU:QTY[:DISCOUNT]`` (a catalogue product at its price) → `LineInput`; raises BadInput naming the line."""
    parts = str(spec).split(":")
    if len(parts) not in (2, 3) or not parts[0].strip():
        raise BadInput(f"--line: expected SKU:QTY[:DISCOUNT], got {str(spec)[:60]!r}")
    try:
        return LineInput(sku=parts[0].strip().upper(), quantity=clean_quantity(parts[1]),
                         discount=clean_discount(parts[2]) if len(parts) == 3 and parts[2].strip() else Decimal("0"))
    except BadInput as error:
        raise BadInput(f"--line {str(spec)[:60]!r}: {error.message}") from None


def parse_text_line(spec: str) -> LineInput:
    """``TEXT:QTY:PRICE[:DISCOUNT]`` (a free-text line at its own price) → `LineInput`."""
    parts = str(spec).rsplit(":", 3)
    if len(parts) == 4 and not _is_number(parts[1]):  # TEXT with a colon and no discount
        parts = str(spec).rsplit(":", 2)
    if len(parts) < 3 or not parts[0].strip():
        raise BadInput(f"--text: expected TEXT:QTY:PRICE[:DISCOUNT], got {str(spec)[:60]!r}")
    try:
        return LineInput(text=parts[0].strip()[:MAX_TEXT], quantity=clean_quantity(parts[1]),
                         unit_price=clean_price(parts[2], "price"),
                         discount=clean_discount(parts[3]) if len(parts) == 4 and parts[3].strip() else Decimal("0"))
    except BadInput as error:
        raise BadInput(f"--text {str(spec)[:60]!r}: {error.message}") from None


def _is_number(text: str) -> bool:
    try:
        Decimal(text.strip())
        return True
    except InvalidOperation:
        return False


def price_lines(given: list[LineInput], currency: str, day: datetime.date) -> list[dict[str, Any]]:
    """The priced lines (JSON-ready): a product's price from the catalogue (price list of the day, else its list
    price in ``currency``) unless given; ``line_total = quantity × unit price × (1 − discount/100)`` to the cent."""
    if not given:
        raise BadInput("a quote needs at least one line (--line SKU:QTY[:DISCOUNT] or --text TEXT:QTY:PRICE)")
    if len(given) > MAX_LINES:
        raise BadInput(f"a quote has at most {MAX_LINES} lines")
    lines = []
    for position, line in enumerate(given, start=1):
        description: dict[str, str]
        if line.sku:
            product = get_product(line.sku)
            if not product.active:
                raise BadInput(f"line {position}: product {product.sku} is no longer offered (inactive)")
            description = {"en": product.name_in("en"), "de": product.name_in("de")}
            unit = line.unit or product.unit
            price = line.unit_price
            source = "given"
            if price is None:
                found = price_for(product, currency, day)
                if found is None:
                    raise BadInput(f"line {position}: product {product.sku} has no price in {currency} "
                                   f"(prices: {', '.join(sorted(product.prices)) or 'none'})")
                price, source = found
        else:
            text = " ".join(line.text.split())
            if not text:
                raise BadInput(f"line {position}: a free-text line needs its text")
            if line.unit_price is None:
                raise BadInput(f"line {position}: a free-text line needs its unit price")
            description, unit, price, source = {"en": text, "de": text}, line.unit or "pcs", line.unit_price, "given"
        total = (line.quantity * price * (Decimal(100) - line.discount) / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
        lines.append({"position": position, "sku": line.sku, "description": description, "unit": unit,
                      "quantity": f"{line.quantity.normalize():f}", "unit_price": f"{price:f}",
                      "discount_percent": f"{line.discount.normalize():f}", "line_total": f"{total:f}",
                      "price_source": source})
    return lines


def line_inputs(version: QuoteVersion) -> list[LineInput]:
    """The lines of a version as inputs (a revision that changes only the terms keeps them, at their prices)."""
    return [LineInput(quantity=Decimal(line["quantity"]), sku=line.get("sku") or "",
                      text=(line.get("description") or {}).get("en", ""), unit_price=Decimal(line["unit_price"]),
                      discount=Decimal(line["discount_percent"]), unit=line.get("unit") or "")
            for line in version.lines]


@dataclass
class Terms:
    """The terms of a version besides its lines (None: the default, or the previous version's)."""

    valid_until: datetime.date | None = None
    tax_rate: Decimal | None = None
    payment_terms: str | None = None
    currency: str | None = None
    note: str = ""


def _offer_settings() -> Any:
    return access.policy().settings.offers


def clean_terms(terms: Terms) -> Terms:
    """Check the terms as given (a validity date in the past, a tax rate outside 0–100 are refused)."""
    if terms.tax_rate is not None:
        rate = _decimal(terms.tax_rate, "tax rate")
        if rate < 0 or rate > 100:
            raise BadInput(f"tax rate: expected a percentage from 0 to 100, got {terms.tax_rate!r}")
        terms.tax_rate = rate
    if terms.currency is not None:
        terms.currency = clean_currency(terms.currency)
    if terms.payment_terms is not None and len(terms.payment_terms) > MAX_TEXT:
        raise BadInput(f"payment terms: longer than {MAX_TEXT} characters")
    if len(terms.note or "") > MAX_TEXT:
        raise BadInput(f"note: longer than {MAX_TEXT} characters")
    return terms


def _write_version(quote: Quote, version: int, lines: list[dict[str, Any]], terms: Terms, user: Any,
                   at: datetime.datetime) -> QuoteVersion:
    total = sum((Decimal(line["line_total"]) for line in lines), Decimal("0")).quantize(CENT)
    rate = terms.tax_rate if terms.tax_rate is not None else Decimal(str(_offer_settings().tax_rate))
    tax = (total * rate / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
    biggest = max((Decimal(line["discount_percent"]) for line in lines), default=Decimal("0"))
    valid_until = terms.valid_until or (timezone.localdate(at) + datetime.timedelta(days=_offer_settings().valid_days))
    if valid_until < timezone.localdate(at):
        raise BadInput(f"valid until: {valid_until.isoformat()} lies in the past")
    payment = terms.payment_terms
    if payment is None:
        default = _offer_settings().payment_terms
        payment = default.get_text(quote.language) if default is not None else ""
    return QuoteVersion.objects.create(
        quote=quote, version=version, currency=terms.currency or "EUR", tax_rate=rate, valid_until=valid_until,
        payment_terms=payment.strip(), lines=lines, total=total, tax_amount=tax, max_discount=biggest,
        note=(terms.note or "").strip(), created_by=user, created_by_name=user.display_name, created_at=at)


def version_payload(version: QuoteVersion) -> dict[str, Any]:
    """What the ``quote_created`` / ``quote_revised`` event records of a version."""
    return {"id": version.quote_id, "number": version.quote.number, "version": version.version,
            "currency": version.currency, "total": f"{version.total:f}", "tax_rate": f"{version.tax_rate:f}",
            "tax_amount": f"{version.tax_amount:f}", "max_discount_percent": f"{version.max_discount:f}",
            "valid_until": version.valid_until.isoformat(), "payment_terms": version.payment_terms,
            "lines": [{key: line[key] for key in ("position", "sku", "quantity", "unit_price", "discount_percent",
                                                   "line_total")} | {"description": line["description"].get("en")}
                      for line in version.lines]}


def _record_change(version: QuoteVersion, user: Any, kind: str, at: datetime.datetime) -> None:
    """The engine's part: the record's amount follows the version, the old approval goes, the event is written."""
    payload = version_payload(version)

    def action(definition: Any, state: Any, actor: Any) -> Any:
        return actions.quote_changed(definition, state, actor, kind, payload, version.total, version.currency)

    def then(record: Record, result: Any, when: datetime.datetime) -> None:
        from salesflow.records.models import Event

        seq = Event.objects.filter(record=record, kind=kind).order_by("-seq").values_list("seq", flat=True).first()
        QuoteVersion.objects.filter(pk=version.pk).update(event_seq=seq)

    records._act(version.quote.record_id, user, action, at=at, then=then)


def _visible_record(record_id: Any, user: Any) -> Record:
    try:
        number = int(str(record_id).strip().lstrip("#"))
    except ValueError:
        raise BadInput(f"record: expected a record number, got {str(record_id)[:30]!r}") from None
    record = Record.objects.select_related("process", "process_version").filter(pk=number).first()
    if record is None or not access.can_view(user, record):
        raise NotFound(f"record {number} not found")
    return record


def do_create_quote(record_id: Any, user: Any, lines: list[LineInput], terms: Terms | None = None,
                    language: str = "en", at: datetime.datetime | None = None) -> QuoteVersion:
    """Start a quote (version 1) on a record of a process that carries quotes, in a stage that makes them."""
    at = at or timezone.now()
    terms = clean_terms(terms or Terms())
    if language not in ("en", "de"):
        raise BadInput(f"language: expected en or de, got {language!r}")
    records.refuse_read_only(user)
    record = _visible_record(record_id, user)
    definition = records.definition_of(record.process_version)
    if definition.quotes is None:
        raise BadInput(f"record {record.pk}: {record.process.key} records carry no quotes")
    terms.currency = terms.currency or record.currency or "EUR"
    priced = price_lines(lines, terms.currency, timezone.localdate(at))
    with transaction.atomic():
        open_quote = Quote.objects.select_for_update().filter(record=record).exclude(
            status=QuoteStatus.rejected).first()
        if open_quote is not None:
            raise Conflict(f"record {record.pk} already has quote {open_quote.number}: revise it "
                           f"(salesflow quote revise {open_quote.pk} …)")
        quote = Quote.objects.create(record=record, language=language, created_at=at, updated_at=at)
        version = _write_version(quote, 1, priced, terms, user, at)
        _record_change(version, user, "quote_created", at)
    version.refresh_from_db()
    return version


def get_quote(quote_id: Any, user: Any, lock: bool = False) -> Quote:
    """A quote the user may see (its record's visibility). Raises `NotFound`."""
    text = str(quote_id or "").strip().upper().removeprefix("Q-")
    try:
        number = int(text)
    except ValueError:
        raise BadInput(f"quote: expected a quote number such as 12 or Q-00012, got {str(quote_id)[:30]!r}") from None
    query = Quote.objects.select_related("record", "record__process", "record__process_version")
    if lock:
        query = query.select_for_update()
    quote = query.filter(pk=number).first()
    if quote is None or not access.can_view(user, quote.record):
        raise NotFound(f"quote {number} not found")
    return quote


def do_revise_quote(quote_id: Any, user: Any, lines: list[LineInput] | None = None, terms: Terms | None = None,
                    at: datetime.datetime | None = None) -> QuoteVersion:
    """A new version of a quote: new lines (or the current ones) and terms; its approval is needed again."""
    at = at or timezone.now()
    terms = clean_terms(terms or Terms())
    records.refuse_read_only(user)
    with transaction.atomic():
        quote = get_quote(quote_id, user, lock=True)
        if quote.status in (QuoteStatus.accepted, QuoteStatus.rejected):
            raise Conflict(f"quote {quote.number} was {quote.status} by the customer: it is not revised any more")
        current = quote.current()
        terms.currency = terms.currency or current.currency
        terms.valid_until = terms.valid_until or (current.valid_until if current.valid_until >= timezone.localdate(at)
                                                  else None)
        terms.tax_rate = terms.tax_rate if terms.tax_rate is not None else current.tax_rate
        terms.payment_terms = terms.payment_terms if terms.payment_terms is not None else current.payment_terms
        given = lines if lines else line_inputs(current)
        priced = price_lines(given, terms.currency, timezone.localdate(at))
        version = _write_version(quote, current.version + 1, priced, terms, user, at)
        quote.current_version = version.version
        quote.status = QuoteStatus.draft
        quote.updated_at = at
        quote.save(update_fields=["current_version", "status", "updated_at"])
        _record_change(version, user, "quote_revised", at)
    version.refresh_from_db()
    return version


def current_quote(record_id: int) -> Quote | None:
    """The record's quote that is not rejected (at most one), if any."""
    return Quote.objects.filter(record_id=record_id).exclude(status=QuoteStatus.rejected).first()


def current_quote_facts(record_id: int) -> dict[str, Any] | None:
    """The current version of the record's quote as the competence catalog needs it (None: no quote)."""
    quote = current_quote(record_id)
    if quote is None:
        return None
    version = quote.current()
    return {"id": quote.pk, "number": quote.number, "version": version.version,
            "max_discount_percent": f"{version.max_discount:f}"}


def approval_of(quote: Quote) -> dict[str, Any] | None:
    """The granted approval that covers the quote's current version (None: not approved)."""
    definition = records.definition_of(quote.record.process_version)
    settings = definition.quotes
    if settings is None or settings.approval is None:
        return None
    grant = (quote.record.progress or {}).get("approvals", {}).get(settings.approval)
    if grant and grant.get("quote") == quote.pk and grant.get("quote_version") == quote.current_version:
        return grant
    return None


def do_answer(quote_id: Any, user: Any, accepted: bool, reason: str = "",
              at: datetime.datetime | None = None) -> Quote:
    """Record the customer's answer to the sent offer: accepted, or rejected with its reason."""
    at = at or timezone.now()
    reason = " ".join(str(reason or "").split())
    if not accepted and not reason:
        raise BadInput("reason: a rejection is recorded with the customer's reason")
    if len(reason) > MAX_TEXT:
        raise BadInput(f"reason: longer than {MAX_TEXT} characters")
    with transaction.atomic():
        quote = get_quote(quote_id, user, lock=True)
        if quote.status != QuoteStatus.sent:
            raise Conflict(f"quote {quote.number} is {quote.status}: only a sent offer is accepted or rejected")
        if quote.sent_version != quote.current_version:
            raise Conflict(f"quote {quote.number}: version {quote.current_version} was not sent yet")
        kind = "quote_accepted" if accepted else "quote_rejected"
        payload = {"id": quote.pk, "number": quote.number, "version": quote.current_version,
                   "document_sha256": quote.sent_sha256}
        if reason:
            payload["reason"] = reason

        def action(definition: Any, state: Any, actor: Any) -> Any:
            return actions.record_note(definition, state, actor, kind, payload)

        records._act(quote.record_id, user, action, at=at)
        quote.status = QuoteStatus.accepted if accepted else QuoteStatus.rejected
        quote.status_reason = reason
        quote.updated_at = at
        quote.save(update_fields=["status", "status_reason", "updated_at"])
    return quote


def quote_data(quote: Quote, version: QuoteVersion | None = None) -> dict[str, Any]:
    """JSON-ready data of a quote at its current (or a given) version."""
    version = version or quote.current()
    grant = approval_of(quote)
    return {"id": quote.pk, "number": quote.number, "record": quote.record_id, "version": version.version,
            "current_version": quote.current_version, "status": quote.status, "status_reason": quote.status_reason,
            "language": quote.language, "currency": version.currency, "lines": version.lines,
            "total": f"{version.total:f}", "tax_rate": f"{version.tax_rate:f}", "tax_amount": f"{version.tax_amount:f}",
            "total_with_tax": f"{version.total + version.tax_amount:f}",
            "max_discount_percent": f"{version.max_discount:f}", "valid_until": version.valid_until.isoformat(),
            "payment_terms": version.payment_terms, "created_by": version.created_by_name,
            "created_at": version.created_at.isoformat(), "event_seq": version.event_seq,
            "approved": grant is not None,
            "approved_by": grant.get("by_name") if grant else None,
            "sent_version": quote.sent_version, "sent_sha256": quote.sent_sha256 or None,
            "versions": list(quote.versions.values_list("version", flat=True))}
