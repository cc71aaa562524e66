"""The outbox: every e-mail is stored before it is sent, claimed by one sender at a time, retried until sent.

A notification's mail is queued in the transaction that makes the notification and sent right after
it commits (in the background, so no click waits for the mail server); whatever could not be sent
waits for the worker, which retries with growing pauses (1, 2, 4 … up to 60 minutes) and never
drops a mail. Nothing is sent when ``EMAIL_URL`` is unset.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from salesflow.mail.compose import compose_notification, language_of, preference_of
from salesflow.mail.models import OutboundMail

log = logging.getLogger("salesflow.mail")
CLAIM = datetime.timedelta(minutes=5)
MAX_PAUSE_MINUTES = 60
BATCH = 200


def queue(user: Any, kind: str, dedupe_key: str, subject: str, text: str, html: str,
          at: datetime.datetime | None = None) -> OutboundMail | None:
    """Store one e-mail (once per ``dedupe_key``); None when it was queued before."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            return OutboundMail.objects.create(user=user, to_address=user.email, kind=kind, dedupe_key=dedupe_key,
                                               subject=subject[:300], text=text, html=html, created_at=at,
                                               next_attempt_at=at)
    except IntegrityError:
        return None


def queue_notifications(notifications: Iterable[Any]) -> list[OutboundMail]:
    """Queue the e-mail of each notification its recipient wants; send them once the transaction commits."""
    if not settings.EMAIL_ENABLED:
        return []
    queued = []
    for notification in notifications:
        user = notification.user
        if not user.email or not user.is_active:
            continue
        preference = preference_of(user)
        if not preference.immediate or notification.kind in (preference.muted_kinds or []):
            continue
        composed = compose_notification(notification, language_of(user))
        mail = queue(user, notification.kind, f"notification:{notification.pk}", composed.subject, composed.text,
                     composed.html, notification.created_at)
        if mail is not None:
            queued.append(mail)
    if queued:
        ids = [mail.pk for mail in queued]
        transaction.on_commit(lambda: send_soon(ids))
    return queued


def send_soon(ids: list[int]) -> None:
    """Send these queued mails now: in a background thread (default) or right here."""
    if getattr(settings, "MAIL_SEND_IN_BACKGROUND", True):
        # not a daemon: a command that queued mail (e.g. `salesflow record move`) sends it before it exits
        threading.Thread(target=_send_in_thread, args=(ids,), name="salesflow-mail", daemon=False).start()
    else:
        send(OutboundMail.objects.filter(pk__in=ids))


def _send_in_thread(ids: list[int]) -> None:
    try:
        send(OutboundMail.objects.filter(pk__in=ids))
    except Exception:  # noqa: BLE001 - the worker retries; a background thread must not die loudly
        log.exception("sending e-mails %s failed; the worker retries them", ids)
    finally:
        close_old_connections()


def send_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """Send every mail whose (next) attempt is due; returns how many were sent and how many failed."""
    now = now or timezone.now()
    # a sender that died while holding mails gives them back when its claim runs out
    OutboundMail.objects.filter(state=OutboundMail.SENDING, claimed_until__lt=now).update(
        state=OutboundMail.PENDING, claimed_until=None)
    due = OutboundMail.objects.filter(state=OutboundMail.PENDING, next_attempt_at__lte=now).order_by("id")[:BATCH]
    return send(due, now)


def _claim(mail: OutboundMail, now: datetime.datetime) -> bool:
    return OutboundMail.objects.filter(pk=mail.pk, state=OutboundMail.PENDING).update(
        state=OutboundMail.SENDING, claimed_until=now + CLAIM) == 1


def send(mails: Iterable[OutboundMail], now: datetime.datetime | None = None) -> dict[str, int]:
    """Claim and send these mails over one connection; a failure is kept with its error and retried later."""
    if not settings.EMAIL_ENABLED:
        return {"sent": 0, "failed": 0}
    now = now or timezone.now()
    claimed = [mail for mail in mails if mail.state == OutboundMail.PENDING and _claim(mail, now)]
    sent = failed = 0
    if not claimed:
        return {"sent": 0, "failed": 0}
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # noqa: BLE001 - any failure of the mail server
        for mail in claimed:
            _failed(mail, error)
        return {"sent": 0, "failed": len(claimed)}
    try:
        for mail in claimed:
            message = EmailMultiAlternatives(mail.subject, mail.text, settings.DEFAULT_FROM_EMAIL, [mail.to_address],
                                             connection=connection,
                                             headers={"Auto-Submitted": "auto-generated",
                                                      "X-Salesflow-Kind": mail.kind})
            if mail.html:
                message.attach_alternative(mail.html, "text/html")
            try:
                message.send()
            except Exception as error:  # noqa: BLE001
                _failed(mail, error)
                failed += 1
            else:
                OutboundMail.objects.filter(pk=mail.pk).update(state=OutboundMail.SENT, sent_at=timezone.now(),
                                                               attempts=mail.attempts + 1, claimed_until=None,
                                                               last_error="")
                sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass
    return {"sent": sent, "failed": failed}


def _failed(mail: OutboundMail, error: BaseException) -> None:
    attempts = mail.attempts + 1
    pause = datetime.timedelta(minutes=min(2 ** (attempts - 1), MAX_PAUSE_MINUTES))
    log.warning("e-mail %s to %s failed (attempt %s): %s", mail.pk, mail.to_address, attempts, error)
    OutboundMail.objects.filter(pk=mail.pk).update(
        state=OutboundMail.PENDING, attempts=attempts, claimed_until=None,
        next_attempt_at=timezone.now() + pause, last_error=f"{error.__class__.__name__}: {error}"[:2000])
