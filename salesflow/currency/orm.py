"""Amounts in the corporate currency inside Django queries (board, lists, accounts, ABC segmentation, exports).

`in_corporate` is an SQL expression: the amount times the factor of its currency on a day (a ``CASE``
over the currencies that have a rate then — a handful), NULL for a currency without one, so that
``Sum`` leaves such records out instead of adding them at face value. `unconverted` names what was
left out (per currency: how many records, their own amount).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Round
from django.utils import timezone

from salesflow.currency.book import RateBook
from salesflow.currency.models import ExchangeRate
from salesflow.currency.services import rate_book
from salesflow.currency.settings import corporate_currency

FACTOR = DecimalField(max_digits=30, decimal_places=12)
MONEY = DecimalField(max_digits=30, decimal_places=2)


def factors_on(day: datetime.date | None = None, book: RateBook | None = None) -> dict[str, Decimal]:
    """Currency → factor into the corporate currency on ``day`` (default today), for every currency with a rate."""
    day = day or timezone.localdate()
    book = book or rate_book()
    corporate = book.corporate
    codes = set(ExchangeRate.objects.values_list("from_currency", flat=True).distinct()) | \
        set(ExchangeRate.objects.values_list("to_currency", flat=True).distinct())
    found = {corporate: Decimal(1)}
    for code in sorted(codes - {corporate}):
        rate = book.rate(code, corporate, day)
        if rate is not None:
            found[code] = rate[0].quantize(Decimal("1e-12"))
    return found


def factor_expression(factors: dict[str, Decimal], currency: str = "currency") -> Case:
    """The factor of a row's ``currency`` (NULL: no rate)."""
    return Case(*[When(**{currency: code}, then=Value(factor, output_field=FACTOR))
                  for code, factor in factors.items()], default=Value(None, output_field=FACTOR),
                output_field=FACTOR)


def in_corporate(factors: dict[str, Decimal], amount: str = "amount", currency: str = "currency") -> Any:
    """``amount`` in the corporate currency, to the cent (NULL for a currency without a rate)."""
    return Round(ExpressionWrapper(F(amount) * factor_expression(factors, currency), output_field=MONEY), 2,
                 output_field=MONEY)


def unconverted(query: QuerySet, factors: dict[str, Decimal]) -> list[dict[str, Any]]:
    """Per currency without a rate: the number of records of ``query`` with an amount and their own total."""
    rows = (query.exclude(currency__in=list(factors)).filter(amount__isnull=False).order_by()
            .values("currency").annotate(count=Count("id"), total=Sum("amount")).order_by("currency"))
    return [{"currency": row["currency"], "count": row["count"],
             "total": Decimal(row["total"] or 0).quantize(Decimal("0.01"))} for row in rows]


def corporate() -> str:
    """The corporate currency (for templates and data)."""
    return corporate_currency()


def factors_data(factors: dict[str, Decimal]) -> dict[str, str]:
    """The factors used (other than the corporate currency's own 1), JSON-ready for an event."""
    base = corporate_currency()
    return {code: f"{factor.normalize():f}" for code, factor in sorted(factors.items()) if code != base}


__all__ = ["Q", "factor_expression", "factors_data", "factors_on", "in_corporate", "unconverted", "corporate"]
