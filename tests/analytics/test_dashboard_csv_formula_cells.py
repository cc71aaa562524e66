"""The dashboard's CSV downloads write a user-controlled text that looks like a formula as text (apostrophe)."""

from __future__ import annotations

import csv
import io

import pytest

from salesflow import csv_cells
from salesflow.people.services import do_add_user
from tests.analytics.build import Opportunity


@pytest.fixture
def deals(people):
    people["evil"] = do_add_user("evil", ["kam"], ["=HYPERLINK(\"http://evil\")"])  # a team name from a sync
    Opportunity(people, "evil", close_date="2027-03-01").lose(3)
    Opportunity(people, "kam", close_date="2027-03-01").lose(4)


def test_team_names_in_the_funnel_csv_are_neutralised(client, people, deals):
    client.force_login(people["head"])
    response = client.get("/controlling/report/funnel.csv?table=groups&by=team")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cells = [value for row in rows for value in row]
    assert any(value.startswith("'=HYPERLINK") for value in cells), rows
    assert not [value for value in cells if csv_cells.needs_mark(value)]
