"""Done when: `salesflow worker --once` sends the digest and runs the due jobs."""

from __future__ import annotations

import io
import json

from django.core.management import call_command
from django.utils import timezone

from salesflow.mail.models import MailPreference
from salesflow.ops.models import JobRun
from salesflow.records.chain import notify_users

from .conftest import BASE_URL
from .smtp import bodies


def test_worker_once_sends_the_digest_and_runs_due_jobs(smtp, team, settings) -> None:
    settings.EMAIL_ENABLED = True
    MailPreference.objects.create(user=team["kam"], immediate=False, language="de")  # the digest only
    notify_users(None, [team["kam"]], "reminder", {"en": "Renewal window opens", "de": "Verlängerungsfenster öffnet"},
                 timezone.now())
    out = io.StringIO()
    call_command("worker", "--once", "--json", stdout=out)
    ran = {item["job"]: item for item in json.loads(out.getvalue())["ran"]}
    assert set(ran) == {"schedules", "forecast_snapshot", "forecast_lock", "audit_checkpoint", "mail_outbox", "mail_digest",
                        "guideline_files"}
    assert all(item["ok"] for item in ran.values()), ran
    assert {"reminders", "breaches", "moves"} <= set(ran["schedules"]["summary"])
    assert ran["mail_digest"]["summary"]["digests"] == 1

    digest = smtp.inbox.to("kam@example.com")
    assert len(digest) == 1
    assert "Ihre Salesflow-Zusammenfassung: 1 ungelesen" in str(digest[0]["Subject"])
    text, html = bodies(digest[0])
    assert "Verlängerungsfenster öffnet" in text and f'href="{BASE_URL}/"' in html

    out = io.StringIO()
    call_command("worker", "--once", "--json", stdout=out)
    assert {item["job"] for item in json.loads(out.getvalue())["ran"]} <= {"mail_outbox"}  # at most the per-minute one
    assert len(smtp.inbox.to("kam@example.com")) == 1  # the digest is sent once a day
    assert JobRun.objects.get(job="mail_digest").runs == 1
