"""Template filters of the coaching and partner pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """A ratio (0..1) as a percentage with one decimal, "–" for none."""
    if value is None or value == "":
        return "–"
    return f"{100 * float(value):.1f} %"


@register.filter
def score(value: Any) -> str:
    """A score in percent with one decimal, "–" for none."""
    if value is None or value == "":
        return "–"
    return f"{float(value):.1f} %"
