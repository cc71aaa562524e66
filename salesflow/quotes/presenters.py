"""Timeline sentences of the quote and order-line events, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from salesflow.web.templatetags.salesflow_web import money

#: The event kinds of quotes and order lines (on the record's timeline).
QUOTE_EVENTS = ("quote_created", "quote_revised", "quote_accepted", "quote_rejected", "approval_withdrawn",
                "order_lines_created", "order_line_changed")


def describe(kind: str, payload: dict[str, Any]) -> tuple[str, str]:
    """The sentence and the note of one quote or order-line event."""
    values = {"number": payload.get("number") or payload.get("quote_number") or "", "version": payload.get("version"),
              "total": money(payload.get("total"), payload.get("currency") or "EUR"),
              "discount": payload.get("max_discount_percent", "")}
    if kind == "quote_created":
        return _("Quote %(number)s created: %(total)s, largest discount %(discount)s %%") % values, ""
    if kind == "quote_revised":
        return _("Quote %(number)s revised to version %(version)s: %(total)s, largest discount %(discount)s %%") \
            % values, payload.get("note", "")
    if kind == "quote_accepted":
        return _("The customer accepted %(number)s version %(version)s") % values, ""
    if kind == "quote_rejected":
        return _("The customer rejected %(number)s version %(version)s") % values, payload.get("reason", "")
    if kind == "approval_withdrawn":
        return _("Approval withdrawn: the quote was revised (version %(version)s needs its own approval)") % {
            "version": payload.get("quote_version")}, ""
    if kind == "order_lines_created":
        return _("%(count)s order lines taken over from %(number)s version %(version)s") % {
            "count": len(payload.get("lines") or []), "number": payload.get("quote_number", ""),
            "version": payload.get("quote_version")}, ""
    return _("Order line %(position)s changed (order total %(total)s)") % {
        "position": payload.get("position"), "total": money(payload.get("total"))}, payload.get("reason", "")
