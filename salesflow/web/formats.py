"""One way to write each kind of value, in the active language's format (Django's locale formats).

Every page and every Python-side text shown to people goes through these: a day is written as the
locale's short date (``03/01/2027`` / ``01.03.2027``), a moment as its short date and time (never an
ISO timestamp with microseconds), an amount with the locale's grouping (``120,000`` / ``120.000``), a
share as a percentage with one decimal, a number of days with at most one decimal. Templates use the
same through the ``|date:"SHORT_DATE_FORMAT"`` / ``"SHORT_DATETIME_FORMAT"`` filters and the
``amount``/``money``/``percent``/``days`` filters of ``salesflow_web``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format

#: what a missing value is shown as
MISSING = "—"


def day(value: datetime.date | None) -> str:
    """A calendar day in the locale's short date format."""
    if value is None:
        return MISSING
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date_format(value, "SHORT_DATE_FORMAT")


def moment(value: datetime.datetime | None) -> str:
    """A point in time in the locale's short date-and-time format (local time, minutes)."""
    if value is None:
        return MISSING
    if not isinstance(value, datetime.datetime):
        return day(value)
    return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT")


def _decimal(value: Any) -> Decimal | None:
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number(value: Any, places: int | None = None) -> str:
    """A number with the locale's grouping and decimal mark; ``places`` None: whole numbers without decimals,
    others with two."""
    figure = _decimal(value)
    if figure is None:
        return MISSING
    if places is None:
        places = 0 if figure == figure.to_integral_value() else 2
    return number_format(figure, decimal_pos=places, use_l10n=True, force_grouping=True)


def percent(value: Any) -> str:
    """A share (0.5) as a percentage with one decimal (``50.0 %`` / ``50,0 %``)."""
    figure = _decimal(value)
    return MISSING if figure is None else f"{number(100 * figure, 1)} %"


def days(value: Any) -> str:
    """A number of days: whole days as they are, else with one decimal."""
    figure = _decimal(value)
    if figure is None:
        return MISSING
    rounded = figure.quantize(Decimal("0.1"))
    return number(rounded, 0 if rounded == rounded.to_integral_value() else 1)


def show(value: Any) -> str:
    """Any value in its kind's format (dates, moments, numbers); other values as text."""
    if isinstance(value, datetime.datetime):
        return moment(value)
    if isinstance(value, datetime.date):
        return day(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return number(value)
    return MISSING if value is None else str(value)
