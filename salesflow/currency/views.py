"""The exchange-rates page: the corporate currency, the rates in force today, every dated rate; set one or
import a CSV (for the roles the library names as rate managers, and administrators)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salesflow.currency.services import (
    do_set_rate,
    import_rates_text,
    list_rates,
    may_manage_rates,
    rate_book,
)
from salesflow.currency.settings import corporate_currency
from salesflow.engine.errors import EngineError
from salesflow.web.i18n import localize

MAX_UPLOAD = 5 * 1024 * 1024


def _manager(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not may_manage_rates(request.user):
        raise PermissionDenied


def _in_force(rates: list[Any]) -> list[dict[str, Any]]:
    """Per currency with a rate: its rate into the corporate currency today (direct, inverted or triangulated)."""
    corporate = corporate_currency()
    today = timezone.localdate()
    book = rate_book()
    codes = sorted({code for rate in rates for code in (rate.from_currency, rate.to_currency)} - {corporate})
    rows = []
    for code in codes:
        found = book.rate(code, corporate, today)
        rate = found[0].quantize(Decimal("1e-6")).normalize() if found else None
        rows.append({"currency": code, "rate": rate, "via": found[1] if found else None})
    return rows


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    """List the rates (optionally of one currency); set (or replace) one."""
    _manager(request)
    currency = request.GET.get("currency", "").strip().upper()
    if request.method == "POST":
        try:
            rate = do_set_rate(request.POST.get("date") or None, request.POST.get("from", ""),
                               request.POST.get("to", ""), request.POST.get("rate", ""), request.user)
            messages.success(request, _("Rate set: from %(date)s 1 %(from)s = %(rate)s %(to)s.") % {
                "date": rate.date.isoformat(), "from": rate.from_currency, "rate": f"{rate.rate.normalize():f}",
                "to": rate.to_currency})
        except EngineError as problem:
            messages.error(request, localize(problem.message))
        return redirect(request.get_full_path())
    every = list_rates()
    shown = [rate for rate in every if not currency or currency in (rate.from_currency, rate.to_currency)]
    return render(request, "currency/rates.html", {
        "corporate": corporate_currency(), "rates": shown, "in_force": _in_force(every), "currency": currency,
        "today": timezone.localdate(), "currencies": sorted({code for rate in every
                                                             for code in (rate.from_currency, rate.to_currency)}),
    })


@login_required
@require_POST
def rates_import(request: HttpRequest) -> HttpResponse:
    """Import rates from an uploaded CSV (``date,from,to,rate`` or Salesforce ``DatedConversionRate``): all or none."""
    _manager(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file to import."))
        return redirect("currency_rates")
    if upload.size > MAX_UPLOAD:
        messages.error(request, _("%(name)s: the file is larger than 5 MB.") % {"name": upload.name})
        return redirect("currency_rates")
    try:
        text = upload.read().decode("utf-8-sig")
        imported = import_rates_text(text, upload.name, request.user)
        messages.success(request, _("%(count)s rate(s) imported from %(name)s.") % {"count": len(imported),
                                                                                   "name": upload.name})
    except UnicodeDecodeError:
        messages.error(request, _("%(name)s: not UTF-8 text.") % {"name": upload.name})
    except EngineError as problem:
        messages.error(request, localize(problem.message))
    return redirect("currency_rates")
