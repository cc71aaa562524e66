"""A 1:1 with agreed actions: only the person's manager records it, it is an event in the chain, and its actions
show on both people's My work until one of them marks them done."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from salesflow.coaching.services import AgreedAction, do_hold_meeting, do_set_manager
from salesflow.engine.errors import BadInput, NotPermitted
from salesflow.records.models import Event


def _my_work(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_actions_on_both_my_work_pages(people) -> None:
    head, kam = people["head"], people["kam"]
    do_set_manager(kam, head)
    today = timezone.localdate()
    client = Client()
    client.force_login(head)
    response = client.post("/coaching/kam/", {"date": today.isoformat(), "notes": "Pipeline review",
                                              "actions": f"{today + datetime.timedelta(days=7)} Update the close dates\n"
                                                         f"{today + datetime.timedelta(days=14)} Book the workshop"})
    assert response.status_code == 302, response.content.decode()[:500]
    event = Event.objects.filter(kind="one_to_one_held").get()
    assert event.payload["person_id"] == kam.pk and len(event.payload["actions"]) == 2

    for user in (head, kam):
        page = _my_work(user)
        assert "Update the close dates" in page and "Book the workshop" in page
    assert "Update the close dates" not in _my_work(people["kam2"])

    action_id = event.payload["actions"][0]["id"]
    kam_client = Client()
    kam_client.force_login(kam)
    assert kam_client.post(f"/coaching/actions/{action_id}/done/", {"next": "/"}).status_code == 302
    assert Event.objects.filter(kind="one_to_one_action_done").count() == 1
    for user in (head, kam):
        page = _my_work(user)
        assert "Update the close dates" not in page and "Book the workshop" in page
    # the coaching page shows the meeting with its actions to the manager
    assert "Pipeline review" in client.get("/coaching/kam/").content.decode()


def test_only_the_manager_records_and_bad_input_changes_nothing(people) -> None:
    head, kam, kam2 = people["head"], people["kam"], people["kam2"]
    do_set_manager(kam, head)
    today = timezone.localdate()
    with pytest.raises(NotPermitted):
        do_hold_meeting(kam2, kam, today)
    with pytest.raises(BadInput, match="due"):
        do_hold_meeting(head, kam, today, actions=[AgreedAction("Late", today - datetime.timedelta(days=1))])
    with pytest.raises(BadInput, match="cannot manage"):
        do_set_manager(head, kam)                      # kam would manage his own manager
    client = Client()
    client.force_login(head)
    response = client.post("/coaching/kam/", {"date": today.isoformat(), "actions": "next week call them"})
    assert response.status_code == 400 and "line 1" in response.content.decode()
    assert not Event.objects.filter(kind="one_to_one_held").exists()
    kam2_client = Client()
    kam2_client.force_login(kam2)
    assert kam2_client.get("/coaching/kam/").status_code == 404      # not his report, not his manager
