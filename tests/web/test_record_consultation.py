"""The record page asks Consulted roles, shows open requests and answers, and says who decides (EN and DE)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.records import services
from salesflow.records.models import Consultation

pytestmark = pytest.mark.django_db


def _page(client, record, language: str = "en") -> str:
    return client.get(reverse("record", args=[record.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_owner_asks_from_the_record_page_and_the_consulted_answers(people, opportunity, client_for) -> None:
    kam, head = client_for(people["kam"]), client_for(people["head"])
    html = _page(kam, opportunity)
    assert "Ask for advice" in html and 'value="head_of_sales"' in html
    response = kam.post(reverse("record_consult", args=[opportunity.pk]),
                        {"activity": "customer_workshop", "role": "head_of_sales", "question": "Join on Tuesday?"})
    assert response.status_code == 302
    html = _page(kam, opportunity)
    assert "Kai Becker asked Head of Sales — waiting for the answer." in html and "Join on Tuesday?" in html
    assert "Asked Head of Sales for advice on" in html  # the timeline
    mine = head.get(reverse("home")).content.decode()
    assert 'id="consultations"' in mine and "Grid monitoring" in mine and "Join on Tuesday?" in mine
    assert 'id="consultations"' not in kam.get(reverse("home")).content.decode()
    assert "Your answer" in _page(head, opportunity) and "Your answer" not in _page(kam, opportunity)
    response = head.post(reverse("record_consult_answer", args=[opportunity.pk]),
                         {"activity": "customer_workshop", "role": "head_of_sales", "answer": "Yes, I join"})
    assert response.status_code == 302
    assert "Head of Sales (Helena Hoffmann) answered:" in _page(kam, opportunity)
    assert 'id="consultations"' not in head.get(reverse("home")).content.decode()


def test_a_refused_request_is_shown_and_changes_nothing(people, opportunity, client_for) -> None:
    bid = client_for(people["bid"])
    response = bid.post(reverse("record_consult", args=[opportunity.pk]),
                        {"activity": "customer_workshop", "role": "sales_support"})
    assert response.status_code == 403
    assert "Who does “Discussions / workshops with the customer” asks its consulted roles: Key Account Manager." in response.content.decode()
    assert not Consultation.objects.exists()


def test_the_page_in_german(people, opportunity, client_for) -> None:
    kam = client_for(people["kam"])
    services.do_consult(opportunity.pk, people["kam"], "customer_workshop", "sales_support", "Budget?")
    html = _page(kam, opportunity, "de")
    assert "Um Rat fragen" in html and "Kai Becker hat Sales Support gefragt — die Antwort steht aus." in html
    assert "Erledigt von: Sales Support." in html  # qualification_support is not the KAM's
    services.do_complete_activity(opportunity.pk, people["kam"], "customer_informed")
    response = kam.post(reverse("record_move", args=[opportunity.pk]), {"stage": "lost"}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 403
    assert ("Den Vorgang aus Qualifizierung als Verloren abzuschließen, entscheidet die Rolle Vertriebsleiter "
            "(oder ein beauftragter Key Account Manager).") in response.content.decode()
    assert services.get_record(opportunity.pk).stage == "qualification"
