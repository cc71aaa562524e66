"""Channel partners and 1:1 meetings through the CLI and the API (besides the web): same services, same rules."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from salesflow.coaching.models import Action, Meeting
from salesflow.people.tokens import create_token
from salesflow.records.models import Event
from tests.api.conftest import Api
from tests.coaching.conftest import PARTNER_62_5


def _api(user: Any) -> Api:
    return Api(create_token(user, "tests")[1])


@pytest.mark.django_db
def test_partners_through_cli_and_api(cli, people, partners, assess) -> None:  # noqa: F811
    from salesflow.accounts.models import Account

    assess("partner-mystery-shopping", f"partner:{partners['nord'].pk}", PARTNER_62_5, "2026-01-10")
    listed = cli("partner", "list", "--json")
    assert [row["name"] for row in listed.json()] == ["Fachhandel Nord GmbH", "Systemhaus Süd AG"]
    refused = cli("partner", "set", partners["customer"].pk, "--tier", "Gold", "--as", "kam")
    assert refused.code == 4, refused  # no manage_partners right
    assert Account.objects.get(pk=partners["customer"].pk).kind == Account.CUSTOMER
    marked = cli("partner", "set", partners["customer"].pk, "--tier", "Bronze", "--region", "Alps", "--as", "head",
                 "--json")
    assert marked.code == 0 and marked.json()["tier"] == "Bronze", marked
    shown = cli("partner", "show", partners["nord"].pk, "--as", "quality", "--json")
    assert shown.code == 0, shown
    assert shown.json()["mystery_shopping"]["average"] == 62.5
    assert cli("partner", "show", partners["customer"].pk + 1000, "--as", "quality").code == 1

    head = _api(people["head"])
    response = head.get(f"/api/partners/{partners['nord'].pk}")
    assert response.status_code == 200 and response.json()["mystery_shopping"]["assessments"][0]["score"] == 62.5
    assert _api(people["kam"]).get(f"/api/partners/{partners['nord'].pk}").json()["mystery_shopping"] == {
        "average": None, "assessments": []}  # an assessment the KAM may not see does not count
    assert head.post("/api/partners", {"account": partners["customer"].pk, "tier": "Silver"}).json()["tier"] == "Silver"
    assert _api(people["kam"]).post("/api/partners", {"account": partners["nord"].pk}).status_code == 403
    assert head.get("/api/partners/999999").status_code == 404
    assert Event.objects.filter(kind="partner_set").count() == 4  # two fixture partners, CLI, API


@pytest.mark.django_db
def test_one_to_ones_through_cli_and_api(cli, people) -> None:  # noqa: F811
    assert cli("coaching", "manager", "kam", "--manager", "head", "--as", "kam").code == 4
    assert cli("coaching", "manager", "kam", "--manager", "head", "--as", "head").code == 0
    today = timezone.localdate()
    due = (today + datetime.timedelta(days=10)).isoformat()
    held = cli("coaching", "meet", "kam", "--as", "head", "--date", today.isoformat(), "--notes", "Pipeline",
               "--action", f"{due} Update the close dates", "--json")
    assert held.code == 0, held
    assert held.json()["actions"][0]["text"] == "Update the close dates"
    wrong = cli("coaching", "meet", "kam", "--as", "kam2", "--date", today.isoformat())
    assert wrong.code == 4, wrong  # only the person's manager
    bad = cli("coaching", "meet", "kam", "--as", "head", "--date", today.isoformat(), "--action", "soon: call")
    assert bad.code == 1 and "line 1" in bad.err, bad
    assert Meeting.objects.count() == 1
    assert [row["id"] for row in cli("coaching", "list", "--as", "kam", "--json").json()] == [held.json()["id"]]
    assert cli("coaching", "list", "--as", "kam2", "--json").json() == []

    kam, head = _api(people["kam"]), _api(people["head"])
    created = head.post("/api/coaching/meetings", {"person": "kam", "date": today.isoformat(), "notes": "Follow-up",
                                                   "actions": [{"text": "Ride-along", "due": due}]})
    assert created.status_code == 201, created.content
    assert kam.post("/api/coaching/meetings", {"person": "head", "date": today.isoformat()}).status_code == 403
    assert len(kam.get("/api/coaching/meetings").json()) == 2 and _api(people["kam2"]).get(
        "/api/coaching/meetings").json() == []
    action = created.json()["actions"][0]["id"]
    assert _api(people["kam2"]).post(f"/api/coaching/actions/{action}/done").status_code == 404
    done = kam.post(f"/api/coaching/actions/{action}/done")
    assert done.status_code == 200 and done.json()["done_at"] is not None
    first = held.json()["actions"][0]["id"]
    assert cli("coaching", "done", first, "--as", "kam").code == 0
    assert not Action.objects.filter(done_at__isnull=True).exists()
    assert Event.objects.filter(kind="one_to_one_held").count() == 2
