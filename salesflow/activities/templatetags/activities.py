"""``{% activity_panel record=… %}`` / ``account=…`` / ``contact=…``: the activity log section of a page."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

from salesflow.activities import panel, services
from salesflow.engine.errors import EngineError

register = template.Library()


@register.simple_tag(takes_context=True)
def activity_panel(context: Any, record: Any = None, account: Any = None, contact: Any = None) -> str:
    """The activity panel for the record, account or contact (empty for users outside sales staff)."""
    request = context.get("request")
    if request is None:
        return ""
    scope = "record" if record is not None else ("contact" if contact is not None else "account")
    try:
        target = services.resolve_target(request.user, getattr(record, "pk", None), getattr(account, "pk", None)
                                         if scope == "account" else None, getattr(contact, "pk", None))
    except EngineError:
        return ""
    return render_to_string("activities/panel.html", panel.panel_context(request, target, scope), request=request)
