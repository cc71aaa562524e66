"""A mail that cannot be sent stays in the outbox and is sent by a later attempt: never lost, never twice."""

from __future__ import annotations

import datetime

from django.utils import timezone

from salesflow.mail.models import OutboundMail
from salesflow.mail.outbox import send_due
from salesflow.records.chain import notify_users

from .smtp import SmtpServer


def _notify(user) -> None:
    notify_users(None, [user], "reminder", {"en": "Check the pipeline", "de": "Pipeline prüfen"}, timezone.now())


def test_server_down_then_up(smtp, team, settings, django_capture_on_commit_callbacks) -> None:
    settings.EMAIL_PORT = SmtpServer().port  # nobody listens there
    with django_capture_on_commit_callbacks(execute=True):
        _notify(team["kam"])
    mail = OutboundMail.objects.get()
    assert mail.state == "pending" and mail.attempts == 1 and mail.last_error
    assert mail.next_attempt_at > timezone.now()
    assert send_due() == {"sent": 0, "failed": 0}  # not yet: it waits for its next attempt

    settings.EMAIL_PORT = smtp.port
    result = send_due(timezone.now() + datetime.timedelta(minutes=2))
    assert result == {"sent": 1, "failed": 0}
    assert [str(item["Subject"]) for item in smtp.inbox.to("kam@example.com")] == ["[Salesflow] Check the pipeline"]
    assert send_due(timezone.now() + datetime.timedelta(hours=1)) == {"sent": 0, "failed": 0}
    assert len(smtp.inbox.messages) == 1


def test_temporary_refusal_backs_off(smtp, team, django_capture_on_commit_callbacks) -> None:
    smtp.inbox.refuse = True
    with django_capture_on_commit_callbacks(execute=True):
        _notify(team["kam"])
    later = timezone.now() + datetime.timedelta(minutes=1, seconds=5)
    assert send_due(later)["failed"] == 1
    mail = OutboundMail.objects.get()
    assert mail.attempts == 2 and "451" in mail.last_error
    assert mail.next_attempt_at - timezone.now() > datetime.timedelta(minutes=1, seconds=30)
    smtp.inbox.refuse = False
    assert send_due(timezone.now() + datetime.timedelta(minutes=5))["sent"] == 1


def test_a_stuck_claim_is_given_back(smtp, team) -> None:
    _notify(team["kam"])  # no commit callback here: the mail only waits in the outbox
    OutboundMail.objects.update(state="sending", claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert send_due()["sent"] == 1
