"""Sentences for events of no record in the audit trail: exports, sign-ins, saved filters."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesflow.web.formats import show

#: What an export held (``what`` of a ``security.export`` event).
EXPORTED = {
    "record_list": gettext_lazy("the record list"), "audit_trail": gettext_lazy("the audit trail"),
    "records": gettext_lazy("records"), "events": gettext_lazy("events"),
    "access_review": gettext_lazy("the access review"),
}
#: The lists saved filters belong to.
LIST_NAMES = {"records": gettext_lazy("the record list"), "board": gettext_lazy("the pipeline board"),
              "accounts": gettext_lazy("the account list"), "audit": gettext_lazy("the audit trail")}


def _filters(payload: dict[str, Any]) -> str:
    filters = payload.get("filters") or payload.get("query")
    if not isinstance(filters, dict):
        return ""
    return ", ".join(f"{key} = {value}" for key, value in filters.items())


def describe(kind: str, payload: dict[str, Any]) -> tuple[str, str] | None:
    """A sentence and a note for an event of no record, or None when there is no sentence for its kind."""
    if kind == "security.export":
        what = payload.get("what", "")
        text = _("Exported %(what)s: %(rows)s rows as %(format)s") % {
            "what": EXPORTED.get(what, what), "rows": show(payload.get("rows")),
            "format": str(payload.get("format", "")).upper()}
        return text, _filters(payload)
    if kind in ("filter_saved", "filter_deleted"):
        values = {"name": payload.get("name", ""), "list": LIST_NAMES.get(payload.get("list"), payload.get("list"))}
        text = (_("Saved the filter “%(name)s” of %(list)s") if kind == "filter_saved"
                else _("Deleted the filter “%(name)s” of %(list)s")) % values
        return text, _filters(payload)
    if kind == "security.login":
        return _("Signed in"), ""
    if kind == "security.logout":
        return _("Signed out"), ""
    if kind == "security.login_failed":
        return _("Sign-in failed for “%(username)s”") % {"username": payload.get("username", "")}, ""
    return None
