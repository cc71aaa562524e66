"""My open activities lists only activities my roles may do, capped on My work with a link to the full list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesflow.records import services
from salesflow.web.views import mywork

pytestmark = pytest.mark.django_db


def test_only_activities_my_roles_may_do(people, opportunity, client_for) -> None:
    activities = client_for(people["kam"]).get(reverse("home")).context["activities"]
    titles = {item["title"] for item in activities}
    assert "Internal risk analysis (strategic, legal, technical)" in titles
    # Sales Support's own qualification support is on the KAM's record but is not the KAM's to do.
    definition = services.definition_of(opportunity.process_version)
    theirs = {activity.title.get_text("en") for activity in definition.stage("qualification").activities
              if "kam" not in {activity.responsible, activity.accountable, *activity.done_by}}
    assert theirs and not (titles & theirs)


def test_the_list_is_capped_with_a_link_to_all(people, client_for) -> None:
    for number in range(6):
        services.do_create_record("opportunity-management", people["kam"], {"title": f"Deal {number}"})
    client = client_for(people["kam"])
    response = client.get(reverse("home"))
    section = response.context["sections"]["activities"]
    assert len(section.items) == mywork.SHOWN < section.total
    html = response.content.decode()
    assert f'href="{reverse("my_activities")}"' in html
    assert f"Showing {mywork.SHOWN} of {section.total}" in html
    full = client.get(reverse("my_activities"))
    assert full.status_code == 200 and len(full.context["activities"]) == section.total
