"""Template helpers: money, percentages, badges and texts of the process library in the page's language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language

from salesflow.web import labels

register = template.Library()


def current_language() -> str:
    """The two-letter code of the active language (``en`` when none is active)."""
    return (get_language() or "en")[:2]


@register.filter
def tr(value: Any) -> str:
    """A library text (``{"en": …, "de": …}``) in the page's language; plain strings pass through."""
    if value is None:
        return ""
    if isinstance(value, dict):
        language = current_language()
        return value.get(language) or value.get("en") or next(iter(value.values()), "")
    return str(value)


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def amount(value: Any) -> str:
    """A number with the language's grouping; whole amounts without decimals (``120,000``)."""
    number = _decimal(value)
    if number is None:
        return "—"
    places = 0 if number == number.to_integral_value() else 2
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def money(value: Any, currency: str = "EUR") -> str:
    """An amount with its currency (``120,000 EUR``), or a dash."""
    text = amount(value)
    return text if text == "—" else f"{text} {currency or 'EUR'}"


@register.filter
def compact_money(value: Any, currency: str = "EUR") -> str:
    """A short amount for column totals (``1.2 M EUR``, ``850 k EUR``)."""
    number = _decimal(value)
    if number is None:
        return f"0 {currency}"
    for limit, suffix in ((Decimal(1_000_000), "M"), (Decimal(1_000), "k")):
        if abs(number) >= limit:
            short = number / limit
            places = 1 if abs(short) < 100 else 0
            return f"{number_format(short, decimal_pos=places, use_l10n=True, force_grouping=True)} {suffix} {currency}"
    return f"{amount(number)} {currency}"


@register.simple_tag
def classification_badge(value: str) -> str:
    """A badge naming the record's information classification."""
    return format_html('<span class="badge badge-{}">{}</span>', (value or "internal").replace("_", "-"),
                       labels.label(labels.CLASSIFICATIONS, value))


@register.filter
def classification_label(value: str) -> str:
    """The translated name of a classification."""
    return labels.label(labels.CLASSIFICATIONS, value)


@register.filter
def forecast_label(value: str) -> str:
    """The translated name of a forecast category."""
    return labels.label(labels.FORECAST_CATEGORIES, value)


@register.filter
def status_label(value: str) -> str:
    """The translated name of a guideline (document) status."""
    return labels.label(labels.GUIDELINE_STATUSES, value)


@register.filter
def initials(name: str) -> str:
    """Up to two initials of a person's name (for the avatar circles)."""
    parts = [part for part in str(name or "").replace(".", " ").split() if part]
    return "".join(part[0] for part in parts[:2]).upper() or "?"
