"""Template filters of the coaching and partner pages."""

from __future__ import annotations

import datetime
from typing import Any

from django import template

from salesflow.web import formats

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """A ratio (0..1) as a percentage with one decimal in the locale's format, "–" for none."""
    if value is None or value == "":
        return "–"
    return formats.percent(value)


@register.filter
def score(value: Any) -> str:
    """A score in percent with one decimal in the locale's format, "–" for none."""
    if value is None or value == "":
        return "–"
    return f"{formats.number(value, 1)} %"


@register.filter
def isoday(value: Any) -> str:
    """An ISO date (as the reports write it) in the locale's short date format; other values as they are."""
    if not value:
        return "–"
    try:
        return formats.day(datetime.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)
