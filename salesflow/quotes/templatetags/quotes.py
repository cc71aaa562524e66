"""``{% quote_panel record=… %}``: the quote (or order lines) section of a record page."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from salesflow.quotes import panel

register = template.Library()


@register.simple_tag(takes_context=True)
def quote_panel(context: Any, record: Any) -> str:
    """The panel for the record (empty when its process carries neither quotes nor order lines)."""
    request = context.get("request")
    if request is None:
        return ""
    data = panel.panel_context(request, record)
    if data is None:
        return ""
    return render_to_string("quotes/panel.html", data, request=request)
