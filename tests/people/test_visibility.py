"""Every cast user sees exactly the records their classification rule allows."""

from __future__ import annotations

import pytest

from salesflow.people import access
from salesflow.records import queries, services
from tests.access_cases import CAST_USERS, VISIBLE_TO, AccessCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> AccessCast:
    return AccessCast.build()


@pytest.mark.parametrize("user_name", sorted(CAST_USERS))
def test_lists_show_exactly_the_visible_records(cast: AccessCast, user_name: str) -> None:
    user = cast.users[user_name]
    expected = {cast.records[c].pk for c, names in VISIBLE_TO.items() if user_name in names}
    assert set(access.visible_records(user).values_list("pk", flat=True)) == expected
    assert set(queries.records_for(user).values_list("pk", flat=True)) == expected
    assert queries.records_for(user).count() == len(expected)


@pytest.mark.parametrize("classification", sorted(VISIBLE_TO))
def test_hidden_record_is_not_found_for_reading_and_acting(cast: AccessCast, classification: str) -> None:
    record = cast.records[classification]
    for user_name, user in cast.users.items():
        if cast.can_see(user_name, classification):
            assert services.get_record(record.pk, user).pk == record.pk
            continue
        with pytest.raises(services.NotFound):
            services.get_record(record.pk, user)
        with pytest.raises(services.NotFound):
            services.do_complete_activity(record.pk, user, "risk_analysis")


def test_auditor_is_read_only_and_cannot_act(cast: AccessCast) -> None:
    auditor = cast.users["auditor"]
    assert access.is_read_only(auditor)
    assert not access.is_read_only(cast.users["head"])
    from salesflow.engine.errors import NotPermitted

    with pytest.raises(NotPermitted):
        services.do_move(cast.records["internal"].pk, auditor, "lost")
