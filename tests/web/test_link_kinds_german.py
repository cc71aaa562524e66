"""Link kinds are named per language from the library settings (``link_kinds``): on the record page's links
panel, in its timeline and for an incoming link ("<name> of", or the kind's own ``incoming`` name)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from salesflow.records import services
from salesflow.records.chain import do_link_records

pytestmark = pytest.mark.django_db


def german(client: Any) -> Any:
    client.cookies["django_language"] = "de"
    return client


def test_a_hand_made_link_reads_verwandt_in_german(people, opportunity, client_for) -> None:
    other = services.do_create_record("opportunity-management", people["kam"], {"title": "Follow-up deal"})
    do_link_records(opportunity.pk, other.pk, people["kam"], kind="related")
    client = german(client_for(people["kam"]))
    source = client.get(reverse("record", args=[opportunity.pk]))
    assert [row["label"] for row in source.context["links"]] == ["verwandt"]
    html = source.content.decode()
    assert f"Verknüpft mit #{other.pk} (verwandt)" in html and "(related)" not in html
    target = client.get(reverse("record", args=[other.pk]))
    assert [row["label"] for row in target.context["links"]] == ["verwandt mit"]


def test_an_unnamed_kind_shows_its_id_and_english_stays_english(people, opportunity, client_for) -> None:
    other = services.do_create_record("opportunity-management", people["kam"], {"title": "Follow-up deal"})
    third = services.do_create_record("opportunity-management", people["kam"], {"title": "Third deal"})
    do_link_records(opportunity.pk, other.pk, people["kam"], kind="follow_up")
    do_link_records(other.pk, third.pk, people["kam"], kind="related")
    page = client_for(people["kam"]).get(reverse("record", args=[other.pk]))
    assert sorted(row["label"] for row in page.context["links"]) == ["follow up of", "related"]
    german_page = german(client_for(people["kam"])).get(reverse("record", args=[other.pk]))
    assert sorted(row["label"] for row in german_page.context["links"]) == ["follow up von", "verwandt"]
