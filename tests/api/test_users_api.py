"""``/api/users`` (administrators) and ``/api/me/password`` (everyone): the same rules as CLI and web."""

from __future__ import annotations

import pytest

from salesflow.people.models import User
from salesflow.people.services import do_add_user
from salesflow.records.models import Event
from tests.api.conftest import PASSWORD, assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(people, api_as):
    return api_as(do_add_user("ada", ["admin"], [], password=PASSWORD, first_name="Ada"))


def test_only_administrators_administer(people, api_as) -> None:
    api = api_as(people["head"])
    assert_problem(api.get("/api/users"), 403, "not_permitted")
    assert_problem(api.patch("/api/users/kam", {"remove_roles": ["kam"]}), 403)
    assert_problem(api.post("/api/users/kam/deactivate"), 403)
    assert_problem(api.post("/api/users/kam/password"), 403)
    assert User.objects.get(username="kam").is_active


def test_list_and_read(admin_api) -> None:
    users = admin_api.get("/api/users").json()
    kam = next(user for user in users if user["username"] == "kam")
    assert kam["roles"] == ["kam"] and kam["teams"] == ["North"] and kam["active"] is True
    assert admin_api.get("/api/users/kam").json()["name"] == "Kai Becker"
    assert_problem(admin_api.get("/api/users/ghost"), 404)
    assert all(not user["active"] for user in admin_api.get("/api/users", {"active": "false"}).json())


def test_update_with_unknown_names_is_refused_naming_them(admin_api) -> None:
    body = assert_problem(admin_api.patch("/api/users/kam", {"add_roles": ["wizard"], "add_teams": ["Mars"]}), 400)
    assert "'wizard'" in body["detail"] and "'Mars'" in body["detail"]
    updated = admin_api.patch("/api/users/kam", {"add_roles": ["bid_manager"], "remove_teams": ["North"]}).json()
    assert updated["roles"] == ["bid_manager", "kam"] and updated["teams"] == []
    event = Event.objects.get(kind="security.user_updated")
    assert event.payload["before"]["teams"] == ["North"] and event.actor_name == "Ada"


def test_deactivate_stops_the_users_token_and_reactivate(admin_api, people, api_as) -> None:
    kam_api = api_as(people["kam"])
    assert kam_api.get("/api/me").status_code == 200
    assert admin_api.post("/api/users/kam/deactivate").json()["active"] is False
    assert_problem(kam_api.get("/api/me"), 401)
    assert_problem(admin_api.post("/api/users/kam/deactivate"), 409, "conflict")
    assert admin_api.post("/api/users/kam/reactivate").json()["active"] is True


def test_one_time_password_generated_or_given(admin_api) -> None:
    generated = admin_api.post("/api/users/kam/password").json()
    assert generated["user"]["must_change_password"] is True and len(generated["password"]) >= 12
    given = admin_api.post("/api/users/kam/password", {"password": "Given-Phrase-Long-1"}).json()
    assert given["password"] is None
    assert User.objects.get(username="kam").check_password("Given-Phrase-Long-1")
    weak = assert_problem(admin_api.post("/api/users/kam/password", {"password": "123"}), 400)
    assert "too short" in weak["detail"]


def test_change_own_password(people, api_as) -> None:
    api = api_as(people["kam"])
    wrong = assert_problem(api.post("/api/me/password", {"current_password": "nope", "new_password": "X-Long-1-abc"}),
                           400)
    assert "current password is not correct" in wrong["detail"]
    same = api.post("/api/me/password", {"current_password": PASSWORD, "new_password": PASSWORD})
    assert "different" in assert_problem(same, 400)["detail"]
    done = api.post("/api/me/password", {"current_password": PASSWORD, "new_password": "Kai-New-Phrase-77"})
    assert done.status_code == 200 and done.json()["must_change_password"] is False
    assert User.objects.get(username="kam").check_password("Kai-New-Phrase-77")
    assert Event.objects.filter(kind="security.password_changed").count() == 1


def test_wrong_current_passwords_lock_the_account(people, api_as, settings) -> None:
    settings.SALESFLOW_SIGNIN_ACCOUNT_LIMIT = 3
    api = api_as(people["kam"])
    for _ in range(3):
        api.post("/api/me/password", {"current_password": "nope", "new_password": "Kai-New-Phrase-77"})
    locked = api.post("/api/me/password", {"current_password": PASSWORD, "new_password": "Kai-New-Phrase-77"})
    assert_problem(locked, 429, "throttled")
    assert int(locked["Retry-After"]) > 0
