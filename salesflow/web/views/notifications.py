"""Notifications of the signed-in user: the list on "My work", the unread count, marking them read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, Case, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from salesflow.records.chain import do_mark_notifications_read, notifications_of

#: How many notifications "My work" lists.
LIMIT = 30


def unread_count(user: Any) -> int:
    """How many of the user's notifications are unread."""
    return notifications_of(user).filter(read_at__isnull=True).count()


def notification_rows(user: Any, language: str, limit: int = LIMIT) -> list[dict[str, Any]]:
    """The newest notifications, unread first."""
    unread_first = notifications_of(user).select_related("record").annotate(
        unread=Case(When(read_at__isnull=True, then=Value(True)), default=Value(False),
                    output_field=BooleanField())).order_by("-unread", "-created_at", "-id")
    return [{"id": item.pk, "text": item.text(language), "kind": item.kind, "at": item.created_at,
             "unread": item.read_at is None, "record": item.record} for item in unread_first[:limit]]


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``notification``) or all unread ones (``all``) as read."""
    back = reverse("home") + "#notifications"
    if request.POST.get("all"):
        count = do_mark_notifications_read(request.user)
    else:
        wanted = request.POST.getlist("notification")
        if not wanted or not all(item.isdigit() for item in wanted):
            messages.error(request, _("Choose a notification. Nothing was changed."))
            return redirect(back)
        count = do_mark_notifications_read(request.user, [int(item) for item in wanted])
    messages.success(request, ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.",
                                       count) % {"count": count})
    return redirect(back)
