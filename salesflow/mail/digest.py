"""The daily digest: each user's unread notifications of the last day, once a day."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from salesflow.mail.compose import compose_digest, language_of, preference_of
from salesflow.mail.outbox import queue

#: How far back a digest looks for unread notifications.
DIGEST_WINDOW = datetime.timedelta(days=1)


def queue_digests(now: datetime.datetime | None = None) -> int:
    """Queue today's digest for every active user with an address who wants one and has something unread."""
    if not settings.EMAIL_ENABLED:
        return 0
    from salesflow.records.chain import notifications_of

    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    queued = 0
    for user in get_user_model().objects.filter(is_active=True).exclude(email=""):
        if not preference_of(user).digest:
            continue
        unread = list(notifications_of(user).filter(read_at__isnull=True, created_at__gte=now - DIGEST_WINDOW)
                      .select_related("user")[:50])
        if not unread:
            continue
        composed = compose_digest(user, unread, language_of(user))
        if queue(user, "digest", f"digest:{user.pk}:{day}", composed.subject, composed.text, composed.html, now):
            queued += 1
    return queued

