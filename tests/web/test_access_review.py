"""The access-rights review: for Head of Sales, Sales Ops, auditors and admins; the CSV is a logged export."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from salesflow.people.services import do_add_user
from salesflow.records.models import Event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("roles", [["head_of_sales"], ["sales_ops"], ["auditor"], ["admin"]])
def test_reviewers_see_every_user_with_roles_and_teams(people, client_for, roles) -> None:
    reviewer = do_add_user("reviewer", roles, [])
    response = client_for(reviewer).get(reverse("access_review"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lena Wolf" in html and "Key Account Manager" in html and "South" in html


@pytest.mark.parametrize("name", ["kam", "bid"])
def test_others_are_refused(people, client_for, name) -> None:
    client = client_for(people[name])
    assert client.get(reverse("access_review")).status_code == 403
    assert client.get(reverse("access_review_csv")).status_code == 403
    assert not Event.objects.filter(kind="security.export").exists()
    assert "Access review" not in client.get(reverse("home")).content.decode()


def test_csv_download_lists_grants_and_is_logged(people, opportunity, client_for) -> None:
    opportunity.members.add(people["bid"])
    response = client_for(people["auditor"]).get(reverse("access_review_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_name = {row["username"]: row for row in rows}
    assert by_name["kam2"]["roles"] == "kam" and by_name["kam2"]["teams"] == "South"
    assert by_name["bid"]["record_memberships"] == "1"
    export = Event.objects.get(kind="security.export")
    assert export.actor_id == people["auditor"].pk and export.payload["what"] == "access_review"
