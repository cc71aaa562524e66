"""Notifications of the signed-in user: the groups on "My work", the unread count, dismissing them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from salesflow.records.chain import do_mark_notifications_read, notifications_of
from salesflow.web import relative

#: How many unread notifications "My work" reads (grouped by record and kind).
LIMIT = 200


def unread_count(user: Any) -> int:
    """How many of the user's notifications are unread."""
    return notifications_of(user).filter(read_at__isnull=True).count()


def notification_groups(user: Any, language: str, limit: int = LIMIT) -> list[dict[str, Any]]:
    """The unread notifications (not dismissed), grouped by record and kind; the newest group first.

    Each group: ``record``, ``kind``, ``latest`` (the newest notification), ``older`` (the rest), ``ids``.
    A reminder's due date is shown relative to today, computed now (`salesflow.web.relative`).
    """
    today = timezone.localdate()
    query = notifications_of(user).filter(read_at__isnull=True).select_related("record").order_by(
        "-created_at", "-id")
    groups: dict[tuple[int | None, str], dict[str, Any]] = {}
    for item in query[:limit]:
        row = {"id": item.pk, "text": item.text(language), "kind": item.kind, "at": item.created_at,
               "unread": True, "record": item.record, "due": relative.due_view(item.due(), today)}
        key = (item.record_id, item.kind)
        if key not in groups:
            groups[key] = {"key": f"{item.record_id or 0}-{item.kind}", "record": item.record, "kind": item.kind,
                           "latest": row, "older": [], "ids": []}
        else:
            groups[key]["older"].append(row)
        groups[key]["ids"].append(item.pk)
    return list(groups.values())


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Dismiss notifications: the ones named (``notification``, repeatable: a group) or all unread ones (``all``)."""
    back = reverse("home") + "#notifications"
    if request.POST.get("all"):
        count = do_mark_notifications_read(request.user)
    else:
        wanted = request.POST.getlist("notification")
        if not wanted or not all(item.isdigit() for item in wanted):
            messages.error(request, _("Choose a notification. Nothing was changed."))
            return redirect(back)
        count = do_mark_notifications_read(request.user, [int(item) for item in wanted])
    messages.success(request, ngettext("%(count)d notification dismissed.", "%(count)d notifications dismissed.",
                                       count) % {"count": count})
    return redirect(back)
