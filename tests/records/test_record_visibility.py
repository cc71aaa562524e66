"""Services act only on records the user may see; a hidden record is "not found"."""

from __future__ import annotations

import pytest

from salesflow.people import access
from salesflow.records import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def confidential(people):
    return services.do_create_record("opportunity-management", people["kam"],
                                     {"title": "Takeover talks", "classification": "confidential"})


@pytest.fixture
def strictly(people):
    record = services.do_create_record("opportunity-management", people["kam"],
                                       {"title": "Board matter", "classification": "strictly_confidential"})
    record.members.add(people["support"])
    return record


def visible_to(record, people) -> set[str]:
    return {name for name, user in people.items() if access.can_view(user, record)}


def test_confidential_is_for_the_team_and_oversight(people, confidential) -> None:
    # the Managing Director approves the largest offers under the competence catalog: the process puts
    # the role to work on its confidential records (the KAM of another team is not, need to know)
    assert visible_to(confidential, people) == {"kam", "mate", "head", "auditor", "director"}


def test_strictly_confidential_is_for_owner_and_members(people, strictly) -> None:
    assert visible_to(strictly, people) == {"kam", "support"}


def test_internal_is_for_every_role_holder(people, record) -> None:
    assert visible_to(record, people) == set(people)


@pytest.mark.parametrize("name", ["kam2", "support"])
def test_hidden_record_is_not_found(people, confidential, name) -> None:
    user = people[name]
    with pytest.raises(services.NotFound):
        services.get_record(confidential.pk, user)
    with pytest.raises(services.NotFound):
        services.do_complete_activity(confidential.pk, user, "risk_analysis")
    with pytest.raises(services.NotFound):
        services.do_move(confidential.pk, user, "lost", override_reason="x")
    with pytest.raises(services.NotFound):
        services.do_set_fields(confidential.pk, user, {"account": "x"})
    assert services.get_record(confidential.pk).version == 1


def test_head_of_sales_cannot_act_on_strictly_confidential(people, strictly) -> None:
    with pytest.raises(services.NotFound):
        services.do_decide(strictly.pk, people["head"], "yes")
    # A named member may act on it within their role.
    services.do_complete_activity(strictly.pk, people["support"], "qualification_support")
    assert services.get_record(strictly.pk).version == 2
