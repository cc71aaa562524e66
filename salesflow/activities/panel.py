"""The activity panel of a record, account or contact page: the log, open tasks and the forms."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salesflow.activities import services
from salesflow.activities.models import LOGGED_KINDS
from salesflow.people import access

#: Logged activities shown on a page (newest first).
SHOWN = 50
#: Users offered as task owners at most.
OWNER_CHOICES = 300

KIND_LABELS = {"call": _("Call"), "meeting": _("Meeting"), "email": _("E-mail"), "note": _("Note"),
               "task": _("Task")}


def kind_label(kind: str) -> str:
    """A kind of activity in the reader's language."""
    return str(KIND_LABELS.get(kind, kind))


def _owners(target: services.Target) -> list[Any]:
    users = get_user_model().objects.filter(is_active=True, roles__isnull=False).distinct().order_by(
        "first_name", "last_name", "username")[:OWNER_CHOICES]
    if target.record is None:
        return [user for user in users if not access.is_read_only(user)]
    return [user for user in users if not access.is_read_only(user) and access.can_view(user, target.record)]


def panel_context(request: Any, target: services.Target, scope: str) -> dict[str, Any]:
    """What the panel shows for ``scope`` (record, account or contact) to the signed-in user."""
    user = request.user
    filters = {"record": target.record.pk} if scope == "record" else (
        {"contact": target.contact.pk} if scope == "contact" else {"account": target.account.pk})
    query = services.activities_for(user, **filters)
    logged = list(query.exclude(kind="task")[:SHOWN])
    logged_total = query.exclude(kind="task").count()
    tasks = list(services.activities_for(user, open_tasks=True, **filters)[:SHOWN])
    today = timezone.localdate()
    may_log = access.is_staff_member(user) and not access.is_read_only(user)
    return {
        "target": target, "scope": scope,
        "logged": [{"item": item, "kind_label": kind_label(item.kind)} for item in logged],
        "logged_total": logged_total,
        "tasks": [{"item": item, "overdue": bool(item.due_date and item.due_date < today),
                   "may_complete": services.may_complete(user, item)} for item in tasks],
        "may_log": may_log, "kinds": [(kind, kind_label(kind)) for kind in LOGGED_KINDS],
        "owners": _owners(target) if may_log else [], "me": user,
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "contacts": list(target.account.contacts.all()[:50]) if scope == "account" and target.account else [],
        "posted": {}, "feedback": None,
    }
