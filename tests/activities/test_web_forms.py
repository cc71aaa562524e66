"""The activity panel on the record, account and contact pages (forms posted plainly and by htmx), and the
open tasks on My work — first when one is due."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from salesflow.activities import services
from salesflow.activities.models import Activity
from tests.activities.conftest import ICS


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_forms_on_record_account_and_contact_pages(team: dict[str, Any], opportunity: Any, account: Any) -> None:
    kam = signed_in(team["kam"])
    page = kam.get(f"/records/{opportunity.pk}/").content.decode()
    assert 'id="activities"' in page and f'name="record" value="{opportunity.pk}"' in page

    response = kam.post("/activities/log/", {"record": opportunity.pk, "kind": "call", "subject": "Price call",
                                             "at": "2026-12-01T14:00", "duration": "25", "outcome": "wants 5 % off",
                                             "next_step": "revised offer"})
    assert response.status_code == 302 and response["Location"] == f"/records/{opportunity.pk}/#activities"
    page = kam.get(f"/records/{opportunity.pk}/").content.decode()
    assert "Price call" in page and "Outcome: wants 5 % off" in page and "25 minutes" in page
    assert "Call logged: Price call (25 min)" in page  # the record's timeline

    # htmx: the panel comes back in place; a refusal keeps what was typed and says why.
    htmx = {"HX-Request": "true"}
    response = kam.post("/activities/tasks/", {"record": opportunity.pk, "subject": "Send the offer",
                                               "owner": "kam", "due": "2026-12-10"}, headers=htmx)
    assert response.status_code == 200 and "Task added." in response.content.decode()
    assert "Send the offer" in response.content.decode()
    response = kam.post("/activities/log/", {"record": opportunity.pk, "kind": "call", "subject": "Follow-up",
                                             "duration": "-5"}, headers=htmx)
    assert response.status_code == 400
    assert "duration: 0 to 1440 minutes expected, got -5" in response.content.decode()
    assert 'value="Follow-up"' in response.content.decode()
    response = kam.post("/activities/import/", {"record": opportunity.pk,
                                                "file": SimpleUploadedFile("broken.ics", b"BEGIN:VCALENDAR\r\nEND")},
                        headers=htmx)
    assert response.status_code == 400 and "broken.ics: not a calendar file" in response.content.decode()

    # The account page shows the record's logged work; the contact page logs for the contact.
    page = kam.get(f"/accounts/{account.pk}/").content.decode()
    assert "Price call" in page and "Send the offer" in page
    contact = account.contacts.get()
    response = kam.post("/activities/import/", {"contact": contact.pk,
                                                "file": SimpleUploadedFile("invite.ics", ICS)})
    assert response.status_code == 302 and response["Location"] == f"/contacts/{contact.pk}/#activities"
    page = kam.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Requirements workshop" in page and "Nordwind Energie" in page
    assert "Requirements workshop" in kam.get(f"/accounts/{account.pk}/").content.decode()

    task = Activity.objects.get(kind="task")
    response = kam.post(f"/activities/tasks/{task.pk}/done/", {"record": opportunity.pk})
    assert response.status_code == 302
    assert Activity.objects.get(pk=task.pk).done_at is not None

    # Auditors read the log but get no forms.
    page = signed_in(team["auditor"]).get(f"/records/{opportunity.pk}/").content.decode()
    assert "Price call" in page and "activity-log-form" not in page
    assert signed_in(team["auditor"]).post("/activities/log/", {"record": opportunity.pk, "kind": "note",
                                                                "subject": "x"}).status_code == 302
    assert not Activity.objects.filter(subject="x").exists()


def test_my_work_lists_open_tasks_due_ones_first(team: dict[str, Any], opportunity: Any) -> None:
    kam = team["kam"]
    target = services.resolve_target(kam, record=opportunity.pk)
    today = timezone.localdate()
    services.do_add_task(kam, target, "Later task", due=today + datetime.timedelta(days=9))
    client = signed_in(kam)
    page = client.get("/").content.decode()
    assert 'id="tasks"' in page and "Later task" in page
    assert page.index('id="tasks"') > page.index("own-sections")  # nothing due: with my own work
    services.do_add_task(kam, target, "Overdue task", due=today - datetime.timedelta(days=2))
    page = client.get("/").content.decode()
    assert page.index('id="tasks"') < page.index("own-sections")  # something due: waiting, first
    assert page.index("Overdue task") < page.index("Later task")
    assert "overdue since" in page
    assert "Overdue task" not in signed_in(team["kam2"]).get("/").content.decode()
