"""Web forms of quotes on the record page (htmx swaps the re-drawn panel; a plain post is redirected back),
the offer document (PDF and HTML), the order lines' export, and the product catalogue page."""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salesflow.engine.errors import BadInput, EngineError
from salesflow.people import access
from salesflow.people.models import Role
from salesflow.products import services as products
from salesflow.products.models import PriceList
from salesflow.quotes import document, orders, panel, services
from salesflow.records.models import Record
from salesflow.web.views.common import is_htmx, status_of

MAX_LINE_ROWS = 60


def _record(request: HttpRequest, record_id: int) -> Record:
    record = Record.objects.select_related("process", "process_version").filter(pk=record_id).first()
    if record is None or not access.can_view(request.user, record):
        raise Http404(_("Not found."))
    return record


def posted_lines(post: Any) -> list[services.LineInput]:
    """The editor's line rows (``line-N-sku`` | ``line-N-text``, ``-qty``, ``-discount``, ``-price``); empty rows
    are skipped, a bad cell is named by its row."""
    lines = []
    for index in range(MAX_LINE_ROWS):
        sku = post.get(f"line-{index}-sku", "").strip()
        text = post.get(f"line-{index}-text", "").strip()
        quantity = post.get(f"line-{index}-qty", "").strip()
        if not sku and not text and not quantity:
            continue
        try:
            price_text = post.get(f"line-{index}-price", "").strip()
            lines.append(services.LineInput(
                quantity=services.clean_quantity(quantity or ""), sku=sku.upper(), text=text if not sku else "",
                unit_price=products.clean_price(price_text, "unit price") if price_text and not sku else None,
                discount=services.clean_discount(post.get(f"line-{index}-discount", "").strip() or "0")))
        except BadInput as error:
            raise BadInput(_("Line %(row)s: %(problem)s") % {"row": index + 1, "problem": error.message}) from None
    return lines


def _terms(post: Any) -> services.Terms:
    valid = post.get("valid_until", "").strip()
    try:
        valid_until = datetime.date.fromisoformat(valid) if valid else None
    except ValueError:
        raise BadInput(_("Valid until: expected a date, got %(value)s") % {"value": valid[:20]}) from None
    return services.Terms(valid_until=valid_until, tax_rate=post.get("tax_rate", "").strip() or None,
                          payment_terms=post.get("payment_terms") if "payment_terms" in post else None,
                          note=post.get("note", ""))


def _respond(request: HttpRequest, record: Record, call: Any, success: str) -> HttpResponse:
    error: EngineError | None = None
    try:
        call()
    except EngineError as refusal:
        error = refusal
    if is_htmx(request):
        record.refresh_from_db()
        context = panel.panel_context(request, record) or {}
        context["feedback"] = {"ok": False, "text": error.message} if error else {"ok": True, "text": success}
        if error is not None:
            context["posted"] = request.POST
        return render(request, "quotes/panel.html", context, status=status_of(error) if error else 200)
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(reverse("record", args=[record.pk]) + "#quotes")


@login_required
@require_POST
def save_quote(request: HttpRequest, record_id: int) -> HttpResponse:
    """Create the record's quote, or revise it (a new version)."""
    record = _record(request, record_id)
    quote = services.current_quote(record.pk)

    def call() -> Any:
        lines = posted_lines(request.POST)
        if quote is None:
            return services.do_create_quote(record.pk, request.user, lines, _terms(request.POST),
                                            request.POST.get("language", "en"))
        return services.do_revise_quote(quote.pk, request.user, lines or None, _terms(request.POST))

    return _respond(request, record, call, _("Quote created.") if quote is None else _("Quote revised: new version."))


