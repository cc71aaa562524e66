"""The offer document: HTML and PDF of a quote version in the customer's language, with the letterhead of the
library settings (``offers``), the classification marking and the version; sending it records its SHA-256.

The PDF is rendered by WeasyPrint, as the guideline documents are (`salesflow.guidelines.render_pdf`).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from salesflow.guidelines.render_pdf import RendererMissing
from salesflow.people import access
from salesflow.quotes.models import Quote, QuoteStatus, QuoteVersion

CSS_FILE = Path(__file__).resolve().parent / "static" / "quotes" / "offer.css"
LANGUAGES = ("en", "de")


def amount_text(value: Any, language: str) -> str:
    """``1,234.50`` (en) or ``1.234,50`` (de)."""
    text = f"{Decimal(str(value)):,.2f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".") if language == "de" else text


def number_text(value: Any, language: str) -> str:
    """A quantity or percentage without trailing zeros, with the language's decimal mark."""
    text = f"{Decimal(str(value)).normalize():f}"
    return text.replace(".", ",") if language == "de" else text


def _logo(path: str) -> str:
    """The letterhead logo as a data URI (an SVG or PNG file of the library directory), or empty."""
    if not path:
        return ""
    import base64

    from salesflow.records.library import LIBRARY_DIR

    file = (Path(LIBRARY_DIR) / path).resolve()
    if not file.is_file() or Path(LIBRARY_DIR).resolve() not in file.parents or file.suffix.lower() not in (".svg", ".png"):
        return ""
    kind = "image/svg+xml" if file.suffix.lower() == ".svg" else "image/png"
    return f"data:{kind};base64,{base64.b64encode(file.read_bytes()).decode()}"


def payment_terms_in(version: QuoteVersion, language: str) -> str:
    """The version's payment terms for a reader of ``language``: the library's default terms in that language
    when the version carries them as written for the quote's language, else the terms as written."""
    offers = access.policy().settings.offers
    terms = version.payment_terms
    if offers.payment_terms is not None and terms == offers.payment_terms.get_text(version.quote.language):
        return offers.payment_terms.get_text(language)
    return terms


def context(version: QuoteVersion, language: str, for_print: bool = False) -> dict[str, Any]:
    """What the offer template shows."""
    from salesflow.web import labels

    quote = version.quote
    record = quote.record
    offers = access.policy().settings.offers
    with translation.override(language):
        classification = str(labels.label(labels.CLASSIFICATIONS, record.classification))
    lines = [{**line, "text": line["description"].get(language) or line["description"].get("en", ""),
              "quantity_text": number_text(line["quantity"], language),
              "unit_price_text": amount_text(line["unit_price"], language),
              "discount_text": number_text(line["discount_percent"], language),
              "total_text": amount_text(line["line_total"], language)} for line in version.lines]
    return {
        "quote": quote, "version": version, "record": record, "language": language, "for_print": for_print,
        "payment_terms": payment_terms_in(version, language),
        "lines": lines, "classification": classification,
        "company": offers.company, "address": offers.address, "bank": offers.bank, "logo": _logo(offers.logo),
        "terms": offers.terms.get_text(language) if offers.terms is not None else "",
        "customer": record.account or "",
        "total": amount_text(version.total, language), "tax": amount_text(version.tax_amount, language),
        "tax_rate": number_text(version.tax_rate, language),
        "gross": amount_text(version.total + version.tax_amount, language),
        "valid_until": version.valid_until, "date": timezone.localdate(version.created_at),
        "css": CSS_FILE.read_text(encoding="utf-8") if for_print else "",
    }


def render_offer_html(version: QuoteVersion, language: str, for_print: bool = False) -> str:
    """The offer as a standalone HTML page in ``language`` (the PDF's source with ``for_print``)."""
    with translation.override(language):
        return render_to_string("quotes/offer.html", context(version, language, for_print))


def render_offer_pdf(version: QuoteVersion, language: str) -> bytes:
    """The offer as PDF bytes in ``language``."""
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise RendererMissing(f"PDF rendering needs WeasyPrint and the Pango libraries: {error}") from error
    return HTML(string=render_offer_html(version, language, for_print=True)).write_pdf()


def file_name(version: QuoteVersion, language: str) -> str:
    """``Offer-Q-00012-v2-de.pdf``."""
    return f"Offer-{version.quote.number}-v{version.version}-{language}.pdf"


@dataclass
class SentOffer:
    """The document of the current quote version as it is sent: its PDF and hash."""

    quote: Quote
    version: QuoteVersion
    language: str
    pdf: bytes

    @property
    def sha256(self) -> str:
        """SHA-256 of the PDF sent."""
        return hashlib.sha256(self.pdf).hexdigest()

    def facts(self) -> dict[str, Any]:
        """What the ``activity_done`` event of the sending records."""
        return {"quote": self.quote.pk, "quote_number": self.quote.number, "quote_version": self.version.version,
                "document": file_name(self.version, self.language), "document_sha256": self.sha256,
                "language": self.language, "total": f"{self.version.total:f}", "currency": self.version.currency}


def offer_for_sending(record_id: int) -> SentOffer | None:
    """The document of the record's current quote (None: the record has no quote; the activity is then done
    as before, e.g. an offer made outside Salesflow)."""
    from salesflow.quotes.services import current_quote

    quote = current_quote(record_id)
    if quote is None:
        return None
    version = quote.current()
    return SentOffer(quote, version, quote.language, render_offer_pdf(version, quote.language))


def store_sent(record: Any, offer: SentOffer, user: Any, at: datetime.datetime) -> None:
    """Keep the sent PDF as a document of the record (its own event names the hash) and mark the quote sent."""
    from salesflow.records.chain import do_add_document

    do_add_document(record.pk, user, file_name(offer.version, offer.language), offer.pdf, "application/pdf",
                    note=f"{offer.quote.number} version {offer.version.version} sent to the customer", at=at)
    Quote.objects.filter(pk=offer.quote.pk).update(status=QuoteStatus.sent, sent_version=offer.version.version,
                                                   sent_sha256=offer.sha256, updated_at=at)
