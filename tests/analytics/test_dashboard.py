"""The controlling dashboard: panels with chart specs and tables, CSV/SVG/PNG downloads, access rules, targets."""

from __future__ import annotations

import json
import re

import pytest

from salesflow.analytics.models import Target
from tests.analytics.build import Opportunity


@pytest.fixture
def deals(people):
    Opportunity(people, "kam", close_date="2027-03-01").qualify(2).design(4).propose(6).win(10)
    Opportunity(people, "kam2", close_date="2027-03-01", classification="confidential").lose(3)


def signed_in(client, user):
    client.force_login(user)
    return client


def test_dashboard_and_panels(client, people, deals):
    signed_in(client, people["head"])
    page = client.get("/controlling/")
    assert page.status_code == 200
    assert b'hx-get="/controlling/panel/funnel/?' in page.content
    assert b"vega-embed.min.js" in page.content
    panel = client.get("/controlling/panel/funnel/")
    assert panel.status_code == 200
    spec = json.loads(re.search(r'data-spec="([^"]*)"', panel.content.decode()).group(1).replace("&quot;", '"'))
    assert spec["$schema"].endswith("vega-lite/v5.json")
    entered = {row["stage"]: row["entered"] for row in spec["data"]["values"]}
    assert entered["qualification"] == 2                       # head sees the confidential record too


def test_team_member_sees_only_visible_records(client, people, deals):
    signed_in(client, people["kam"])
    csv_text = client.get("/controlling/report/funnel.csv?table=groups").content.decode()
    assert csv_text.splitlines()[1].split(",")[2] == "1"        # records: kam cannot see kam2's confidential deal


def test_downloads(client, people, deals):
    signed_in(client, people["head"])
    csv_response = client.get("/controlling/report/winrate.csv?table=owner")
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response.content.decode().startswith("group,closed,won,lost,win_rate")
    svg = client.get("/controlling/report/durations.svg")
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<svg")
    png = client.get("/controlling/report/calibration.png?download=1")
    assert png.content.startswith(b"\x89PNG") and "attachment" in png["Content-Disposition"]
    assert client.get("/controlling/report/funnel.csv?table=nope").status_code == 400
    assert client.get("/controlling/report/forecast/?period=2027-Q1").status_code == 200
    assert client.get("/controlling/panel/forecast/?period=bad").status_code == 400


def test_accuracy_is_for_oversight_roles(client, people, deals):
    assert signed_in(client, people["kam"]).get("/controlling/panel/accuracy/").status_code == 403
    assert signed_in(client, people["auditor"]).get("/controlling/panel/accuracy/").status_code == 200


def test_targets_set_by_planners_only(client, people):
    signed_in(client, people["kam"])
    assert client.post("/controlling/targets/", {"period": "2027-Q1", "amount": "1000"}).status_code == 403
    signed_in(client, people["head"])
    response = client.post("/controlling/targets/", {"period": "2027-Q1", "amount": "250000", "scope": "team",
                                                     "value": "North"})
    assert response.status_code == 302
    assert Target.objects.get().amount == 250000
    page = client.get("/controlling/targets/")
    assert b"team North" in page.content


def test_anonymous_and_roleless_users_are_refused(client, people):
    assert client.get("/controlling/").status_code == 302
    from salesflow.people.services import do_add_user

    nobody = do_add_user("nobody", [], [])
    assert signed_in(client, nobody).get("/controlling/").status_code == 403
