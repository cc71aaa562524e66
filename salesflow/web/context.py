"""Template context shared by every page: the main navigation and the languages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from salesflow.currency.services import may_manage_rates
from salesflow.lists.trail import may_browse
from salesflow.people import access
from salesflow.people.lifecycle import administers_users
from salesflow.web.views.notifications import unread_count
from salesflow.web.views.review import may_review

#: (url name, label, path prefixes that mark it active)
NAVIGATION = [
    ("home", _("My work"), ("/",)),
    ("board", _("Pipeline"), ("/board/",)),
    ("records", _("Records"), ("/records/",)),
    ("customers", _("Accounts"), ("/accounts/",)),
    ("partners", _("Partners"), ("/partners/",)),
    ("processes", _("Processes"), ("/processes/",)),
    ("guidelines", _("Guidelines"), ("/guidelines/",)),
    ("controlling", _("Controlling"), ("/controlling/",)),
    ("checklists", _("Checklists"), ("/quality/",)),
    ("material", _("Material"), ("/material/",)),
    ("products", _("Products"), ("/products/",)),
    ("coaching", _("Coaching"), ("/coaching/",)),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav`` (label, url, active, badge: unread notifications on "My work") for signed-in users, ``languages`` and ``site_languages`` (the header's switch; a page's own ``languages`` cannot shadow it), ``read_only`` for auditors, ``creatable_keys``
    (the processes the user may start records in: no "New" button leads to a refusal)."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    # lazy: an htmx fragment that shows no navigation makes none of its queries
    return {"nav": SimpleLazyObject(lambda: _navigation_items(request, user) if signed_in else []),
            "languages": settings.LANGUAGES, "site_languages": settings.LANGUAGES,
            "read_only": SimpleLazyObject(lambda: bool(signed_in and access.is_read_only(user))),
            "creatable_keys": SimpleLazyObject(lambda: _creatable_keys(user))}


def _navigation_items(request: HttpRequest, user: Any) -> list[dict[str, Any]]:
    """The main navigation of a signed-in ``user`` on ``request``'s page."""
    path = request.path
    entries = list(NAVIGATION)
    if may_review(user):
        entries.append(("access_review", _("Access review"), ("/review/",)))
    if may_browse(user):
        entries.append(("audit_trail", _("Audit trail"), ("/audit-trail/",)))
    if administers_users(user):
        entries.append(("users", _("Users"), ("/users/",)))
    if may_manage_rates(user):
        entries.append(("currency_rates", _("Exchange rates"), ("/currency/",)))
    unread = unread_count(user)
    items = []
    for name, label, prefixes in entries:
        active = any(path == prefix if prefix == "/" else path.startswith(prefix) for prefix in prefixes)
        items.append({"label": label, "url": reverse(name), "active": active,
                      "badge": unread if name == "home" else 0})
    return items


def _creatable_keys(user: Any) -> frozenset[str]:
    """Keys of the processes in which ``user`` may create records (empty when signed out or read-only)."""
    if user is None or not user.is_authenticated or access.is_read_only(user):
        return frozenset()
    from salesflow.web.views.records import creatable_processes

    return frozenset(process.key for process, _definition in creatable_processes(user, "en"))
