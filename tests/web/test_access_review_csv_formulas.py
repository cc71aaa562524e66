"""The access-review CSV download neutralises names and e-mail addresses a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from salesflow import csv_cells
from salesflow.people.services import do_add_user

pytestmark = pytest.mark.django_db


def test_formula_names_are_written_as_text(people, client_for) -> None:
    do_add_user("mallory", ["kam"], ["=1+1"], first_name="=HYPERLINK(\"http://evil\")", last_name="x",
                email="@evil@example.com")
    response = client_for(people["auditor"]).get(reverse("access_review_csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert not [value for row in rows for value in row if csv_cells.needs_mark(value)]
    mallory = next(row for row in rows if row[0] == "mallory")
    assert mallory[1].startswith("'=HYPERLINK") and mallory[2] == "'@evil@example.com" and mallory[6] == "'=1+1"
