"""What the views share: the engine-refusal table, htmx detection, safe redirects, record look-up."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from salesflow.engine.errors import EngineError, Unmet
from salesflow.records import services
from salesflow.records.models import Record
from salesflow.web.i18n import localize
from salesflow.web.presenters import describe_items, refusal_text
from salesflow.web.templatetags.salesflow_web import current_language

#: The engine's refusals as HTTP statuses (one table for the whole web interface).
HTTP_STATUS: dict[str, int] = {
    "bad_input": 400,
    "not_found": 404,
    "unmet": 422,
    "not_permitted": 403,
    "conflict": 409,
}


def status_of(error: EngineError) -> int:
    """The HTTP status of an engine refusal."""
    return HTTP_STATUS.get(error.code, 400)


def is_htmx(request: HttpRequest) -> bool:
    """True for a request made by htmx (it swaps a part of the page)."""
    return request.headers.get("HX-Request") == "true"


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` parameter when it points into this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def visible_record(request: HttpRequest, record_id: Any) -> Record:
    """The record if the signed-in user may see it; a hidden or unknown record is a 404."""
    try:
        return services.get_record(record_id, request.user)
    except services.NotFound:
        raise Http404(_("No such record.")) from None


def posted_version(request: HttpRequest) -> int | None:
    """The record version the form was made from (optimistic concurrency), if sent."""
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() else None


def feedback_for(error: EngineError, record: Record | None = None) -> dict[str, Any]:
    """An engine refusal as the page shows it: a headline, the engine's message, unmet items in words."""
    headline = {
        "unmet": _("Not possible yet: requirements are unmet."),
        "not_permitted": _("You are not permitted to do this."),
        "conflict": _("This no longer applies."),
        "bad_input": _("Please check your input."),
        "not_found": _("Not found."),
    }.get(error.code, _("The action was refused."))
    items: list[str] = []
    message = localize(error.message)
    if record is not None:
        definition = services.definition_of(record.process_version)
        message = refusal_text(definition, error, current_language())
    if isinstance(error, Unmet) and record is not None:
        items = describe_items(definition, record.to_state(), error.items)
    elif isinstance(error, Unmet):
        items = [localize(item.message) for item in error.items]
    return {"code": error.code, "status": status_of(error), "headline": headline,
            "message": "" if isinstance(error, Unmet) else message, "items": items}