@login_required
@require_POST
def answer_quote(request: HttpRequest, record_id: int, quote_id: int) -> HttpResponse:
    """Record the customer's acceptance or rejection (with its reason)."""
    record = _record(request, record_id)
    accepted = request.POST.get("answer") == "accept"

    def call() -> Any:
        return services.do_answer(quote_id, request.user, accepted, request.POST.get("reason", ""))

    return _respond(request, record, call, _("Acceptance recorded.") if accepted else _("Rejection recorded."))


@login_required
@require_GET
def offer_document(request: HttpRequest, quote_id: int, kind: str) -> HttpResponse:
    """The offer as PDF or HTML (``?language=de``, ``?version=N``)."""
    try:
        quote = services.get_quote(quote_id, request.user)
    except EngineError:
        raise Http404(_("Not found.")) from None
    number = request.GET.get("version", "")
    version = quote.versions.filter(version=int(number) if number.isdigit() else quote.current_version).first()
    language = request.GET.get("language") or quote.language
    if version is None or language not in document.LANGUAGES:
        raise Http404(_("Not found."))
    if kind == "html":
        return HttpResponse(document.render_offer_html(version, language), content_type="text/html; charset=utf-8")
    response = HttpResponse(document.render_offer_pdf(version, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.file_name(version, language)}"'
    return response


@login_required
@require_GET
def order_lines_export(request: HttpRequest, record_id: int, fmt: str) -> HttpResponse:
    """The order's lines as CSV or JSON (a download for the ERP)."""
    record = _record(request, record_id)
    try:
        text = orders.export_lines(record.pk, request.user, fmt)
    except EngineError:
        raise Http404(_("Not found.")) from None
    response = HttpResponse(text, content_type="text/csv; charset=utf-8" if fmt == "csv" else "application/json")
    response["Content-Disposition"] = f'attachment; filename="order-{record.pk}-lines.{fmt}"'
    return response


@login_required
def product_catalogue(request: HttpRequest) -> HttpResponse:
    """The product catalogue; its keepers (``manage_products``) add or change a product and import a file."""
    if not products.may_view(request.user):
        raise Http404
    may_manage = products.may_manage(request.user)
    if request.method == "POST":
        if not may_manage:
            return HttpResponse(_("Keeping the product catalogue needs the right to manage products."), status=403)
        try:
            if request.FILES.get("file"):
                upload = request.FILES["file"]
                suffix = Path(upload.name).suffix.lower()
                with tempfile.TemporaryDirectory() as folder:
                    target = Path(folder) / (Path(upload.name).stem[:60] + (suffix if suffix in (".csv", ".xlsx")
                                                                               else ".csv"))
                    target.write_bytes(upload.read())
                    summary = products.do_import(request.user, target)
                messages.success(request, _("Imported %(rows)s rows: %(added)s added, %(updated)s updated.") % {
                    "rows": summary.rows, "added": len(summary.added), "updated": len(summary.updated)})
            else:
                post = request.POST
                prices = {post.get(f"currency-{index}", "").strip(): post.get(f"price-{index}", "")
                          for index in range(3) if post.get(f"currency-{index}", "").strip()}
                product = products.do_save_product(request.user, post.get("sku"), post.get("name"),
                                                   post.get("name_de"), post.get("unit") or "pcs", prices,
                                                   post.get("active", "on") == "on")
                messages.success(request, _("Product %(sku)s saved.") % {"sku": product.sku})
        except EngineError as error:
            messages.error(request, error.message)
        return redirect("products")
    language = (getattr(request, "LANGUAGE_CODE", "en") or "en")[:2]
    rows = products.catalogue(language)
    for row in rows:
        row["price_texts"] = [f"{document.amount_text(price, language)} {currency}"
                              for currency, price in sorted(row["prices"].items())]
    return render(request, "quotes/products.html", {
        "rows": rows, "price_lists": list(PriceList.objects.all()), "may_manage": may_manage,
        "roles": sorted(role.title_in(language) for role in Role.objects.filter(
            pk__in=access.roles_with_right(products.RIGHT))),
        "currency_rows": range(3)})
