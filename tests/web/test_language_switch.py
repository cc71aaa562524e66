"""The interface speaks English and German; the library's own texts follow the language."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_switching_to_german_renders_german_pages(people, opportunity, client_for) -> None:
    client = client_for(people["kam"])
    response = client.post(reverse("set_language"), {"language": "de", "next": reverse("board")})
    assert response.status_code == 302
    html = client.get(reverse("board")).content.decode()
    assert '<html lang="de">' in html
    assert "Meine Arbeit" in html and "Neue Opportunity" in html
    assert "Qualifizierung" in html  # stage title from the library
    record = client.get(reverse("record", args=[opportunity.pk])).content.decode()
    assert "Interne Risikoanalyse (strategisch, rechtlich, technisch)" in record
    assert "Ist die Opportunity qualifiziert?" in record
    assert "Vertriebsleiter" in record
    assert "Befolgen Sie bei der Kommunikation mit dem Kunden" in record


def test_german_refusal_lists_the_unmet_items_in_german(people, opportunity, client_for) -> None:
    client = client_for(people["kam"])
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    html = client.post(reverse("record_move", args=[opportunity.pk]), {"stage": "solution_design"}).content.decode()
    assert "Budget" in html and "Entscheidung fehlt: Ist die Opportunity qualifiziert?" in html


def test_english_is_the_default(people, client_for) -> None:
    html = client_for(people["kam"]).get(reverse("home")).content.decode()
    assert '<html lang="en">' in html and "My work" in html
