"""The quote panel of a record page: the current quote (lines, totals, approval, versions), the editor, the
customer's answer — and, on an order, its lines."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from salesflow.engine import authority
from salesflow.people import access
from salesflow.products.models import Product
from salesflow.quotes import document
from salesflow.quotes.models import OrderLine, Quote, QuoteStatus
from salesflow.quotes.services import approval_of
from salesflow.records import services as records

#: Empty line rows the editor offers beyond the current lines.
EMPTY_ROWS = 3


def _line_rows(lines: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    return [{**line, "text": line["description"].get(language) or line["description"].get("en", ""),
             "quantity_text": document.number_text(line["quantity"], language),
             "unit_price_text": document.amount_text(line["unit_price"], language),
             "discount_text": document.number_text(line["discount_percent"], language),
             "total_text": document.amount_text(line["line_total"], language)} for line in lines]


def panel_context(request: Any, record: Any) -> dict[str, Any] | None:
    """What the panel shows to the signed-in user (None: the record's process carries neither quotes nor lines)."""
    definition = records.definition_of(record.process_version)
    language = (getattr(request, "LANGUAGE_CODE", "en") or "en")[:2]
    if definition.order_lines is not None:
        lines = list(OrderLine.objects.filter(record=record))
        return {"kind": "order", "record": record, "order_lines": [
            {"line": line, "text": line.description.get(language) or line.description.get("en", ""),
             "quantity_text": document.number_text(line.quantity, language),
             "unit_price_text": document.amount_text(line.unit_price, language),
             "discount_text": document.number_text(line.discount_percent, language),
             "total_text": document.amount_text(line.line_total, language)} for line in lines]}
    settings = definition.quotes
    if settings is None:
        return None
    user = request.user
    quote = Quote.objects.filter(record=record).exclude(status=QuoteStatus.rejected).first()
    rejected = list(Quote.objects.filter(record=record, status=QuoteStatus.rejected))
    version = quote.current() if quote is not None else None
    editor = authority.editor_role(definition, record.to_state(), records.actor_for(user)) is not None
    may_edit = bool(editor and not access.is_read_only(user) and record.stage in settings.stages
                    and record.closed_at is None
                    and (quote is None or quote.status in (QuoteStatus.draft, QuoteStatus.sent)))
    lines = _line_rows(version.lines, language) if version is not None else []
    grant = approval_of(quote) if quote is not None else None
    return {
        "kind": "quote", "record": record, "quote": quote, "version": version, "lines": lines,
        "versions": list(quote.versions.order_by("-version")) if quote is not None else [],
        "rejected": rejected, "grant": grant, "may_edit": may_edit,
        "may_answer": bool(editor and not access.is_read_only(user) and quote is not None
                           and quote.status == QuoteStatus.sent and quote.sent_version == quote.current_version),
        "products": [{"sku": item.sku, "name": item.name_in(language)} for item in Product.objects.filter(active=True)]
        if may_edit else [],
        "editor_rows": [*(version.lines if version is not None else []), *([{}] * EMPTY_ROWS)],
        "stages": [definition.stage(stage).display_title(language) for stage in settings.stages],
        "in_stage": record.stage in settings.stages,
        "payment_terms": document.payment_terms_in(version, language) if version is not None else "",
        "totals": {"total": document.amount_text(version.total, language),
                   "tax": document.amount_text(version.tax_amount, language),
                   "tax_rate": document.number_text(version.tax_rate, language),
                   "gross": document.amount_text(version.total + version.tax_amount, language),
                   "discount": document.number_text(version.max_discount, language)} if version is not None else {},
        "today": timezone.localdate(), "posted": {}, "feedback": None,
    }
