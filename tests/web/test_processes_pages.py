"""The process library as readable pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_process_list(people, client_for) -> None:
    html = client_for(people["kam"]).get(reverse("processes")).content.decode()
    assert "Opportunity Management" in html and "Qualification" in html


def test_process_page_shows_roles_stages_activities_gates_and_approvals(people, client_for) -> None:
    response = client_for(people["kam"]).get(reverse("process", args=["opportunity-management"]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["Head of Sales", "Negotiate contracts", "Requirement Analysis / Solution Design",
                 "Internal risk analysis (strategic, legal, technical)", "Is the opportunity qualified?",
                 "delegable to Key Account Manager", "Offer approval (competence catalog)", "up to 250,000",
                 "Managing Director", "Qualified lead", "IMPORTANT: When communicating with the customer"]:
        assert text in html, text


def test_unknown_process_is_404(people, client_for) -> None:
    assert client_for(people["kam"]).get(reverse("process", args=["nope"])).status_code == 404
